"""The notifications registry: `@register("name")` on a plugin class with `from_config` (tests may build
another)."""

from connectors._plugins import Registry
from connectors.notifications.base import MessageChannel

register: Registry[MessageChannel] = Registry("notifications", MessageChannel)
