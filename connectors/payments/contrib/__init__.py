"""The payment plugins that ship with the package; importing them registers them."""

from connectors.payments.contrib import demo, pagopa

__all__ = ["demo", "pagopa"]
