"""SMTP client against an aiosmtpd sink (and the stdlib demo sink): stable Message-ID."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink

from connectors import Attachment, Notification, PermanentError, TransientError
from connectors.notifications.contrib.smtp import SmtpClient, message_id_for
from connectors.simulators import start_smtp
from tests.connectors.helpers import free_port


class Collector(Sink):
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class Refuser(Sink):
    def __init__(self, code: str) -> None:
        self.code = code

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return self.code


@pytest.fixture
def sink() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


NOTE = Notification(subject="Pratica 123: accolta", text="La tua pratica è stata accolta.",
                    html="<p>La tua pratica è stata <b>accolta</b>.</p>", email="mario@example.it",
                    attachments=(Attachment("esito.pdf", "application/pdf", b"%PDF-1.4"),))


def test_send_with_stable_message_id(sink: tuple[Collector, int]) -> None:
    handler, port = sink
    client = SmtpClient(host="127.0.0.1", port=port, sender="noreply@comune.example.it", sender_name="Comune")
    first = client.send(NOTE, idempotency_key="outbox-42")
    second = client.send(NOTE, idempotency_key="outbox-42")
    other = client.send(NOTE, idempotency_key="outbox-43")
    assert first.message_id == second.message_id == message_id_for("outbox-42", "comune.example.it")
    assert other.message_id != first.message_id
    assert [m["Message-ID"] for m in handler.messages] == [first.message_id, first.message_id, other.message_id]
    msg = handler.messages[0]
    assert msg["To"] == "mario@example.it" and msg["Subject"] == "Pratica 123: accolta"
    assert msg.get_body(("plain",)).get_content().strip() == "La tua pratica è stata accolta."
    assert "<b>accolta</b>" in msg.get_body(("html",)).get_content()
    assert [a.get_filename() for a in msg.iter_attachments()] == ["esito.pdf"]


@pytest.mark.parametrize(("code", "error"), [("450 mailbox busy", TransientError),
                                             ("550 no such user", PermanentError)])
def test_refusals_are_classified(code: str, error: type[Exception]) -> None:
    port = free_port()
    controller = Controller(Refuser(code), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(error):
            SmtpClient(host="127.0.0.1", port=port, sender="noreply@comune.example.it").send(NOTE, idempotency_key="k")
    finally:
        controller.stop()


def test_unreachable_server_is_transient() -> None:
    client = SmtpClient(host="127.0.0.1", port=free_port(), sender="noreply@comune.example.it", timeout=2)
    with pytest.raises(TransientError):
        client.send(NOTE, idempotency_key="k")


def test_demo_sink(tmp_path: Any) -> None:
    with start_smtp(outdir=tmp_path) as sink:
        client = SmtpClient(host=sink.host, port=sink.port, sender="noreply@comune.example.it")
        result = client.send(NOTE, idempotency_key="demo-1")
        [mail] = sink.messages
    assert mail.rcpt_to == ("mario@example.it",)
    assert mail.message()["Message-ID"] == result.message_id
    assert len(list(tmp_path.glob("*.eml"))) == 1
