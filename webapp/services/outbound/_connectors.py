"""Connector instances built from the configuration: the web layer's only door to the outside.

Each connector is one `connectors.build(family, name, config)`: the plugin named by the
configuration reads its own keys (PAGOPA_*, PROTOCOL_*, APP_IO_*, MAIL_*) from the app's config.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app

import connectors
from webapp.models import Tenant
from webapp.services.common import ente_settings

DEMO_EC_FISCAL_CODE = "00000000000"
MAIL_PLUGIN = "email"  # the SMTP plugin, used when MAIL_BACKEND is "smtp"


def ec_fiscal_code(tenant: Tenant) -> str:
    code = tenant.fiscal_code or ""
    return code if len(code) == 11 and code.isdigit() else DEMO_EC_FISCAL_CODE


def payment_gateway(tenant: Tenant) -> connectors.PaymentGateway:
    return _payment_gateway(ec_fiscal_code(tenant))


def _payment_gateway(creditor: str) -> connectors.PaymentGateway:
    config = current_app.config
    return connectors.build("payments", config["PAYMENT_CONNECTOR"], config, ec_fiscal_code=creditor)


def protocol_register() -> connectors.ProtocolRegister:
    config = current_app.config
    return connectors.build("protocol", config["PROTOCOL_CONNECTOR"], config)


def app_io_channel(api_key: str | None = None) -> connectors.MessageChannel:
    """App IO as the sender `api_key` (a service's own key, from the ente's settings), else APP_IO_KEY."""
    config = current_app.config
    if api_key:
        return connectors.build("notifications", config["APP_IO_CONNECTOR"], {**config, "APP_IO_KEY": api_key})
    return connectors.build("notifications", config["APP_IO_CONNECTOR"], config)


def email_channel(tenant: Tenant | None = None) -> connectors.MessageChannel | None:
    """The SMTP channel: the ente's own server (login, TLS) when its settings name one, else MAIL_SERVER; the
    ente's sender address either way. None when mail is captured (the demo reads it on its mail page)."""
    config = current_app.config
    if config["MAIL_BACKEND"] != "smtp":
        return None
    sender, sender_name = ente_settings.email_sender(tenant)
    mail = {**config, **({"MAIL_SENDER": sender} if sender else {}),
            **({"MAIL_SENDER_NAME": sender_name} if sender_name else {})}
    own = ente_settings.smtp_settings(tenant)
    if own is not None:
        mail.update(MAIL_SERVER=own.host, MAIL_PORT=own.port, MAIL_SECURITY=own.security,
                    MAIL_USERNAME=own.username, MAIL_PASSWORD=own.password)
    return connectors.build("notifications", MAIL_PLUGIN, mail)


@dataclass(frozen=True)
class ConnectorCheck:
    family: str
    name: str
    problem: str | None = None  # None: built from the configuration

    @property
    def ok(self) -> bool:
        return self.problem is None


def _check(family: str, name: str, build: Callable[[], object]) -> ConnectorCheck:
    try:
        build()
    except (ValueError, TypeError) as exc:  # ConfigurationError among them; a plugin's own refusal too
        return ConnectorCheck(family, name, f"{type(exc).__name__}: {exc}")
    return ConnectorCheck(family, name)


def check_connectors() -> list[ConnectorCheck]:
    """Build every configured connector (the payment one for a placeholder creditor) and say which failed."""
    config = current_app.config
    checks = [_check("payments", config["PAYMENT_CONNECTOR"], lambda: _payment_gateway(DEMO_EC_FISCAL_CODE)),
              _check("protocol", config["PROTOCOL_CONNECTOR"], protocol_register),
              _check("notifications", config["APP_IO_CONNECTOR"], app_io_channel)]
    if config["MAIL_BACKEND"] == "smtp":
        checks.append(_check("notifications", MAIL_PLUGIN, email_channel))
    return checks
