"""The demo protocol plugin: the REST client on the loopback register."""

from connectors.protocol.contrib.demo.plugin import DemoProtocolRegister

__all__ = ["DemoProtocolRegister"]
