"""The protocol registry: `@register("name")` on a plugin class with `from_config` (tests may build another)."""

from connectors._plugins import Registry
from connectors.protocol.base import ProtocolRegister

register: Registry[ProtocolRegister] = Registry("protocol", ProtocolRegister)
