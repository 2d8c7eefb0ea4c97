"""The demo payment plugin: pagoPA on the loopback simulator."""

from connectors.payments.contrib.demo.plugin import DEMO_EC_FISCAL_CODE, DemoPaymentGateway

__all__ = ["DEMO_EC_FISCAL_CODE", "DemoPaymentGateway"]
