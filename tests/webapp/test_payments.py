"""pagoPA payments end to end: the simulator's checkout, signed receipts to our webhook, the statuses."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

import connectors
from tests.conftest import SIMULATORS, WEBHOOK_SECRET, Api
from tests.webapp.helpers import MARIO, act, contributo_data, create, history, messages_after_submission, pay
from tests.webapp.tenants import make_tenant, service_copy, with_options
from webapp.extensions import db
from webapp.models import OutboxMessage, Payment
from webapp.services.jobs import sweep

TENANT = "pagamenti"


@pytest.fixture
def paying(app: Flask, live_server: str, tmp_path) -> Api:
    at_request = with_options(service_copy(tmp_path, "contributo", 1), payment="request", payment_amount=1600)
    make_tenant(app, TENANT, [at_request])
    SIMULATORS["pagopa"].app.receipt_url = f"{live_server}/{TENANT}/webhooks/pagopa"
    return Api(app, TENANT)


def _status(api: Api, app_id: str) -> int:
    return int(api.get(f"/applications/{app_id}", MARIO).get_json()["status"])


def _submitted_with_payment(api: Api) -> tuple[str, dict]:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    assert _status(api, app_id) == 1500
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    return app_id, payment


def test_payment_at_request_through_the_checkout(paying: Api, app: Flask) -> None:
    app_id, payment = _submitted_with_payment(paying)
    assert (payment["kind"], payment["phase"], payment["status"], payment["amount"]) == (
        "pagopa", "request", "PAYMENT_PENDING", 1600)
    assert connectors.payments.check_notice_number(payment["notice_number"])
    assert "withdraw" not in {link["action"] for link in paying.get(f"/applications/{app_id}", MARIO)
                              .get_json()["links"]}  # a payment blocks withdrawal
    pdf = paying.get(f"/payments/{payment['id']}/notice.pdf", MARIO)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    assert pay(paying, [payment["id"]], connectors.simulators.DECLINED_CARD) == 402
    assert _status(paying, app_id) == 1500  # a declined card changes nothing; the citizen may retry

    assert pay(paying, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303
    assert _status(paying, app_id) == 2000  # paid, sent, acquired: the receipt came to our webhook
    assert [s for s, _ in history(paying, app_id, MARIO)] == [1000, 1500, 1520, 1900, 2000]
    [paid] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert paid["status"] == "COMPLETE" and paid["paid_at"]
    assert sorted(_citizen_subjects(app)) == [  # the notice, then the sending: the steps between are silent
        "Richiesta di contributo economico: avviso di pagamento di € 16,00",
        "Richiesta di contributo economico: domanda ricevuta"]


def _citizen_subjects(app: Flask) -> list[str]:
    with app.app_context():
        return [m.subject for m in db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "mario.rossi@example.it"))]


def test_expired_notice(paying: Api, app: Flask) -> None:
    app_id, payment = _submitted_with_payment(paying)
    with app.app_context():
        assert sweep(datetime.now(UTC) + timedelta(days=31)).timers_fired == 1
    assert _status(paying, app_id) == 1530
    [expired] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert expired["status"] == "EXPIRED"
    assert paying.post("/payments/checkout", MARIO, json={"payments": [payment["id"]]}).status_code == 409


def test_payment_at_release(app: Flask, api: Api, live_server: str) -> None:
    SIMULATORS["pagopa"].app.receipt_url = f"{live_server}/demo/webhooks/pagopa"
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso", "payment": {"amount": 5000}})
    assert _status(api, app_id) == 1500
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert (payment["phase"], payment["amount"]) == ("release", 5000)
    assert pay(api, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303
    assert _status(api, app_id) == 7000
    assert [s for s, _ in history(api, app_id, MARIO)][-4:] == [4000, 1500, 1520, 7000]


def test_receipt_delivered_five_times_concurrently_is_applied_once(paying: Api, app: Flask) -> None:
    app_id, payment = _submitted_with_payment(paying)
    receipt = connectors.PaymentReceipt(
        receipt_id="R-5x", notice_number=payment["notice_number"], iuv=payment["iuv"],
        ec_fiscal_code="00000000000", amount_cents=1600, outcome="OK", paid_at=datetime.now(UTC))
    body = _receipt_body(receipt)
    headers = {connectors.SIGNATURE_HEADER: connectors.sign(body, WEBHOOK_SECRET),
               "Content-Type": "application/json"}
    outcomes: list[str] = []
    barrier = threading.Barrier(5)

    def deliver() -> None:
        client = app.test_client()
        barrier.wait()
        outcomes.append(client.post(f"/{TENANT}/webhooks/pagopa", data=body, headers=headers).get_json()["outcome"])

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["applied"] + ["duplicate"] * 4
    assert [s for s, _ in history(paying, app_id, MARIO)].count(1520) == 1
    assert [s for s in _citizen_subjects(app) if s.endswith("domanda ricevuta")] == [
        "Richiesta di contributo economico: domanda ricevuta"]  # one transition, one e-mail


def test_webhook_refuses_bad_signatures_and_unknown_notices(paying: Api, app: Flask) -> None:
    app_id, payment = _submitted_with_payment(paying)
    receipt = connectors.PaymentReceipt(
        receipt_id="R-bad", notice_number=payment["notice_number"], iuv=payment["iuv"],
        ec_fiscal_code="00000000000", amount_cents=1600, outcome="OK", paid_at=datetime.now(UTC))
    body = _receipt_body(receipt)
    client = app.test_client()
    forged = client.post(f"/{TENANT}/webhooks/pagopa", data=body,
                         headers={connectors.SIGNATURE_HEADER: connectors.sign(body, "wrong-secret")})
    assert forged.status_code == 401
    assert client.post(f"/{TENANT}/webhooks/pagopa", data=body).status_code == 401
    tampered = body.replace(b"1600", b"1")
    assert client.post(f"/{TENANT}/webhooks/pagopa", data=tampered,
                       headers={connectors.SIGNATURE_HEADER: connectors.sign(body, WEBHOOK_SECRET)}).status_code == 401
    never_issued = connectors.payments.notice_number_from_sequence(1, 999_999)
    unknown = _receipt_body(connectors.PaymentReceipt(
        receipt_id="R-unknown", notice_number=never_issued, iuv=connectors.payments.iuv_of(never_issued),
        ec_fiscal_code="00000000000", amount_cents=1600, outcome="OK", paid_at=datetime.now(UTC)))
    response = client.post(f"/{TENANT}/webhooks/pagopa", data=unknown,
                           headers={connectors.SIGNATURE_HEADER: connectors.sign(unknown, WEBHOOK_SECRET)})
    assert response.status_code == 404
    assert _status(paying, app_id) == 1500
    with app.app_context():
        assert db.session.scalar(db.select(Payment.status)) == "PAYMENT_PENDING"


def test_operator_registers_a_payment_made_elsewhere(paying: Api, app: Flask) -> None:
    app_id, _payment = _submitted_with_payment(paying)
    act(paying, app_id, "complete-payment", MARIO, {"message": "pagato"}, expect=403)  # not the citizen's to say
    refused = act(paying, app_id, "complete-payment", "op-pagamenti", {}, expect=400)
    assert refused.get_json()["errors"][0]["pointer"] == "/message"  # the reason is required
    act(paying, app_id, "complete-payment", "op-pagamenti", {"message": "Pagato allo sportello, quietanza 42"})
    assert _status(paying, app_id) == 2000
    [paid] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert paid["status"] == "COMPLETE"
    with app.app_context():
        payment = db.session.scalar(db.select(Payment))
        assert payment.registered_manually_reason == "Pagato allo sportello, quietanza 42"
    notes = [m["message"] for m in paying.get(f"/applications/{app_id}/messages", "op-pagamenti").get_json()]
    assert "Pagato allo sportello, quietanza 42" in notes  # kept as a private note by default
    assert not messages_after_submission(paying, app_id)
    act(paying, app_id, "complete-payment", "op-pagamenti", {"message": "ancora"}, expect=409)  # irreversible, once
    notice = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()[0]["notice_number"]
    closed = paying.post("/payments/checkout", MARIO, json={"payments": [_payment["id"]]})
    assert closed.status_code == 409  # not payable here any more
    _position, option = SIMULATORS["pagopa"].app.find_option("00000000000", notice)
    assert option["status"] == "PO_PAID"  # marked on pagoPA too: it cannot be paid twice


def test_closing_the_notice_on_pagopa_retries_then_becomes_an_incident(paying: Api, app: Flask) -> None:
    app_id, payment = _submitted_with_payment(paying)
    gpd = SIMULATORS["pagopa"].app
    gpd.fail_next(10, status=503)
    act(paying, app_id, "complete-payment", "op-pagamenti", {"message": "Pagato allo sportello"})
    gpd.fail_next(0)
    assert _status(paying, app_id) == 2000  # the payment is recorded here whatever pagoPA answers
    [incident] = paying.get(f"/applications/{app_id}", "op-pagamenti").get_json()["incidents"]
    assert incident["operation"] == "payment.mark_paid" and incident["attempts"] == 5
    _position, option = gpd.find_option("00000000000", payment["notice_number"])
    assert option["status"] == "PO_UNPAID"
    retried = paying.post(f"/applications/{app_id}/incidents/{incident['id']}/retry", "op-pagamenti")
    assert retried.status_code == 202, retried.get_json()
    assert paying.get(f"/applications/{app_id}", "op-pagamenti").get_json()["incidents"] == []
    _position, option = gpd.find_option("00000000000", payment["notice_number"])
    assert option["status"] == "PO_PAID"
    assert _status(paying, app_id) == 2000  # a detached call resumes nothing


def _receipt_body(receipt: connectors.PaymentReceipt) -> bytes:
    import json

    from connectors.payments import receipt_to_json

    return json.dumps(receipt_to_json(receipt)).encode()


def test_app_io_messages_with_the_pay_button(app: Flask, live_server: str, tmp_path) -> None:
    folder = with_options(service_copy(tmp_path, "contributo", 1), payment="request", payment_amount=1600,
                          io_enabled=True)
    make_tenant(app, "io", [folder])
    api = Api(app, "io")
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    appio = SIMULATORS["appio"].app
    messages = list(appio.messages.values())
    assert messages and {m["fiscal_code"] for m in messages} == {MARIO}
    with_payment = [m for m in messages if m["content"].get("payment_data")]
    assert len(with_payment) == 1
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert with_payment[0]["content"]["payment_data"]["notice_number"] == payment["notice_number"]
    appio.set_profile(GIUSEPPINA_CF, "none")  # a citizen without the app: skipped, not an error
    with app.app_context():
        assert db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.status == "failed")) is None


GIUSEPPINA_CF = "VRDGPP85M41F205X"


def test_demo_cdu_service_asks_for_its_fee_before_sending(api: Api) -> None:
    data = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
            "email": "mario.rossi@example.it", "foglio": "12", "particelle": "101, 102", "uso": "compravendita"}
    app_id = create(api, "cdu", data)["id"]
    act(api, app_id, "submit", MARIO)
    assert _status(api, app_id) == 1500
    [fee] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert (fee["amount"], fee["phase"]) == (5000, "request")
    assert connectors.payments.check_notice_number(fee["notice_number"])


def test_five_notices_paid_together_with_one_commission(paying: Api, app: Flask) -> None:
    submitted = [_submitted_with_payment(paying) for _ in range(6)]
    ids = [payment["id"] for _, payment in submitted]
    too_many = paying.post("/payments/checkout", MARIO, json={"payments": ids})
    assert too_many.status_code == 400  # at most five notices in one checkout
    assert pay(paying, ids[:5], connectors.simulators.SUCCESS_CARD) == 303
    assert [_status(paying, app_id) for app_id, _ in submitted] == [2000] * 5 + [1500]
    receipts = [p for p in SIMULATORS["pagopa"].app.deliveries]
    assert len(receipts) == 5
    with app.app_context():
        fees = [p.receipt["fee"] for p in db.session.scalars(db.select(Payment)) if p.receipt]
    assert sorted(fees) == [0, 0, 0, 0, 150]  # one commission for the whole cart
