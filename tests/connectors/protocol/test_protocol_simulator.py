"""Protocol register client against the simulator: numbers, idempotency, folders, faults."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from connectors import (
    Correspondent,
    Direction,
    DocumentFile,
    Folder,
    PermanentError,
    ProtocolDocument,
    TransientError,
    ValidationError,
    verify_signature,
)
from connectors.payments import parse_receipt
from connectors.protocol import fingerprint
from connectors.protocol.contrib.rest import RestProtocolClient
from connectors.simulators import ProtocolSimulator, RunningSimulator, start_protocol
from tests.connectors.conftest import WebhookReceiver
from tests.connectors.helpers import SECRET

PDF = DocumentFile("domanda.pdf", "application/pdf", b"%PDF-1.4 domanda")

ProtocolSim = RunningSimulator[ProtocolSimulator]


def _doc(subject: str = "Domanda di contributo", **kw: object) -> ProtocolDocument:
    return ProtocolDocument(subject=subject, main=PDF, correspondent=Correspondent("Mario Rossi", "RSSMRA80A01H501U"),
                            **kw)  # type: ignore[arg-type]


@pytest.fixture
def client(protocol_sim: ProtocolSim) -> RestProtocolClient:
    return RestProtocolClient.for_simulator(protocol_sim.url, token="proto-token")


def test_register_inbound_gives_number_and_date(client: RestProtocolClient) -> None:
    receipt = client.register_inbound(_doc(), idempotency_key="call-1")
    assert re.fullmatch(r"\d{7}", receipt.protocol_number)  # art. 57: at least 7 digits
    assert receipt.protocol_number == "0000001"
    assert receipt.year == datetime.now(UTC).year
    assert receipt.direction == Direction.INBOUND
    assert receipt.fingerprint == fingerprint(PDF.content)
    assert client.get_registration(receipt.document_id) == receipt


def test_idempotent_on_the_key(client: RestProtocolClient, protocol_sim: ProtocolSim) -> None:
    first = client.register_inbound(_doc(), idempotency_key="call-1")
    again = client.register_inbound(_doc(), idempotency_key="call-1")
    assert again == first
    assert protocol_sim.app.stats()["registrations"] == 1
    second = client.register_inbound(_doc(), idempotency_key="call-2")
    assert second.protocol_number == "0000002"


def test_key_reused_for_another_document_is_refused(client: RestProtocolClient) -> None:
    client.register_inbound(_doc(), idempotency_key="call-1")
    with pytest.raises(ValidationError) as err:
        client.register_inbound(_doc("Altro oggetto"), idempotency_key="call-1")
    assert err.value.status == 422


def test_transient_failures_then_success(client: RestProtocolClient, protocol_sim: ProtocolSim) -> None:
    protocol_sim.app.fail_next(2, status=503)
    for _ in range(2):
        with pytest.raises(TransientError) as err:
            client.register_inbound(_doc(), idempotency_key="call-1")
        assert err.value.status == 503
    assert client.register_inbound(_doc(), idempotency_key="call-1").protocol_number == "0000001"
    assert protocol_sim.app.stats()["registrations"] == 1


def test_timeout_is_transient_and_the_retry_returns_the_same_number(protocol_sim: ProtocolSim) -> None:
    impatient = RestProtocolClient(base_url=f"{protocol_sim.url}/api/v1", token="proto-token", timeout=0.2)
    protocol_sim.app.fail_next(1, delay=0.5)  # served late: registered, but the answer is lost
    with pytest.raises(TransientError):
        impatient.register_inbound(_doc(), idempotency_key="call-t")
    retry = impatient.register_inbound(_doc(), idempotency_key="call-t")
    assert retry.protocol_number == "0000001"
    assert protocol_sim.app.stats()["registrations"] == 1


def test_fail_next_over_http(client: RestProtocolClient, protocol_sim: ProtocolSim) -> None:
    from tests.connectors.helpers import post_json

    post_json(f"{protocol_sim.url}/_control/fail", {"count": 1, "status": 502})
    with pytest.raises(TransientError):
        client.register_inbound(_doc(), idempotency_key="k")
    stats = post_json(f"{protocol_sim.url}/_control/reset", {})
    assert stats == {"ok": True}


def test_folder_and_outbound(client: RestProtocolClient) -> None:
    inbound = client.register_inbound(_doc(create_folder=True), idempotency_key="in")
    assert inbound.folder is not None and inbound.folder.code
    outbound = client.register_outbound(_doc("Richiesta integrazione"), idempotency_key="out",
                                        in_folder=inbound.folder)
    assert outbound.direction == Direction.OUTBOUND and outbound.folder == inbound.folder
    assert outbound.protocol_number == "0000002"
    client.add_to_folder(outbound.document_id, inbound.folder, idempotency_key="add")
    with pytest.raises(PermanentError):  # PermanentError: unknown folder
        client.add_to_folder(outbound.document_id, Folder(code="F000"), idempotency_key="add2")


def test_wrong_token_and_bad_document(protocol_sim: ProtocolSim, client: RestProtocolClient) -> None:
    intruder = RestProtocolClient.for_simulator(protocol_sim.url, token="nope")
    with pytest.raises(PermanentError) as err:
        intruder.register_inbound(_doc(), idempotency_key="k")
    assert err.value.status == 401
    with pytest.raises(ValidationError):
        client.register_inbound(_doc("  "), idempotency_key="k")


def test_callback_from_the_external_register_is_signed(webhook: WebhookReceiver) -> None:
    with start_protocol(callback_url=webhook.url, webhook_secret=SECRET) as sim:
        receipt = RestProtocolClient.for_simulator(sim.url).register_inbound(_doc(), idempotency_key="cb")
        [event] = webhook.wait_for(1)
    verify_signature(event.body, event.headers["X-Signature"], SECRET)
    assert b'"protocol.registered"' in event.body and receipt.protocol_number.encode() in event.body
    with pytest.raises(ValidationError):
        parse_receipt(event.body)  # not a payment receipt
