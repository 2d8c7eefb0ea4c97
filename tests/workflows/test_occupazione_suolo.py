"""Occupazione temporanea di suolo pubblico (svc_occupazione_suolo), driven at engine level.

Parallel opinions through an inclusive gateway (the Polizia Locale only for large, long or
on-carriageway occupations), non-interrupting reminders to the offices, the fee paid at release
through the shared payment fragment, protocol through the protocol fragment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_shipped_workflows import WORKFLOWS, Driver

from engine import MessageNotExpected, ServiceDefinition, TaskNotReady, load_service

RICHIEDENTE = {"codice_fiscale": "RSSMRA80A01H501U", "nome": "Mario", "cognome": "Rossi",
               "email": "mario.rossi@example.it", "autenticazione": "spid"}
RECEIPT = {"receipt_id": "R-1", "iuv": "01000000000000042", "amount": 10000}


def domanda(**overrides: Any) -> dict[str, Any]:
    data = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": "RSSMRA80A01H501U",
            "email": "mario.rossi@example.it", "indirizzo": "Via Roma 1", "superficie_mq": 20,
            "data_inizio": "2026-06-01", "data_fine": "2026-06-10", "finalita": "trasloco",
            "su_carreggiata": False}
    return {**data, **overrides}


SMALL = domanda()  # 20 m², 10 days: only the technical opinion
LARGE = domanda(superficie_mq=60)


@pytest.fixture(scope="module")
def service() -> ServiceDefinition:
    return load_service(WORKFLOWS / "occupazione-suolo")


def _driver(service: ServiceDefinition, **start: Any) -> Driver:
    return Driver(service, **{"richiedente": RICHIEDENTE, "payment_expiry": "P30D", **start})


def _to_opinions(d: Driver, data: dict[str, Any]) -> None:
    """Submission, receipt, protocol, taking in charge: waiting for the opinions (4600)."""
    [task] = d.wait.user_tasks
    assert (task.bpmn_id, task.form, task.candidate, task.actions, task.status) == (
        "ut_compile", "domanda", "cittadino", ("submit",), 1000)
    wait = d.user("ut_compile", {"action": "submit"}, data)
    assert wait.entered == (1900,) and wait.messages == ("withdraw",)
    assert [(c.bpmn_id, c.operation, c.params) for c in wait.service_calls] == [
        ("st_receipt", "documents.generate_receipt", {"kind": "application"})]
    wait = d.service("st_receipt", {"document_id": "D-1"})
    assert wait.entered == (2000,) and wait.service_calls[0].operation == "protocol.register_application"
    wait = d.service("st_protocol_register", {"number": "2026/10", "date": "2026-05-01"})
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.candidate, task.actions, wait.status) == (
        "ut_take_charge", "presa_in_carico", "ufficio:urp", ("assign",), 3000)
    assert wait.messages == ("withdraw",)
    wait = d.user("ut_take_charge", {"action": "assign"}, {"note": "ok"})
    assert wait.status == 4600 and wait.messages == ()


def _opinions(d: Driver) -> dict[str, Any]:
    return {t.bpmn_id: t for t in d.wait.user_tasks}


@pytest.mark.parametrize(("data", "police", "days", "fee"), [
    (SMALL, False, 10, 20 * 10 * 50),
    (LARGE, True, 10, 60 * 10 * 50),
    (domanda(data_inizio="2026-02-20", data_fine="2026-03-31"), True, 40, 20 * 40 * 50),  # over 30 days
    (domanda(su_carreggiata=True), True, 10, 20 * 10 * 50),
    (domanda(data_inizio="2028-02-28", data_fine="2028-03-01", superficie_mq=12.5), False, 3, 1875),  # leap year
], ids=["small", "large", "long", "carriageway", "leap-year"])
def test_opinions_needed_and_fee(service: ServiceDefinition, data: dict[str, Any], police: bool, days: int,
                                 fee: int) -> None:
    d = _driver(service)
    _to_opinions(d, data)
    tasks = _opinions(d)
    expected = {"ut_opinion_technical", *(["ut_opinion_police"] if police else [])}
    assert set(tasks) == expected
    technical = tasks["ut_opinion_technical"]
    assert (technical.form, technical.variable, technical.candidate, technical.actions, technical.status) == (
        "parere", "parere_tecnico", "ufficio:tecnico", ("favorevole", "contrario"), 4600)
    if police:
        assert (tasks["ut_opinion_police"].variable, tasks["ut_opinion_police"].candidate) == (
            "parere_polizia", "ufficio:polizia-locale")
    assert {t.bpmn_id for t in d.wait.timers} == {t.replace("ut_opinion", "tev_reminder") for t in expected}
    d.user("ut_opinion_technical", {"action": "favorevole"}, {"motivazione": "nulla osta"})
    if police:
        assert {t.bpmn_id for t in d.wait.user_tasks} == {"ut_opinion_police"} and d.wait.status == 4600
        d.user("ut_opinion_police", {"action": "favorevole"}, {"prescrizioni": "transenne"})
    [review] = d.wait.user_tasks
    assert (review.bpmn_id, review.form, review.candidate, review.actions, d.wait.status) == (
        "ut_review", "esito", "ufficio:urp", ("accept", "reject"), 4000)
    assert d.wait.timers == ()  # the reminders went with their tasks
    wait = d.user("ut_review", {"action": "accept", "partial": False})
    assert wait.entered == (1500,)
    [call] = wait.service_calls
    assert (call.bpmn_id, call.operation, call.params) == (
        "st_payment", "payment.create_debt_position", {"amount": fee, "phase": "release"})
    assert [(n.template, n.to) for n in wait.notifications] == [("canone_da_pagare", "cittadino")]
    d.service("st_payment", {"iupd": "IUPD-1"})
    d.message("payment_received", RECEIPT)
    assert d.wait.status == 6000 and d.wait.service_calls[0].params == {"outcome": "approved"}
    d.service("st_protocol_outcome", {"number": "2026/11"})
    assert d.wait.completed and d.wait.status == 7000
    assert d.history == [1000, 1900, 2000, 3000, 4600, 4000, 1500, 1520, 6000, 7000]
    assert d.notified == [("canone_da_pagare", "cittadino"), ("autorizzazione_rilasciata", "cittadino")]
    final = d._load().data  # the workflow's data, filled at completion
    assert final["durata_giorni"] == days and final["canone"] == fee
    assert final["parere_tecnico"] == {"motivazione": "nulla osta"}
    assert final["esito_parere_tecnico"] == "favorevole"
    assert ("parere_polizia" in final) is police
    assert final["payment"] == {"iupd": "IUPD-1"} and final["payment_receipt"] == RECEIPT


def test_parallel_opinions_in_either_order_and_a_contrary_one(service: ServiceDefinition) -> None:
    d = _driver(service)
    _to_opinions(d, LARGE)
    d.user("ut_opinion_police", {"action": "contrario"}, {"motivazione": "incrocio pericoloso"})
    assert {t.bpmn_id for t in d.wait.user_tasks} == {"ut_opinion_technical"}
    assert [t.bpmn_id for t in d.wait.timers] == ["tev_reminder_technical"]
    d.user("ut_opinion_technical", {"action": "favorevole"}, {})
    assert {t.bpmn_id for t in d.wait.user_tasks} == {"ut_review"}
    wait = d.user("ut_review", {"action": "reject", "message": "Parere contrario della Polizia Locale"})
    assert wait.entered == (8000,) and wait.service_calls[0].params == {"outcome": "rejected"}
    wait = d.service("st_protocol_outcome_reject", {"number": "2026/12"})
    assert wait.completed and wait.status == 9000
    assert [(n.template, n.to) for n in wait.notifications] == [("domanda_respinta", "cittadino")]
    final = d._load().data
    assert (final["esito_parere_polizia"], final["esito_parere_tecnico"]) == ("contrario", "favorevole")
    assert final["pareri_favorevoli"] is False and final["parere_polizia_richiesto"] is True
    assert final["parere_polizia"] == {"motivazione": "incrocio pericoloso"}


def test_reminders_to_each_office_once(service: ServiceDefinition) -> None:
    d = _driver(service)
    _to_opinions(d, LARGE)
    timers = {t.bpmn_id: t for t in d.wait.timers}
    due = timers["tev_reminder_technical"].due_at
    assert timedelta(days=4, hours=23) < due - datetime.now(UTC) <= timedelta(days=5)
    wait = d.fire_timers(due - timedelta(minutes=1))
    assert wait.notifications == () and len(wait.timers) == 2
    wait = d.fire_timers(due + timedelta(minutes=1))
    assert sorted((n.template, n.to) for n in wait.notifications) == [
        ("sollecito_parere", "ufficio:polizia-locale"), ("sollecito_parere", "ufficio:tecnico")]
    assert wait.status == 4600 and wait.entered == () and wait.timers == ()
    assert {t.bpmn_id for t in wait.user_tasks} == {"ut_opinion_technical", "ut_opinion_police"}
    wait = d.fire_timers(due + timedelta(days=30))  # a reminder is sent once
    assert wait.notifications == ()
    d.user("ut_opinion_technical", {"action": "favorevole"}, {})
    d.user("ut_opinion_police", {"action": "favorevole"}, {})
    assert {t.bpmn_id for t in d.wait.user_tasks} == {"ut_review"}
    assert sorted(d.notified) == [("sollecito_parere", "ufficio:polizia-locale"),
                                  ("sollecito_parere", "ufficio:tecnico")]


def test_reminder_only_for_the_pending_opinion(service: ServiceDefinition) -> None:
    d = _driver(service)
    _to_opinions(d, LARGE)
    d.user("ut_opinion_technical", {"action": "favorevole"}, {})
    [timer] = d.wait.timers
    wait = d.fire_timers(timer.due_at + timedelta(seconds=1))
    assert [(n.template, n.to) for n in wait.notifications] == [("sollecito_parere", "ufficio:polizia-locale")]


def test_fee_not_paid_in_time(service: ServiceDefinition) -> None:
    d = _driver(service, payment_expiry="P10D")
    _to_opinions(d, SMALL)
    d.user("ut_opinion_technical", {"action": "favorevole"}, {})
    d.user("ut_review", {"action": "accept"})
    wait = d.service("st_payment", {"iupd": "IUPD-1"})
    assert wait.messages == ("payment_received",) and wait.status == 1500
    [timer] = wait.timers
    assert timer.bpmn_id == "tev_payment_expiry"
    assert timedelta(days=9, hours=23) < timer.due_at - datetime.now(UTC) <= timedelta(days=10)
    wait = d.fire_timers(timer.due_at + timedelta(minutes=1))
    assert wait.completed and (wait.status, wait.entered) == (1530, (1530,))
    assert [(n.template, n.to) for n in wait.notifications] == [("pagamento_scaduto", "cittadino")]
    assert (wait.user_tasks, wait.service_calls, wait.timers, wait.messages) == ((), (), (), ())
    assert d.history[-2:] == [1500, 1530]
    with pytest.raises(MessageNotExpected):
        d._load().send_message("payment_received", RECEIPT)


def test_without_protocol(service: ServiceDefinition) -> None:
    d = _driver(service, protocol_required=False)
    d.user("ut_compile", {"action": "submit"}, SMALL)
    d.service("st_receipt")
    assert d.waiting_for() == {"ut_take_charge"} and d.wait.status == 2000
    d.user("ut_take_charge", {"action": "assign"})
    d.user("ut_opinion_technical", {"action": "contrario"}, {})
    d.user("ut_review", {"action": "reject", "message": "no"})
    assert d.wait.completed and d.wait.status == 9000
    assert d.history == [1000, 1900, 2000, 4600, 4000, 9000]
    assert d.notified == [("domanda_respinta", "cittadino")]


@pytest.mark.parametrize("point", ["st_receipt", "ut_take_charge"])
def test_withdraw(service: ServiceDefinition, point: str) -> None:
    d = _driver(service)
    d.user("ut_compile", {"action": "submit"}, SMALL)
    if point == "ut_take_charge":
        d.service("st_receipt")
        d.service("st_protocol_register")
    assert point in d.waiting_for() and d.wait.messages == ("withdraw",)
    before = d.wait
    wait = d.message("withdraw", {"reason": "non serve più"})
    if point == "ut_take_charge":  # registered: the withdrawal is registered too before the application ends
        assert not wait.completed and (wait.status, wait.entered) == (3000, ())
        assert [c.operation for c in wait.service_calls] == ["protocol.register_withdrawal"]
        assert wait.messages == () and wait.user_tasks == ()
        wait = d.service("st_protocol_withdrawal")
    assert wait.completed and (wait.status, wait.entered) == (20000, (20000,))
    for call in before.service_calls:
        assert d._load().complete_service_call(call.task_id, {"ok": True}) is None
    for task in before.user_tasks:
        with pytest.raises(TaskNotReady):
            d._load().complete_user_task(task.task_id, {"action": "assign"})


def test_withdraw_without_protocol_ends_at_once(service: ServiceDefinition) -> None:
    d = _driver(service, protocol_required=False)
    d.user("ut_compile", {"action": "submit"}, SMALL)
    d.service("st_receipt")
    assert d.waiting_for() == {"ut_take_charge"}
    wait = d.message("withdraw", {"reason": "non serve più"})
    assert wait.completed and (wait.status, wait.entered) == (20000, (20000,)) and wait.service_calls == ()


def test_no_withdrawal_once_the_opinions_are_asked(service: ServiceDefinition) -> None:
    d = _driver(service)
    _to_opinions(d, SMALL)
    with pytest.raises(MessageNotExpected):
        d._load().send_message("withdraw")


def test_opinion_actions_are_its_own(service: ServiceDefinition) -> None:
    from engine import EngineError

    d = _driver(service)
    _to_opinions(d, SMALL)
    [task] = d.wait.user_tasks
    with pytest.raises(EngineError):
        d._load().complete_user_task(task.task_id, {"action": "accept"}, {})
