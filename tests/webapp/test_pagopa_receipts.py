"""Receipts as pagoPA sends them (SOAP paSendRTV2), reconciliation from the debt position, refused amounts,
notices cancelled when their application ends, the citizen's ricevuta di pagamento. All through the pagoPA
simulator over loopback HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

import connectors
from tests.conftest import SIMULATORS, WEBHOOK_SECRET, Api
from tests.webapp.helpers import MARIO, act, contributo_data, create, history, pay
from tests.webapp.tenants import make_tenant, service_copy, with_options
from webapp.extensions import db
from webapp.models import CALL_FAILED, OutboxMessage, Payment, ServiceCallRow
from webapp.services.jobs import reconcile_payments

TENANT = "ricevute"
RT_KEY = "station-key-for-tests"
EC = "00000000000"


@pytest.fixture
def paying(app: Flask, live_server: str, tmp_path) -> Api:
    at_request = with_options(service_copy(tmp_path, "contributo", 1), payment="request", payment_amount=1600)
    make_tenant(app, TENANT, [at_request])
    app.config["PAGOPA_RT_KEY"] = RT_KEY
    sim = SIMULATORS["pagopa"].app
    sim.receipt_url, sim.receipt_format, sim.rt_key = f"{live_server}/{TENANT}/webhooks/pagopa/paSendRT", \
        "pasendrt", RT_KEY
    yield Api(app, TENANT)
    app.config["PAGOPA_RT_KEY"] = ""


def _status(api: Api, app_id: str) -> int:
    return int(api.get(f"/applications/{app_id}", MARIO).get_json()["status"])


def _submitted(api: Api) -> tuple[str, dict]:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    return app_id, payment


def _receipt(payment: dict, *, amount: int = 1600, receipt_id: str = "RT-1") -> connectors.PaymentReceipt:
    return connectors.PaymentReceipt(
        receipt_id=receipt_id, notice_number=payment["notice_number"], iuv=payment["iuv"], ec_fiscal_code=EC,
        amount_cents=amount, outcome="OK", paid_at=datetime.now(UTC), fee_cents=150, psp_name="PSP di prova")


def _send_rt(app: Flask, receipt: connectors.PaymentReceipt, key: str = RT_KEY) -> tuple[int, tuple[str, str | None]]:
    body = connectors.payments.pa_send_rt_request(
        receipt, connectors.payments.Station(EC, EC, f"{EC}_01"), description="Diritti", company_name="Comune",
        debtor_fiscal_code=MARIO, debtor_name="Mario Rossi")
    response = app.test_client().post(f"/{TENANT}/webhooks/pagopa/paSendRT", data=body,
                                      headers={"Content-Type": "text/xml", connectors.payments.RT_KEY_HEADER: key})
    return response.status_code, connectors.payments.parse_pa_send_rt_response(response.data)


def _incidents(app: Flask) -> list[ServiceCallRow]:
    with app.app_context():
        return list(db.session.scalars(db.select(ServiceCallRow).where(ServiceCallRow.status == CALL_FAILED)))


def _received_mails(app: Flask) -> int:
    with app.app_context():
        return len([m for m in db.session.scalars(db.select(OutboxMessage)) if m.subject.endswith("domanda ricevuta")])


def test_pasendrt_receipt_sent_twice_is_applied_once(paying: Api, app: Flask) -> None:
    SIMULATORS["pagopa"].app.receipt_copies = 2
    try:
        app_id, payment = _submitted(paying)
        assert pay(paying, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303
    finally:
        SIMULATORS["pagopa"].app.receipt_copies = 1
    deliveries = SIMULATORS["pagopa"].app.deliveries
    assert [d["attempts"] for d in deliveries] == [[200], [200]]  # the same answer both times
    assert _status(paying, app_id) == 2000
    assert [s for s, _ in history(paying, app_id, MARIO)].count(1520) == 1
    assert _received_mails(app) == 1
    [paid] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert paid["status"] == "COMPLETE"
    with app.app_context():
        stored = db.session.scalar(db.select(Payment))
        assert stored.receipt["source"] == "paSendRT" and stored.receipt["fee"] == 150


def test_pasendrt_refuses_wrong_key_unknown_notice_and_bad_xml(paying: Api, app: Flask) -> None:
    SIMULATORS["pagopa"].app.receipt_url = None
    app_id, payment = _submitted(paying)
    assert _send_rt(app, _receipt(payment), key="wrong")[0] == 401
    never = connectors.payments.notice_number_from_sequence(1, 999_998)
    unknown = {**payment, "notice_number": never, "iuv": connectors.payments.iuv_of(never)}
    assert _send_rt(app, _receipt(unknown)) == (404, ("KO", "PAA_PAGAMENTO_SCONOSCIUTO"))
    bad = app.test_client().post(f"/{TENANT}/webhooks/pagopa/paSendRT", data=b"<!DOCTYPE x><x/>",
                                 headers={connectors.payments.RT_KEY_HEADER: RT_KEY})
    assert bad.status_code == 400 and b"PAA_SINTASSI_XSD" in bad.data
    assert _status(paying, app_id) == 1500


def test_amount_mismatch_is_refused_changes_nothing_and_is_one_incident(paying: Api, app: Flask) -> None:
    SIMULATORS["pagopa"].app.receipt_url = None
    app_id, payment = _submitted(paying)
    wrong = _receipt(payment, amount=100, receipt_id="RT-wrong")
    assert _send_rt(app, wrong) == (422, ("KO", "PAA_SEMANTICA"))
    assert _send_rt(app, wrong) == (422, ("KO", "PAA_SEMANTICA"))  # resent: still refused, still one incident
    body = json.dumps(connectors.payments.receipt_to_json(_receipt(payment, amount=99, receipt_id="W-2"))).encode()
    webhook = app.test_client().post(f"/{TENANT}/webhooks/pagopa", data=body, headers={
        connectors.SIGNATURE_HEADER: connectors.sign(body, WEBHOOK_SECRET), "Content-Type": "application/json"})
    assert webhook.status_code == 422  # our own webhook refuses it the same way
    assert _status(paying, app_id) == 1500
    with app.app_context():
        assert db.session.scalar(db.select(Payment.status)) == "PAYMENT_PENDING"
    incidents = paying.get(f"/applications/{app_id}", "op-ricevute").get_json()["incidents"]
    assert sorted(i["operation"] for i in incidents) == ["payment.receipt_refused"] * 2  # one per receipt
    # "Riprova" on such an incident means "seen": it closes, and the payment still waits
    retried = paying.post(f"/applications/{app_id}/incidents/{incidents[0]['id']}/retry", "op-ricevute")
    assert retried.status_code == 202
    assert len(paying.get(f"/applications/{app_id}", "op-ricevute").get_json()["incidents"]) == 1
    assert _send_rt(app, _receipt(payment, receipt_id="RT-right")) == (200, ("OK", None))
    assert _status(paying, app_id) == 2000


def test_paid_only_through_reconciliation_then_a_late_receipt_is_a_no_op(paying: Api, app: Flask) -> None:
    sim = SIMULATORS["pagopa"].app
    sim.receipt_url = None  # pagoPA never tells us: only reading the position shows the payment
    app_id, payment = _submitted(paying)
    assert pay(paying, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303
    assert _status(paying, app_id) == 1500  # the browser's return proves nothing
    with app.app_context():
        assert reconcile_payments() == {}  # too young to be read yet
        assert reconcile_payments(datetime.now(UTC) + timedelta(hours=1)) == {"paid": 1}
        assert reconcile_payments(datetime.now(UTC) + timedelta(hours=3)) == {}  # nothing waits any more
    assert _status(paying, app_id) == 2000
    assert _received_mails(app) == 1
    [receipt_id] = list(sim.receipts)
    code, answer = _send_rt(app, _receipt(payment, receipt_id=receipt_id))
    assert (code, answer) == (200, ("OK", None))  # the late receipt is acknowledged and changes nothing
    assert [s for s, _ in history(paying, app_id, MARIO)].count(1520) == 1
    assert _received_mails(app) == 1
    with app.app_context():
        assert db.session.scalar(db.select(Payment)).receipt["source"] == "reconciliation"


def test_reconciliation_of_a_position_invalidated_elsewhere_and_of_one_still_unpaid(paying: Api, app: Flask) -> None:
    sim = SIMULATORS["pagopa"].app
    sim.receipt_url = None
    app_id, payment = _submitted(paying)
    other_id, _other = _submitted(paying)
    with app.app_context():
        iupd = db.session.scalar(db.select(Payment.iupd).where(Payment.id == payment["id"]))
    sim.positions[(EC, iupd)]["status"] = "INVALID"  # the ente's intermediary annulled it outside the platform
    with app.app_context():
        assert reconcile_payments(datetime.now(UTC) + timedelta(hours=1)) == {"cancelled": 1, "waiting": 1}
        assert reconcile_payments(datetime.now(UTC) + timedelta(hours=1, minutes=5)) == {}  # read at most so often
    [cancelled] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert cancelled["status"] == "CANCELED"
    [incident] = paying.get(f"/applications/{app_id}", "op-ricevute").get_json()["incidents"]
    assert incident["operation"] == "payment.position_invalid"
    assert _status(paying, other_id) == 1500


def test_reconciliation_survives_pagopa_down(paying: Api, app: Flask) -> None:
    SIMULATORS["pagopa"].app.receipt_url = None
    _app_id, _payment = _submitted(paying)
    SIMULATORS["pagopa"].app.fail_next(10, status=503)
    try:
        with app.app_context():
            outcome = reconcile_payments(datetime.now(UTC) + timedelta(hours=1))
    finally:
        SIMULATORS["pagopa"].app.fail_next(0)
    assert outcome == {"unreachable": 1}
    with app.app_context():
        assert reconcile_payments(datetime.now(UTC) + timedelta(hours=1)) == {"waiting": 1}


def test_citizen_downloads_the_payment_receipt_owner_only(paying: Api, app: Flask) -> None:
    app_id, payment = _submitted(paying)
    assert paying.get(f"/payments/{payment['id']}/receipt.pdf", MARIO).status_code == 404  # not paid yet
    assert pay(paying, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303
    pdf = paying.get(f"/payments/{payment['id']}/receipt.pdf", MARIO)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "ricevuta-" in pdf.headers["Content-Disposition"]

    client = app.test_client()
    _login(client, MARIO)
    page = client.get(f"/{TENANT}/area-personale/pagamenti")
    assert f"/{TENANT}/area-personale/pagamenti/{payment['id']}/ricevuta.pdf".encode() in page.data
    own = client.get(f"/{TENANT}/area-personale/pagamenti/{payment['id']}/ricevuta.pdf")
    assert own.status_code == 200 and own.data.startswith(b"%PDF")

    stranger = app.test_client()  # another citizen of the same ente
    _login(stranger, GIUSEPPINA)
    assert stranger.get(f"/{TENANT}/area-personale/pagamenti/{payment['id']}/ricevuta.pdf").status_code == 404
    assert Api(app, "demo").get(f"/payments/{payment['id']}/receipt.pdf", GIUSEPPINA).status_code == 404  # other ente
    assert app.test_client().get(f"/{TENANT}/area-personale/pagamenti/{payment['id']}/ricevuta.pdf",
                                 follow_redirects=False).status_code in (302, 303)  # to the login
    assert app_id


GIUSEPPINA = "VRDGPP85M41F205X"


def _login(client, fiscal_code: str) -> None:
    from tests.citizen.helpers import csrf

    url = f"/{TENANT}/accedi/prova/spid"
    response = client.post(url, data={"csrf_token": csrf(client, url), "fiscal_code": fiscal_code})
    assert response.status_code in (302, 303), response.status_code


def test_unpaid_notice_is_invalidated_on_pagopa_when_its_application_ends(paying: Api, app: Flask) -> None:
    """Withdrawn, rejected or annulled with a notice due: the shipped processes never end so (withdrawal is
    refused with a payment, the office decides after the payment at request), so the rule is driven here as
    a process ending would: the status-change receiver at a final status, inside the unit of work. The
    path they do take, the notice's expiry, is the end-to-end test below."""
    from webapp.models import Application
    from webapp.services import applications
    from webapp.services.common import statuses
    from webapp.services.common.uow import unit_of_work

    SIMULATORS["pagopa"].app.receipt_url = None
    ended = []
    for final in (statuses.WITHDRAW, statuses.CANCELLED):
        app_id, payment = _submitted(paying)
        with app.app_context():
            with unit_of_work():
                row = db.session.get(Application, app_id)
                previous, row.status = row.status, final
                applications.on_application_status_changed(row, previous_status=previous, changes=[])
            stored = db.session.get(Payment, payment["id"])
            assert stored is not None and stored.status == "CANCELED"
            position, _option = SIMULATORS["pagopa"].app.find_option(EC, payment["notice_number"])
            ended.append(SIMULATORS["pagopa"].app.status_of(position))
    assert ended == ["INVALID", "INVALID"]  # no longer payable on pagoPA
    assert _incidents(app) == []
    closed = paying.post("/payments/checkout", MARIO, json={"payments": [payment["id"]]})
    assert closed.status_code == 409  # nor here


def _cart_on_pagopa(payment: dict) -> str:
    """A checkout opened on pagoPA itself (a bookmarked link, an app), not through the platform."""
    import urllib.request

    body = json.dumps({"paymentNotices": [{"noticeNumber": payment["notice_number"], "fiscalCode": EC,
                                           "amount": payment["amount"], "companyName": "Comune",
                                           "description": "Diritti"}],
                       "returnUrls": {"returnOkUrl": "http://127.0.0.1/ok", "returnCancelUrl": "http://127.0.0.1/ko",
                                      "returnErrorUrl": "http://127.0.0.1/err"}}).encode()
    request = urllib.request.Request(f"{SIMULATORS['pagopa'].url}/checkout/ec/v1/carts", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as page:  # follows the 302 to the cart's page
        assert "PAA_PAGAMENTO_ANNULLATO" in page.read().decode()  # the page already says it cannot be paid
        return str(page.geturl())


def test_a_notice_expired_unpaid_is_cancelled_on_pagopa_and_a_late_receipt_is_kept(paying: Api, app: Flask) -> None:
    """The real path to an application ending with its notice unpaid: the notice's expiry (the process's
    timer, fired by the sweep) stops the application at 1530 and invalidates the position on pagoPA through
    a worker-run call; nobody can pay it any more, and a receipt that still comes (a payment the PSP began
    before) is accepted once, kept, leaves the application where it is, and tells the office."""
    from tests.webapp.helpers import _open
    from webapp.services.jobs import sweep

    SIMULATORS["pagopa"].app.receipt_url = None
    app_id, payment = _submitted(paying)
    position, _option = SIMULATORS["pagopa"].app.find_option(EC, payment["notice_number"])
    assert SIMULATORS["pagopa"].app.status_of(position) == "VALID"
    with app.app_context():
        assert sweep(datetime.now(UTC) + timedelta(days=31)).timers_fired == 1
    assert _status(paying, app_id) == 1530
    [expired] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert expired["status"] == "EXPIRED"
    assert SIMULATORS["pagopa"].app.status_of(position) == "INVALID"  # on pagoPA too, before its own switch
    with app.app_context():
        [call] = db.session.scalars(db.select(ServiceCallRow).where(
            ServiceCallRow.operation == "payment.invalidate")).all()
        assert call.status == "done" and call.params["notice_number"] == payment["notice_number"]
    assert _incidents(app) == []

    # Nobody pays it: not through the platform, not with the printed notice, not on pagoPA directly.
    assert paying.post("/payments/checkout", MARIO, json={"payments": [payment["id"]]}).status_code == 409
    assert paying.get(f"/payments/{payment['id']}/notice.pdf", MARIO).status_code == 409
    cart = _cart_on_pagopa(payment)
    assert _open(f"{cart}/pay", {"card_number": connectors.simulators.SUCCESS_CARD, "expiry": "12/30",
                                 "cvv": "123", "email": "m@example.it"}) == 422
    assert SIMULATORS["pagopa"].app.status_of(position) == "INVALID"

    # A late receipt: accepted (pagoPA would resend it forever otherwise), kept as proof, told to the office once.
    late = _receipt(payment, receipt_id="RT-LATE")
    for _copy in range(2):
        code, (outcome, fault) = _send_rt(app, late)
        assert (code, outcome, fault) == (200, "OK", None)
    assert _status(paying, app_id) == 1530  # the ended application does not move
    [kept] = paying.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert kept["status"] == "COMPLETE"
    with app.app_context():
        assert db.session.get(Payment, payment["id"]).receipt_id == "RT-LATE"
    [incident] = _incidents(app)
    assert incident.operation == "payment.paid_after_end" and "rimborso" in incident.last_error
    assert [s for s, _ in history(paying, app_id, MARIO)][-1] == 1530
