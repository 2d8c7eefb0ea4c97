"""`demo`: the pagoPA client against `connectors.simulators.pagopa`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from connectors._demo import simulator_url
from connectors.payments.contrib.pagopa.client import PagoPAClient
from connectors.payments.registry import register

DEMO_EC_FISCAL_CODE = "00000000000"


@register("demo", demo=True)
class DemoPaymentGateway(PagoPAClient):
    """GPD and Checkout of the simulator at PAGOPA_GPD_URL (or one started in this process)."""

    @classmethod
    def from_config(cls, config: Mapping[str, Any], /, *, ec_fiscal_code: str | None = None,
                    **context: Any) -> Self:
        return cls.for_simulator(simulator_url(config.get("PAGOPA_GPD_URL"), "pagopa"),
                                 ec_fiscal_code=ec_fiscal_code or DEMO_EC_FISCAL_CODE)
