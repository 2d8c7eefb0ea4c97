"""Payment at request and at release in the standard lifecycle, for every shipped service.

Driven like the web layer (dump + restore at every step, see Driver). Statuses: 1500 waiting for
the payment, 1520 paid, 1530 notice expired (shared/reference/opencity-model.md a.1, a.6).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_shipped_workflows import SERVICE_FOLDERS, Driver

from engine import MessageNotExpected, ServiceDefinition, WaitState, load_service, start_instance

REQUEST = {"payment_phase": "request", "payment_amount": 1600, "payment_expiry": "P30D"}
RELEASE = {"payment_phase": "release", "payment_amount": 0, "payment_expiry": "P30D"}
RECEIPT = {"receipt_id": "R-1", "iuv": "01000000000000042", "amount": 1600}
MANUAL = {"manual": True, "reason": "pagato allo sportello", "operator": "op-1"}


@pytest.fixture(scope="module", params=SERVICE_FOLDERS, ids=lambda p: p.name)
def service(request: pytest.FixtureRequest) -> ServiceDefinition:
    return load_service(request.param)


def _debt_position(d: Driver, bpmn_id: str, amount: int, phase: str) -> WaitState:
    """The service task creating the debt position, then the wait for the payment."""
    assert d.waiting_for() == {bpmn_id} and d.wait.status == 1500 and d.wait.messages == ()
    [call] = d.wait.service_calls
    assert (call.operation, call.params, call.result_variable) == (
        "payment.create_debt_position", {"amount": amount, "phase": phase}, "payment")
    before = datetime.now(UTC)
    wait = d.service(bpmn_id, {"notice_number": "301000000000000042", "iupd": "IUPD-1"})
    assert (wait.status, wait.entered, wait.messages) == (1500, (), ("payment_received",))
    assert wait.user_tasks == () and wait.service_calls == () and not wait.completed
    [timer] = wait.timers  # the notice's expiry, counted from the creation of the debt position
    assert timer.bpmn_id == bpmn_id.replace("st_", "tev_") + "_expiry"
    assert before + timedelta(days=30) - timedelta(seconds=1) <= timer.due_at <= datetime.now(UTC) + timedelta(days=30)
    return wait


def _review_from_receipt(d: Driver) -> None:
    """st_receipt (1900) -> [protocol] -> take charge -> waiting in ut_review (4000)."""
    assert d.waiting_for() == {"st_receipt"} and d.wait.status == 1900
    d.service("st_receipt", {"document_id": "D-1"})
    if d.protocol:
        d.service("st_protocol_register", {"number": "2024/123", "date": "2024-05-01"})
    d.user("ut_take_charge", {"action": "assign"})
    assert d.waiting_for() == {"ut_review"} and d.wait.status == 4000


def _accept_tail(d: Driver, partial: bool) -> list[int]:
    """From the end of the payment (or an accept without one) to the final status."""
    final = 7100 if partial else 7000
    if d.protocol:
        assert d.waiting_for() == {"st_protocol_outcome"} and d.wait.status == 6000
        outcome = "partially_approved" if partial else "approved"
        assert d.wait.service_calls[0].params == {"outcome": outcome}
        d.service("st_protocol_outcome", {"number": "2024/200"})
    assert d.wait.completed and d.wait.status == final
    return [*([6000] if d.protocol else []), final]


# --- payment at request -----------------------------------------------------------------------

@pytest.mark.parametrize("payload", [RECEIPT, MANUAL], ids=["receipt", "registra-pagamento"])
def test_payment_at_request_paid(service: ServiceDefinition, payload: dict[str, Any]) -> None:
    d = Driver(service, **REQUEST)
    wait = d.user("ut_compile", {"action": "submit"})
    assert wait.entered == (1500,)
    _debt_position(d, "st_payment", 1600, "request")
    wait = d.message("payment_received", payload)
    assert wait.entered == (1520, 1900) and wait.timers == ()  # the expiry timer is gone
    assert wait.messages == ("withdraw",)  # as today from st_receipt on (the web layer hides it when paid)
    with pytest.raises(MessageNotExpected):  # a duplicate receipt, or a late manual registration
        d._load().send_message("payment_received", payload)
    _review_from_receipt(d)
    d.user("ut_review", {"action": "accept", "partial": False})
    tail = _accept_tail(d, partial=False)
    prefix = [1000, 1500, 1520, 1900, 2000, *([3000] if d.protocol else []), 4000]
    assert d.history == [*prefix, *tail]
    assert d._load().data["payment_receipt"] == payload
    assert d._load().data["payment"] == {"notice_number": "301000000000000042", "iupd": "IUPD-1"}


def test_payment_at_request_expired(service: ServiceDefinition) -> None:
    d = Driver(service, **REQUEST)
    d.user("ut_compile", {"action": "submit"})
    [timer] = _debt_position(d, "st_payment", 1600, "request").timers
    wait = d.fire_timers(timer.due_at - timedelta(seconds=1))  # not due yet: nothing happens
    assert (wait.status, wait.entered, wait.messages, wait.completed) == (1500, (), ("payment_received",), False)
    assert wait.timers == (timer,)
    wait = d.fire_timers(timer.due_at + timedelta(seconds=1))
    assert wait.completed and (wait.status, wait.entered) == (1530, (1530,))
    assert (wait.user_tasks, wait.service_calls, wait.timers, wait.messages) == ((), (), (), ())
    assert d.history == [1000, 1500, 1530]
    with pytest.raises(MessageNotExpected):  # the receipt arrives after the expiry
        d._load().send_message("payment_received", RECEIPT)


def test_payment_at_request_not_expected_before_the_debt_position(service: ServiceDefinition) -> None:
    d = Driver(service, **REQUEST)
    d.user("ut_compile", {"action": "submit"})
    assert d.waiting_for() == {"st_payment"}
    with pytest.raises(MessageNotExpected):
        d._load().send_message("payment_received", MANUAL)
    with pytest.raises(MessageNotExpected):  # no withdrawal while a payment is pending
        d._load().send_message("withdraw")


def test_payment_expiry_comes_from_the_start_data(service: ServiceDefinition) -> None:
    d = Driver(service, **{**REQUEST, "payment_expiry": "PT2H"})
    d.user("ut_compile", {"action": "submit"})
    wait = d.service("st_payment", {"iupd": "IUPD-1"})
    [timer] = wait.timers
    assert timedelta(hours=1, minutes=59) < timer.due_at - datetime.now(UTC) <= timedelta(hours=2)


@pytest.mark.parametrize("start", [{}, {"payment_phase": "none"}, RELEASE], ids=["absent", "none", "release"])
def test_no_payment_at_request(service: ServiceDefinition, start: dict[str, Any]) -> None:
    d = Driver(service, **start)
    d.to_review()  # ut_compile -> st_receipt directly, as before payments existed
    assert d.history == d.prefix()


# --- payment at release -----------------------------------------------------------------------

@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("payload", [RECEIPT, MANUAL], ids=["receipt", "registra-pagamento"])
def test_payment_at_release_paid(service: ServiceDefinition, partial: bool, payload: dict[str, Any]) -> None:
    d = Driver(service, **RELEASE)
    d.to_review()
    wait = d.user("ut_review", {"action": "accept", "partial": partial, "deferred_amount": 2500})
    assert wait.entered == (1500,)
    _debt_position(d, "st_payment", 2500, "release")
    wait = d.message("payment_received", payload)
    assert wait.entered[0] == 1520 and wait.timers == ()
    with pytest.raises(MessageNotExpected):
        d._load().send_message("payment_received", payload)
    tail = _accept_tail(d, partial)
    assert d.history == [*d.prefix(), 1500, 1520, *tail]
    assert d._load().data["payment_receipt"] == payload


def test_payment_at_release_expired(service: ServiceDefinition) -> None:
    d = Driver(service, **RELEASE)
    d.to_review()
    d.user("ut_review", {"action": "accept", "partial": False, "deferred_amount": 2500})
    [timer] = _debt_position(d, "st_payment", 2500, "release").timers
    wait = d.fire_timers(timer.due_at + timedelta(minutes=1))
    assert wait.completed and (wait.status, wait.entered) == (1530, (1530,))
    assert (wait.user_tasks, wait.service_calls, wait.timers, wait.messages) == ((), (), (), ())
    assert d.history == [*d.prefix(), 1500, 1530]
    with pytest.raises(MessageNotExpected):
        d._load().send_message("payment_received", MANUAL)


@pytest.mark.parametrize("deferred", [{}, {"deferred_amount": 0}, {"deferred_amount": None}],
                         ids=["absent", "zero", "null"])
@pytest.mark.parametrize("start", [RELEASE, {}], ids=["release", "no-payment-keys"])
def test_accept_without_deferred_amount_is_todays_path(service: ServiceDefinition, deferred: dict[str, Any],
                                                       start: dict[str, Any]) -> None:
    d = Driver(service, **start)
    d.to_review()
    wait = d.user("ut_review", {"action": "accept", "partial": False, **deferred})
    assert 1500 not in wait.entered
    tail = _accept_tail(d, partial=False)
    assert d.history == [*d.prefix(), *tail] == [*d.prefix(), *([6000] if d.protocol else []), 7000]


def _back_from_integration_with_a_stale_amount(service: ServiceDefinition) -> tuple[Driver, str]:
    """Release payment: a deferred amount typed with an integration request, then the citizen's answer;
    returns the driver and the review task now waiting."""
    d = Driver(service, **RELEASE)
    d.to_review()
    d.user("ut_review", {"action": "request-integration", "deferred_amount": 999})
    if d.protocol:
        d.service("st_protocol_integration_request")
    d.user("ut_integration_answer", {"action": "submit"})
    if d.protocol:
        d.service("st_protocol_integration_answer")
    return d, "ut_review_after_integration" if d.protocol else "ut_review"


def test_payment_at_release_after_integration(service: ServiceDefinition) -> None:
    """A deferred amount typed with an earlier non-accept outcome does not leak into a later accept."""
    d, review = _back_from_integration_with_a_stale_amount(service)
    assert d.waiting_for() == {review}
    d.user(review, {"action": "accept", "partial": True, "deferred_amount": 4000})
    _debt_position(d, "st_payment", 4000, "release")
    d.message("payment_received", RECEIPT)
    tail = _accept_tail(d, partial=True)
    assert d.history[-len(tail) - 3:] == [4500 if d.protocol else 4000, 1500, 1520, *tail]


def test_stale_deferred_amount_is_reset_before_each_review(service: ServiceDefinition) -> None:
    d, review = _back_from_integration_with_a_stale_amount(service)
    wait = d.user(review, {"action": "accept", "partial": False})
    assert 1500 not in wait.entered
    tail = _accept_tail(d, partial=False)
    assert d.history[-len(tail) - 1:] == [4500 if d.protocol else 4000, *tail]


# --- the web layer's start data ---------------------------------------------------------------

def test_web_layer_start_options(service: ServiceDefinition) -> None:
    from webapp.services.applications import start_options
    from webapp.services.common.options import parse_options

    options = dict(service.manifest["options"])
    data = start_options(parse_options(options))
    expected = (options.get("payment", "none"), options.get("payment_amount", 0), options.get("payment_expiry", "P30D"))
    assert (data["payment_phase"], data["payment_amount"], data["payment_expiry"]) == expected
    assert data["protocol_required"] is bool(options["protocol_required"])
    data = start_options(parse_options({**options, "payment": "request", "payment_amount": 1600,
                                        "payment_expiry": "P10D"}))
    assert (data["payment_phase"], data["payment_amount"], data["payment_expiry"]) == ("request", 1600, "P10D")
    instance, wait = start_instance(service.process, data)
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "submit"})
    assert wait.status == 1500 and wait.service_calls[0].params == {"amount": 1600, "phase": "request"}
    wait = instance.complete_service_call(wait.service_calls[0].task_id, {"iupd": "IUPD-1"})
    assert wait is not None
    [timer] = wait.timers
    assert timedelta(days=9, hours=23) < timer.due_at - datetime.now(UTC) <= timedelta(days=10)
    assert start_options(parse_options({"payment": None}))["payment_phase"] == "none"
