"""`flask check-connectors`: every configured connector built from the configuration, per family."""

from __future__ import annotations

from typing import Any

from flask import Flask

PRODUCTION = {"ALLOW_DEMO_CONNECTORS": False, "PAYMENT_CONNECTOR": "pagopa", "PAGOPA_SUBSCRIPTION_KEY": "k",
              "PROTOCOL_CONNECTOR": "rest", "PROTOCOL_URL": "https://protocollo.example/api",
              "APP_IO_CONNECTOR": "app_io", "APP_IO_KEY": "io-key", "MAIL_BACKEND": "smtp"}


def _check(flask_app: Flask) -> Any:
    return flask_app.test_cli_runner().invoke(args=["check-connectors"])


def test_the_test_configuration_builds_its_demo_connectors(app: Flask) -> None:
    result = _check(app)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["payments:", "  demo: ok", "protocol:", "  demo: ok", "notifications:",
                                          "  demo_app_io: ok", "  (e-mail not sent: MAIL_BACKEND=capture)"]


def test_a_complete_production_configuration_passes(make_app: Any) -> None:
    result = _check(make_app(**PRODUCTION))
    assert result.exit_code == 0, result.output
    assert "  pagopa: ok" in result.output and "  rest: ok" in result.output
    assert "  app_io: ok" in result.output and "  email: ok" in result.output


def test_demo_connectors_are_refused_where_not_allowed(make_app: Any) -> None:
    result = _check(make_app(ALLOW_DEMO_CONNECTORS=False))
    assert result.exit_code == 1
    assert result.output.count("DemoNotAllowed") == 3
    assert "  demo: DemoNotAllowed: payments connector 'demo' is a demo" in result.output


def test_missing_keys_and_unknown_names_fail(make_app: Any) -> None:
    result = _check(make_app(**{**PRODUCTION, "PAGOPA_SUBSCRIPTION_KEY": "", "PROTOCOL_CONNECTOR": "acme",
                                "MAIL_SERVER": ""}))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "  pagopa: ConfigurationError: pagopa: missing configuration PAGOPA_SUBSCRIPTION_KEY" in lines
    assert any(line.startswith("  acme: UnknownConnector: no protocol connector named 'acme'") for line in lines)
    assert "  email: ConfigurationError: email: missing configuration MAIL_SERVER" in lines
    assert "  app_io: ok" in lines
