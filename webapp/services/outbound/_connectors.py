"""Connector instances built from the configuration: the web layer's only door to the outside."""

from __future__ import annotations

from typing import Any

from flask import current_app

import connectors
from webapp.models import Tenant

DEMO_EC_FISCAL_CODE = "00000000000"


def ec_fiscal_code(tenant: Tenant) -> str:
    code = tenant.fiscal_code or ""
    return code if len(code) == 11 and code.isdigit() else DEMO_EC_FISCAL_CODE


def payment_gateway(tenant: Tenant) -> connectors.PaymentGateway:
    config = current_app.config
    name = config["PAYMENT_CONNECTOR"]
    if name == "pagopa":
        return connectors.get("payment", "pagopa", ec_fiscal_code=ec_fiscal_code(tenant),
                              gpd_url=config["PAGOPA_GPD_URL"], checkout_url=config["PAGOPA_CHECKOUT_URL"],
                              subscription_key=config["PAGOPA_SUBSCRIPTION_KEY"])
    return connectors.get("payment", name, url=config["PAGOPA_GPD_URL"], ec_fiscal_code=ec_fiscal_code(tenant))


def protocol_register() -> connectors.ProtocolRegister:
    config = current_app.config
    if config["PROTOCOL_CONNECTOR"] == "rest":
        return connectors.get("protocol", "rest", base_url=config["PROTOCOL_URL"], token=config["PROTOCOL_TOKEN"])
    return connectors.get("protocol", config["PROTOCOL_CONNECTOR"], url=config["PROTOCOL_URL"])


def app_io_channel() -> Any:
    config = current_app.config
    if config["APP_IO_CONNECTOR"] == "app_io":
        return connectors.get("notification", "app_io", api_key=config["APP_IO_KEY"], base_url=config["APP_IO_URL"])
    return connectors.get("notification", config["APP_IO_CONNECTOR"], url=config["APP_IO_URL"])
