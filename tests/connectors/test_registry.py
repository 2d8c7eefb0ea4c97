"""The typed plugin registry, the demo plugins, and the simulators' command line."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import pytest

import connectors
from connectors import (
    MessageChannel,
    Notification,
    PagoPAClient,
    PaymentGateway,
    ProtocolRegister,
    UnknownConnector,
    get,
    names,
    register,
    unregister,
)
from tests.connectors.helpers import free_port, make_position


def test_families_and_builtins() -> None:
    assert names("payment") == ("demo", "pagopa")
    assert names("protocol") == ("demo", "rest")
    assert set(names("notification")) >= {"app_io", "email", "demo_app_io", "demo_email"}
    gateway = get("payment", "pagopa", ec_fiscal_code="00000000000", subscription_key="k")
    assert isinstance(gateway, PaymentGateway) and isinstance(gateway, PagoPAClient)
    assert isinstance(get("protocol", "rest", base_url="https://protocollo.example/api", token="t"), ProtocolRegister)
    channel = get("notification", "app_io", api_key="k")
    assert isinstance(channel, MessageChannel) and channel.channel == "app_io"
    email = get("notification", "email", host="127.0.0.1", sender="noreply@comune.example.it")
    assert email.channel == "email"


def test_unknown_and_wrong_plugins() -> None:
    with pytest.raises(UnknownConnector):
        get("payment", "nope")
    with pytest.raises(ValueError):
        register("payment", "pagopa", PagoPAClient)
    register("protocol", "broken", lambda **_: object())
    try:
        with pytest.raises(TypeError):
            get("protocol", "broken")
    finally:
        unregister("protocol", "broken")


def test_demo_plugins_run_against_in_process_simulators() -> None:
    gateway = get("payment", "demo")
    state = gateway.create_debt_position(make_position("demo-1", due_in=timedelta(days=3)), idempotency_key="d")
    assert state.status == "VALID"
    protocol = get("protocol", "demo")
    from connectors import Correspondent, DocumentFile, ProtocolDocument

    doc = ProtocolDocument("Domanda", DocumentFile("a.pdf", "application/pdf", b"x"), Correspondent("Anna"))
    assert protocol.register_inbound(doc, idempotency_key="d").protocol_number.isdigit()
    note = Notification(subject="Pratica accolta", text="Accolta.", fiscal_code="RSSMRA80A01H501U",
                        email="anna@example.it")
    assert get("notification", "demo_app_io").send(note, idempotency_key="d").sent
    assert get("notification", "demo_email").send(note, idempotency_key="d").sent


def test_public_face_is_explicit() -> None:
    assert "get" in connectors.__all__ and "register" in connectors.__all__
    assert all(hasattr(connectors, name) for name in connectors.__all__)


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
