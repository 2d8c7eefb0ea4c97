"""The payments registry: `@register("name")` on a plugin class with `from_config` (tests may build another)."""

from connectors._plugins import Registry
from connectors.payments.base import PaymentGateway

register: Registry[PaymentGateway] = Registry("payments", PaymentGateway)
