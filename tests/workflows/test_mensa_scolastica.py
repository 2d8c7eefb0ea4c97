"""Iscrizione al servizio di mensa scolastica (svc_mensa_scolastica), driven at engine level: the
Ufficio Scuola's review, then the citizen's choice of tariff within a 15-day deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from test_shipped_workflows import WORKFLOWS, Driver

from engine import MessageNotExpected, ServiceDefinition, TaskNotReady, load_service

RICHIEDENTE = {"codice_fiscale": "RSSMRA80A01H501U", "nome": "Mario", "cognome": "Rossi",
               "email": "mario.rossi@example.it", "autenticazione": "spid"}
DOMANDA: dict[str, Any] = {
    "privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": "RSSMRA80A01H501U",
    "email": "mario.rossi@example.it", "alunno_nome": "Luca", "alunno_cognome": "Rossi",
    "alunno_codice_fiscale": "RSSLCU15A01H501X", "scuola": "primaria_collodi", "classe": "3B",
    "dieta": "vegetariana"}


@pytest.fixture(scope="module")
def service() -> ServiceDefinition:
    return load_service(WORKFLOWS / "mensa-scolastica")


def _to_review(d: Driver) -> None:
    d.user("ut_compile", {"action": "submit"}, DOMANDA)
    assert d.waiting_for() == {"st_receipt"} and d.wait.status == 1900 and d.wait.messages == ("withdraw",)
    d.service("st_receipt", {"document_id": "D-1"})
    [task] = d.wait.user_tasks
    assert (task.bpmn_id, task.form, task.candidate, task.actions, d.wait.status) == (
        "ut_take_charge", "presa_in_carico", "ufficio:scuola", ("assign",), 2000)
    d.user("ut_take_charge", {"action": "assign"}, {})
    [task] = d.wait.user_tasks
    assert (task.bpmn_id, task.form, task.candidate, task.actions, d.wait.status) == (
        "ut_review", "esito", "ufficio:scuola", ("accept", "reject"), 4000)
    assert d.wait.messages == ()


def _accepted(d: Driver) -> None:
    _to_review(d)
    wait = d.user("ut_review", {"action": "accept", "partial": False}, {"message": "Accolta"})
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.variable, task.candidate, task.actions, wait.status) == (
        "ut_tariff", "tariffa", "tariffa", "cittadino", ("carica-isee", "fascia-massima"), 6500)
    assert [(n.template, n.to) for n in wait.notifications] == [("scegli_tariffa", "cittadino")]
    assert wait.messages == ("withdraw",) and not wait.completed


@pytest.mark.parametrize(("action", "answers", "band"), [
    ("carica-isee", {"attestazione_isee": "0b4f1c9e-0000-4000-8000-000000000001", "valore_isee": 9000}, "da_isee"),
    ("fascia-massima", {}, "massima"),
])
def test_tariff_chosen_in_time(service: ServiceDefinition, action: str, answers: dict[str, Any],
                               band: str) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _accepted(d)
    [timer] = d.wait.timers
    wait = d.fire_timers(timer.due_at - timedelta(hours=1))  # not yet due
    assert d.waiting_for() == {"ut_tariff"} and wait.notifications == ()
    wait = d.user("ut_tariff", {"action": action}, answers)
    assert wait.completed and (wait.status, wait.timers) == (7000, ())
    assert [(n.template, n.to) for n in wait.notifications] == [("iscrizione_completata", "cittadino")]
    assert d.history == [1000, 1900, 2000, 4000, 6500, 7000]
    assert d.notified == [("scegli_tariffa", "cittadino"), ("iscrizione_completata", "cittadino")]
    data = d._load().data
    assert data["tariffa"] == answers and data["fascia_tariffaria"] == band


def test_deadline_lapses_the_enrolment(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _accepted(d)
    [task] = d.wait.user_tasks
    [timer] = d.wait.timers
    assert timer.bpmn_id == "tev_tariff_deadline"
    assert timedelta(days=14, hours=23) < timer.due_at - datetime.now(UTC) <= timedelta(days=15)
    wait = d.fire_timers(timer.due_at + timedelta(minutes=1))
    assert wait.completed and (wait.status, wait.entered) == (9500, (9500,))
    assert [(n.template, n.to) for n in wait.notifications] == [("iscrizione_decaduta", "cittadino")]
    assert (wait.user_tasks, wait.timers, wait.messages) == ((), (), ())
    with pytest.raises(TaskNotReady):
        d._load().complete_user_task(task.task_id, {"action": "fascia-massima"}, {})
    assert d.history == [1000, 1900, 2000, 4000, 6500, 9500]


def test_rejected(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d)
    wait = d.user("ut_review", {"action": "reject", "message": "Alunno non iscritto a scuola"}, {})
    assert wait.completed and wait.status == 9000
    assert d.notified == [("domanda_respinta", "cittadino")]


@pytest.mark.parametrize("point", ["st_receipt", "ut_take_charge", "ut_tariff"])
def test_withdraw(service: ServiceDefinition, point: str) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    if point == "ut_tariff":
        _accepted(d)
    else:
        d.user("ut_compile", {"action": "submit"}, DOMANDA)
        if point == "ut_take_charge":
            d.service("st_receipt")
    assert point in d.waiting_for()
    wait = d.message("withdraw", {})
    assert wait.completed and wait.status == 20000 and wait.timers == ()


def test_no_withdrawal_during_the_review(service: ServiceDefinition) -> None:
    d = Driver(service, richiedente=RICHIEDENTE)
    _to_review(d)
    with pytest.raises(MessageNotExpected):
        d._load().send_message("withdraw")
