"""The notification plugins that ship with the package; importing them registers them."""

from connectors.notifications.contrib import app_io, demo, smtp

__all__ = ["app_io", "demo", "smtp"]
