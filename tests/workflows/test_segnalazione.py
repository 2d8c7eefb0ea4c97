"""Segnalazione di disservizio (svc_segnalazione), driven at engine level: routing by category to the
competent office, the citizen notified at take-in-charge and at closure, the 3-day SLA escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_shipped_workflows import WORKFLOWS, Driver

from engine import MessageNotExpected, ServiceDefinition, TaskNotReady, load_service

RICHIEDENTE = {"codice_fiscale": "RSSMRA80A01H501U", "nome": "Mario", "cognome": "Rossi",
               "email": "mario.rossi@example.it", "autenticazione": "spid"}


def report(categoria: str, **overrides: Any) -> dict[str, Any]:
    return {"privacy": True, "categoria": categoria, "descrizione": "Lampione spento da una settimana",
            "luogo": "Via Roma 12", "anonima": False, **overrides}


@pytest.fixture(scope="module")
def service() -> ServiceDefinition:
    return load_service(WORKFLOWS / "segnalazione")


def _to_take_charge(d: Driver, data: dict[str, Any]) -> str:
    [task] = d.wait.user_tasks
    assert (task.bpmn_id, task.form, task.candidate, task.actions) == ("ut_compile", "domanda", "cittadino",
                                                                      ("submit",))
    wait = d.user("ut_compile", {"action": "submit"}, data)
    assert wait.entered == (1900,) and d.waiting_for() == {"st_receipt"}
    wait = d.service("st_receipt", {"document_id": "D-1"})
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.actions, wait.status) == ("ut_take_charge", "presa_in_carico",
                                                                    ("assign",), 2000)
    assert wait.notifications == () and wait.messages == ("withdraw",)
    assert task.candidate is not None
    return task.candidate


@pytest.mark.parametrize(("categoria", "office"), [
    ("buca_stradale", "ufficio:manutenzioni"),
    ("illuminazione", "ufficio:manutenzioni"),
    ("rifiuti", "ufficio:manutenzioni"),
    ("sosta_vietata", "ufficio:polizia-locale"),
    ("rumori", "ufficio:polizia-locale"),
    ("altro", "ufficio:urp"),
])
def test_routed_to_the_competent_office(service: ServiceDefinition, categoria: str, office: str) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    assert _to_take_charge(d, report(categoria)) == office
    wait = d.user("ut_take_charge", {"action": "assign"}, {"note": "squadra 2"})
    assert [(n.template, n.to) for n in wait.notifications] == [("segnalazione_presa_in_carico", "cittadino")]
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.variable, task.candidate, task.actions, wait.status) == (
        "ut_handle", "intervento", "intervento", office, ("risolta", "archiviata"), 4000)
    assert wait.messages == ()
    wait = d.user("ut_handle", {"action": "risolta"}, {"resoconto": "Lampada sostituita"})
    assert wait.completed and wait.status == 7000
    assert [(n.template, n.to) for n in wait.notifications] == [("segnalazione_risolta", "cittadino")]
    assert d.history == [1000, 1900, 2000, 4000, 7000]
    assert d.notified == [("segnalazione_presa_in_carico", "cittadino"), ("segnalazione_risolta", "cittadino")]
    assert d._load().data["ufficio_competente"] == office


def test_anonymous_report_follows_the_same_path(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    assert _to_take_charge(d, report("veicolo_abbandonato", anonima=True)) == "ufficio:polizia-locale"
    d.user("ut_take_charge", {"action": "assign"}, {})
    d.user("ut_handle", {"action": "archiviata"}, {"resoconto": "Veicolo già rimosso"})
    assert d.wait.completed and d.wait.status == 9000
    assert d.notified == [("segnalazione_presa_in_carico", "cittadino"), ("segnalazione_archiviata", "cittadino")]


def test_sla_escalation_to_the_manager(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_take_charge(d, report("buca_stradale"))
    d.user("ut_take_charge", {"action": "assign"}, {})
    [handle] = d.wait.user_tasks
    [timer] = d.wait.timers
    assert timer.bpmn_id == "tev_sla"
    assert timedelta(days=2, hours=23) < timer.due_at - datetime.now(UTC) <= timedelta(days=3)
    wait = d.fire_timers(timer.due_at - timedelta(minutes=1))
    assert d.waiting_for() == {"ut_handle"} and wait.entered == ()
    wait = d.fire_timers(timer.due_at + timedelta(minutes=1))
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.variable, task.candidate, task.actions) == (
        "ut_escalation", "intervento", "intervento_responsabile", "responsabile", ("risolta", "archiviata"))
    assert (wait.status, wait.entered, wait.timers, wait.notifications) == (4800, (4800,), (), ())
    with pytest.raises(TaskNotReady):  # the office's task went with the escalation
        d._load().complete_user_task(handle.task_id, {"action": "risolta"})
    wait = d.fire_timers(timer.due_at + timedelta(days=10))  # fires once
    assert d.waiting_for() == {"ut_escalation"} and wait.entered == ()
    d.user("ut_escalation", {"action": "risolta"}, {"resoconto": "Buca chiusa"})
    assert d.wait.completed and d.wait.status == 7000
    assert d.history == [1000, 1900, 2000, 4000, 4800, 7000]
    assert d.notified == [("segnalazione_presa_in_carico", "cittadino"), ("segnalazione_risolta", "cittadino")]
    assert d._load().data["intervento_responsabile"] == {"resoconto": "Buca chiusa"}


def test_handled_in_time_cancels_the_sla(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_take_charge(d, report("verde_pubblico"))
    d.user("ut_take_charge", {"action": "assign"}, {})
    wait = d.user("ut_handle", {"action": "archiviata"}, {})
    assert wait.completed and wait.timers == () and wait.status == 9000


@pytest.mark.parametrize("point", ["st_receipt", "ut_take_charge"])
def test_withdraw(service: ServiceDefinition, point: str) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    d.user("ut_compile", {"action": "submit"}, report("altro"))
    if point == "ut_take_charge":
        d.service("st_receipt")
    assert point in d.waiting_for()
    wait = d.message("withdraw", {"reason": "risolto da solo"})
    assert wait.completed and wait.status == 20000 and wait.notifications == ()


def test_no_withdrawal_once_taken_in_charge(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_take_charge(d, report("altro"))
    d.user("ut_take_charge", {"action": "assign"}, {})
    with pytest.raises(MessageNotExpected):
        d._load().send_message("withdraw")
