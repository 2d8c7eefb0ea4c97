"""The protocol plugins that ship with the package; importing them registers them."""

from connectors.protocol.contrib import demo, rest

__all__ = ["demo", "rest"]
