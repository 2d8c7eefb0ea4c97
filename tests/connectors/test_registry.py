"""The typed plugin registry, the demo plugins, and the simulators' command line."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

import connectors
from connectors import (
    ConfigurationError,
    DemoNotAllowed,
    MessageChannel,
    Notification,
    PaymentGateway,
    ProtocolRegister,
    UnknownConnector,
    build,
    names,
    register,
    unregister,
)
from connectors.notifications.contrib.app_io import AppIOChannel
from connectors.notifications.contrib.smtp import SmtpClient
from connectors.payments.contrib.pagopa import PagoPAClient
from connectors.protocol.contrib.rest import RestProtocolClient
from tests.connectors.helpers import EC, free_port, make_position

DEMO = {"ALLOW_DEMO_CONNECTORS": True}
PRODUCTION = {
    "PAGOPA_GPD_URL": "https://gpd.example/v1", "PAGOPA_CHECKOUT_URL": "https://checkout.example/v1",
    "PAGOPA_SUBSCRIPTION_KEY": "k", "PROTOCOL_URL": "https://protocollo.example/api", "PROTOCOL_TOKEN": "t",
    "APP_IO_KEY": "io-key", "APP_IO_URL": "https://io.example/api/v1", "MAIL_SERVER": "smtp.example",
    "MAIL_PORT": 587, "MAIL_SENDER": "noreply@comune.example.it", "ALLOW_DEMO_CONNECTORS": False,
}


def test_families_and_builtins() -> None:
    assert connectors.FAMILIES == ("payments", "protocol", "notifications")
    assert names("payments") == ("demo", "pagopa")
    assert names("protocol") == ("demo", "rest")
    assert names("notifications") == ("app_io", "demo_app_io", "demo_email", "email")
    gateway = build("payments", "pagopa", PRODUCTION, ec_fiscal_code=EC)
    assert isinstance(gateway, PaymentGateway) and isinstance(gateway, PagoPAClient)
    assert isinstance(build("protocol", "rest", PRODUCTION), ProtocolRegister)
    channel = build("notifications", "app_io", PRODUCTION)
    assert isinstance(channel, MessageChannel) and channel.channel == "app_io"
    assert build("notifications", "email", PRODUCTION).channel == "email"


def test_from_config_reads_the_plugins_keys() -> None:
    gateway = build("payments", "pagopa", PRODUCTION, ec_fiscal_code="12345678901")
    assert isinstance(gateway, PagoPAClient) and gateway.ec_fiscal_code == "12345678901"
    assert gateway._gpd.base_url == "https://gpd.example/v1"
    assert gateway._checkout.base_url == "https://checkout.example/v1"
    assert gateway._gpd.headers == {"Ocp-Apim-Subscription-Key": "k"}
    register_ = build("protocol", "rest", PRODUCTION)
    assert isinstance(register_, RestProtocolClient)
    assert (register_._http.base_url, register_._http.headers) == ("https://protocollo.example/api",
                                                                   {"Authorization": "Bearer t"})
    assert build("protocol", "rest", {**PRODUCTION, "PROTOCOL_TOKEN": ""})._http.headers == {}  # type: ignore[attr-defined]
    io = build("notifications", "app_io", PRODUCTION)
    assert isinstance(io, AppIOChannel) and io.client._http.base_url == "https://io.example/api/v1"
    assert io.client._http.headers == {"Ocp-Apim-Subscription-Key": "io-key"}
    email = build("notifications", "email", PRODUCTION)
    assert isinstance(email, SmtpClient)
    assert (email.host, email.port, email.sender) == ("smtp.example", 587, "noreply@comune.example.it")


def test_incomplete_configuration_names_the_missing_keys() -> None:
    with pytest.raises(ConfigurationError, match="PAGOPA_CHECKOUT_URL, PAGOPA_SUBSCRIPTION_KEY"):
        build("payments", "pagopa", {"PAGOPA_GPD_URL": "https://gpd.example/v1"}, ec_fiscal_code=EC)
    with pytest.raises(ConfigurationError, match="ec_fiscal_code"):
        build("payments", "pagopa", PRODUCTION)
    with pytest.raises(ConfigurationError, match="PROTOCOL_URL"):
        build("protocol", "rest", {**PRODUCTION, "PROTOCOL_URL": ""})
    with pytest.raises(ConfigurationError, match="APP_IO_KEY"):
        build("notifications", "app_io", {**PRODUCTION, "APP_IO_KEY": ""})
    with pytest.raises(ConfigurationError, match="MAIL_SERVER"):
        build("notifications", "email", {"MAIL_SENDER": "noreply@comune.example.it"})
    assert isinstance(ConfigurationError("x"), ValueError)  # what a bad setting raised before


def test_unknown_families_and_names() -> None:
    with pytest.raises(UnknownConnector, match="no payments connector named 'nope'"):
        build("payments", "nope", PRODUCTION)
    with pytest.raises(UnknownConnector, match="unknown connector family"):
        build("payment", "pagopa", PRODUCTION)  # type: ignore[call-overload]
    with pytest.raises(UnknownConnector):
        names("notification")  # type: ignore[arg-type]
    assert isinstance(UnknownConnector("x"), LookupError) and isinstance(UnknownConnector("x"), ConfigurationError)


def test_wrong_plugins_are_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register("payments", "pagopa", PagoPAClient)
    with pytest.raises(TypeError, match="from_config"):
        register("protocol", "bare", object)

    class Broken:
        @classmethod
        def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> object:
            return object()

    register("protocol", "broken", Broken)
    try:
        with pytest.raises(TypeError, match="does not implement ProtocolRegister"):
            build("protocol", "broken", PRODUCTION)
    finally:
        unregister("protocol", "broken")
    assert "broken" not in names("protocol")


def test_a_registered_plugin_gets_config_and_context() -> None:
    seen: list[tuple[Mapping[str, Any], dict[str, Any]]] = []

    class Partner(PagoPAClient):
        @classmethod
        def from_config(cls, config: Mapping[str, Any], /, **context: Any) -> Partner:
            seen.append((config, context))
            return cls(ec_fiscal_code=context["ec_fiscal_code"], subscription_key=str(config["PARTNER_KEY"]))

    register("payments", "partner", Partner)
    try:
        gateway = build("payments", "partner", {"PARTNER_KEY": "p"}, ec_fiscal_code=EC)
    finally:
        unregister("payments", "partner")
    assert isinstance(gateway, Partner) and seen == [({"PARTNER_KEY": "p"}, {"ec_fiscal_code": EC})]


@pytest.mark.parametrize(("family", "name"), [("payments", "demo"), ("protocol", "demo"),
                                              ("notifications", "demo_app_io"), ("notifications", "demo_email")])
def test_demo_plugins_are_refused_unless_allowed(family: connectors.Family, name: str) -> None:
    for config in (PRODUCTION, {}, {"ALLOW_DEMO_CONNECTORS": "yes"}):
        with pytest.raises(DemoNotAllowed, match="ALLOW_DEMO_CONNECTORS"):
            build(family, name, config)
    assert name not in names(family, PRODUCTION)
    assert name in names(family, DEMO) and name in names(family)
    assert connectors.registry.is_demo(family, name)


def test_demo_plugins_run_against_in_process_simulators() -> None:
    gateway = build("payments", "demo", DEMO)
    assert gateway.ec_fiscal_code == "00000000000"
    state = gateway.create_debt_position(make_position("demo-1", due_in=timedelta(days=3)), idempotency_key="d")
    assert state.status == "VALID"
    protocol = build("protocol", "demo", DEMO)
    from connectors import Correspondent, DocumentFile, ProtocolDocument

    doc = ProtocolDocument("Domanda", DocumentFile("a.pdf", "application/pdf", b"x"), Correspondent("Anna"))
    assert protocol.register_inbound(doc, idempotency_key="d").protocol_number.isdigit()
    note = Notification(subject="Pratica accolta", text="Accolta.", fiscal_code="RSSMRA80A01H501U",
                        email="anna@example.it")
    assert build("notifications", "demo_app_io", DEMO).send(note, idempotency_key="d").sent
    assert build("notifications", "demo_email", DEMO).send(note, idempotency_key="d").sent


def test_public_face_is_explicit() -> None:
    assert {"build", "register", "names", "Family", "UnknownConnector", "DemoNotAllowed"} <= set(connectors.__all__)
    assert {"PaymentGateway", "ProtocolRegister", "MessageChannel", "Notifier"} <= set(connectors.__all__)
    assert not {"PagoPAClient", "SmtpClient", "RestProtocolClient", "get"} & set(connectors.__all__)  # plugins
    for face in (connectors, connectors.payments, connectors.protocol, connectors.notifications):
        assert all(hasattr(face, name) for name in face.__all__)
    assert "render_notice_pdf" in connectors.payments.__all__


def _wait_for(url: str, proc: subprocess.Popen[str]) -> bytes:
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                return bytes(resp.read())
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise
            time.sleep(0.1)


def test_command_line_entry_point() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "connectors.simulators", "protocol", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert b'"registrations": 0' in _wait_for(f"http://127.0.0.1:{port}/_control/stats", proc)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert f"protocol simulator at http://127.0.0.1:{port}" in out
