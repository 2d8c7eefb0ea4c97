"""The connectors that ship with the package, registered on import of `connectors`."""

from __future__ import annotations

from typing import Any

from connectors.app_io import AppIOChannel, AppIOClient
from connectors.email_smtp import SmtpClient
from connectors.pagopa.client import PagoPAClient
from connectors.protocol_rest import RestProtocolClient
from connectors.registry import register

DEMO_EC_FISCAL_CODE = "00000000000"


def _url(config: dict[str, Any], simulator: str) -> str:
    url = config.pop("url", None)
    if url:
        return str(url)
    from connectors.simulators import shared  # lazy: only the demo plugins start simulators

    return shared(simulator).url


def _demo_payment(**config: Any) -> PagoPAClient:
    url = _url(config, "pagopa")
    return PagoPAClient.for_simulator(url, ec_fiscal_code=config.pop("ec_fiscal_code", DEMO_EC_FISCAL_CODE),
                                      **config)


def _demo_protocol(**config: Any) -> RestProtocolClient:
    return RestProtocolClient.for_simulator(_url(config, "protocol"), **config)


def _app_io(**config: Any) -> AppIOChannel:
    footer = config.pop("footer", None)
    client = AppIOClient(**config)
    return AppIOChannel(client, footer=footer) if footer else AppIOChannel(client)


def _demo_app_io(**config: Any) -> AppIOChannel:
    return AppIOChannel(AppIOClient.for_simulator(_url(config, "appio"), **config))


def _demo_email(**config: Any) -> SmtpClient:
    url = _url(config, "smtp")
    host, _, port = url.removeprefix("smtp://").rpartition(":")
    config.setdefault("sender", "noreply@comune.demo.it")
    return SmtpClient(host=host, port=int(port), **config)


def register_builtins() -> None:
    register("payment", "pagopa", PagoPAClient, replace=True)
    register("payment", "demo", _demo_payment, replace=True)
    register("protocol", "rest", RestProtocolClient, replace=True)
    register("protocol", "demo", _demo_protocol, replace=True)
    register("notification", "app_io", _app_io, replace=True)
    register("notification", "email", SmtpClient, replace=True)
    register("notification", "demo_app_io", _demo_app_io, replace=True)
    register("notification", "demo_email", _demo_email, replace=True)
