"""`app_io`: messages to the citizen's IO app, after a check of their profile."""

from connectors.notifications.contrib.app_io.client import AppIOChannel, AppIOClient, IoProfile, pad_markdown

__all__ = ["AppIOChannel", "AppIOClient", "IoProfile", "pad_markdown"]
