"""pagoPA client against the simulator over real HTTP: positions, checkout, receipts, expiry."""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from connectors import (
    ConflictError,
    PermanentError,
    PositionStatus,
    ReturnUrls,
    TransientError,
    ValidationError,
    verify_signature,
)
from connectors.payments import parse_receipt
from connectors.payments.contrib.pagopa import PagoPAClient
from connectors.simulators import DECLINED_CARD, SUCCESS_CARD, PagoPASimulator, RunningSimulator
from tests.connectors.conftest import WebhookReceiver
from tests.connectors.helpers import EC, SECRET, cart_notice, make_position

URLS = ReturnUrls("https://comune.example/pay/ok", "https://comune.example/pay/cancel",
                  "https://comune.example/pay/error")

PagoPASim = RunningSimulator[PagoPASimulator]


def _open(url: str, form: dict[str, str] | None = None) -> tuple[int, str, str | None]:
    """GET (or POST a form) without following redirects: (status, html, Location)."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=5) as resp:
            return resp.status, resp.read().decode(), resp.headers.get("Location")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode(), exc.headers.get("Location")


def _pay(url: str, card: str) -> tuple[int, str, str | None]:
    return _open(f"{url}/pay", {"card_number": card, "expiry": "12/30", "cvv": "123", "email": "x@example.it"})


def test_create_get_and_notice(pagopa: PagoPAClient) -> None:
    position = make_position("app-1")
    state = pagopa.create_debt_position(position, idempotency_key="call-1")
    assert state.status == PositionStatus.VALID
    assert state.iupd == position.iupd
    assert state.notice_numbers == ("3" + position.options[0].iuv,)
    again = pagopa.get_debt_position(position.iupd)
    assert again.options[0].amount_cents == 1600 and again.options[0].status == "PO_UNPAID"


def test_create_is_idempotent_on_retry(pagopa: PagoPAClient, pagopa_sim: PagoPASim) -> None:
    position = make_position("app-retry")
    first = pagopa.create_debt_position(position, idempotency_key="call-r")
    second = pagopa.create_debt_position(position, idempotency_key="call-r")  # 409 read back
    assert first == second
    assert pagopa_sim.app.stats()["positions"] == 1


def test_same_iupd_with_other_iuv_is_a_conflict(pagopa: PagoPAClient) -> None:
    pagopa.create_debt_position(make_position("app-c"), idempotency_key="k1")
    with pytest.raises(ConflictError):
        pagopa.create_debt_position(make_position("app-c"), idempotency_key="k2")


def test_local_validation_before_the_call(pagopa: PagoPAClient, pagopa_sim: PagoPASim) -> None:
    good = make_position("app-v")
    bad = dataclasses.replace(good, options=(dataclasses.replace(good.options[0], amount_cents=1700),))
    with pytest.raises(ValidationError, match="add up"):
        pagopa.create_debt_position(bad, idempotency_key="k")
    assert pagopa_sim.app.calls == 0


def test_transient_and_auth_errors(pagopa: PagoPAClient, pagopa_sim: PagoPASim) -> None:
    pagopa_sim.app.fail_next(1, status=503)
    with pytest.raises(TransientError) as err:
        pagopa.create_debt_position(make_position("app-t"), idempotency_key="k")
    assert err.value.status == 503
    assert pagopa.create_debt_position(make_position("app-t"), idempotency_key="k").status == "VALID"
    wrong_key = PagoPAClient.for_simulator(pagopa_sim.url, ec_fiscal_code=EC, subscription_key="nope")
    with pytest.raises(PermanentError) as denied:
        wrong_key.get_debt_position("whatever")
    assert denied.value.status == 401 and not isinstance(denied.value, TransientError)


def test_invalidate(pagopa: PagoPAClient) -> None:
    position = make_position("app-i")
    pagopa.create_debt_position(position, idempotency_key="k")
    assert pagopa.invalidate_debt_position(position.iupd, idempotency_key="i").status == "INVALID"
    assert pagopa.invalidate_debt_position(position.iupd, idempotency_key="i").status == "INVALID"


def test_checkout_success_posts_a_signed_receipt(pagopa: PagoPAClient, webhook: WebhookReceiver) -> None:
    position = make_position("app-pay")
    notice = pagopa.create_debt_position(position, idempotency_key="k").notice_numbers[0]
    session = pagopa.create_checkout([cart_notice(notice)], URLS, idempotency_key="cart-1")
    status, page, _ = _open(session.url)
    assert status == 200
    assert "Paga con pagoPA" in page and notice[:4] + " " + notice[4:8] in page and "€ 16,00" in page
    status, _, location = _pay(session.url, SUCCESS_CARD)
    assert status == 303 and location == URLS.ok
    [delivery] = webhook.wait_for(1)
    verify_signature(delivery.body, delivery.headers["X-Signature"], SECRET)
    receipt = parse_receipt(delivery.body)
    assert (receipt.notice_number, receipt.ec_fiscal_code, receipt.amount_cents, receipt.outcome) == (
        notice, EC, 1600, "OK")
    assert receipt.iupd == position.iupd
    state = pagopa.get_debt_position(position.iupd)
    assert state.status == "PAID" and state.payment_date is not None
    assert _pay(session.url, SUCCESS_CARD)[0] == 409  # the cart is closed; no second receipt
    assert len(webhook.received) == 1


def test_declined_card_posts_nothing(pagopa: PagoPAClient, webhook: WebhookReceiver) -> None:
    position = make_position("app-declined")
    notice = pagopa.create_debt_position(position, idempotency_key="k").notice_numbers[0]
    session = pagopa.create_checkout([cart_notice(notice)], URLS, idempotency_key="cart-d")
    status, page, _ = _pay(session.url, DECLINED_CARD)
    assert status == 402 and "Pagamento rifiutato" in page
    assert webhook.wait_for(1, timeout=0.3) == []
    assert pagopa.get_debt_position(position.iupd).status == "VALID"


def test_five_notices_one_commission(pagopa: PagoPAClient, pagopa_sim: PagoPASim,
                                     webhook: WebhookReceiver) -> None:
    positions = [make_position(f"app-5-{i}", amount=1000 + i) for i in range(5)]
    notices = [pagopa.create_debt_position(p, idempotency_key=p.iupd).notice_numbers[0] for p in positions]
    session = pagopa.create_checkout([cart_notice(n, 1000 + i) for i, n in enumerate(notices)], URLS,
                                     idempotency_key="cart-5")
    page = _open(session.url)[1]
    assert page.count("Commissione") == 1 and "€ 1,50" in page
    assert "Totale</td><td>€ 51,60" in page  # 50,10 of notices + one 1,50 commission
    assert _pay(session.url, SUCCESS_CARD)[0] == 303
    receipts = [parse_receipt(r.body) for r in webhook.wait_for(5)]
    assert sorted(r.notice_number for r in receipts) == sorted(notices)
    assert sum(r.fee_cents for r in receipts) == 150
    assert len({r.transaction_id for r in receipts}) == 1
    assert all(pagopa.get_debt_position(p.iupd).status == "PAID" for p in positions)


def test_a_sixth_notice_is_refused(pagopa: PagoPAClient, pagopa_sim: PagoPASim) -> None:
    positions = [make_position(f"app-6-{i}") for i in range(6)]
    notices = [pagopa.create_debt_position(p, idempotency_key=p.iupd).notice_numbers[0] for p in positions]
    with pytest.raises(ValidationError, match=r"1\.\.5"):
        pagopa.create_checkout([cart_notice(n) for n in notices], URLS, idempotency_key="cart-6")
    body = {"paymentNotices": [{"noticeNumber": n, "fiscalCode": EC, "amount": 1600, "companyName": "C",
                                "description": "D"} for n in notices],
            "returnUrls": {"returnOkUrl": URLS.ok, "returnCancelUrl": URLS.cancel, "returnErrorUrl": URLS.error}}
    req = urllib.request.Request(f"{pagopa_sim.url}/checkout/ec/v1/carts", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", "Ocp-Apim-Subscription-Key": "gpd-key"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    with err.value:
        assert err.value.code == 400 and "1..5" in json.loads(err.value.read())["detail"]


def test_expired_position_cannot_be_paid(pagopa: PagoPAClient, pagopa_sim: PagoPASim,
                                         webhook: WebhookReceiver) -> None:
    position = make_position("app-exp", due_in=timedelta(days=1))
    notice = pagopa.create_debt_position(position, idempotency_key="k").notice_numbers[0]
    session = pagopa.create_checkout([cart_notice(notice)], URLS, idempotency_key="cart-e")
    pagopa_sim.app.advance_clock(timedelta(days=2))
    assert pagopa.get_debt_position(position.iupd).status == PositionStatus.EXPIRED
    assert "PAA_PAGAMENTO_SCADUTO" in _open(session.url)[1]
    assert _pay(session.url, SUCCESS_CARD)[0] == 422
    assert webhook.wait_for(1, timeout=0.3) == []


def test_past_due_date_refused_on_create(pagopa: PagoPAClient) -> None:
    with pytest.raises(ValidationError):
        pagopa.create_debt_position(make_position("app-past", due_in=timedelta(days=-1)), idempotency_key="k")


def test_duplicate_and_delayed_receipts(pagopa: PagoPAClient, pagopa_sim: PagoPASim,
                                        webhook: WebhookReceiver) -> None:
    pagopa_sim.app.receipt_copies = 2
    position = make_position("app-dup")
    notice = pagopa.create_debt_position(position, idempotency_key="k").notice_numbers[0]
    session = pagopa.create_checkout([cart_notice(notice)], URLS, idempotency_key="cart-x")
    _pay(session.url, SUCCESS_CARD)
    first, second = webhook.wait_for(2)
    assert parse_receipt(first.body).receipt_id == parse_receipt(second.body).receipt_id


def test_cancel_and_mark_paid(pagopa: PagoPAClient) -> None:
    position = make_position("app-cancel")
    notice = pagopa.create_debt_position(position, idempotency_key="k").notice_numbers[0]
    session = pagopa.create_checkout([cart_notice(notice)], URLS, idempotency_key="cart-c")
    assert _open(f"{session.url}/cancel", {})[2] == URLS.cancel
    pagopa.mark_paid(notice, datetime.now(UTC), idempotency_key="paid-1")
    assert pagopa.get_debt_position(position.iupd).status == "PAID"


def test_unreachable_gateway_is_transient() -> None:
    from tests.connectors.helpers import free_port

    client = PagoPAClient.for_simulator(f"http://127.0.0.1:{free_port()}", ec_fiscal_code=EC)
    with pytest.raises(TransientError):
        client.get_debt_position("x")


def test_receipt_can_arrive_after_the_browser(pagopa: PagoPAClient, pagopa_sim: PagoPASim,
                                              webhook: WebhookReceiver) -> None:
    pagopa_sim.app.receipt_delay = 0.3
    position = make_position("app-late")
    notice = pagopa.create_debt_position(position, idempotency_key="k").notice_numbers[0]
    session = pagopa.create_checkout([cart_notice(notice)], URLS, idempotency_key="cart-l")
    assert _pay(session.url, SUCCESS_CARD)[2] == URLS.ok
    assert webhook.received == []  # the browser is back, the receipt is not: show "verifying payment"
    [late] = webhook.wait_for(1)
    receipt = parse_receipt(late.body)
    from tests.connectors.helpers import post_json

    post_json(f"{pagopa_sim.url}/_control/receipts/{receipt.receipt_id}/resend", {})
    assert [parse_receipt(r.body).receipt_id for r in webhook.wait_for(2)] == [receipt.receipt_id] * 2
