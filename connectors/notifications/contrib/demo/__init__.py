"""The demo notification plugins: App IO and e-mail on the loopback simulators."""

from connectors.notifications.contrib.demo.plugin import DemoAppIOChannel, DemoEmail

__all__ = ["DemoAppIOChannel", "DemoEmail"]
