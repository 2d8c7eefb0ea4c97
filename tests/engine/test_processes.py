"""Services with their own processes: gateways, timers, notifications, fragments, multi-instance
user tasks and error boundaries, run at engine level with a save/restore at each step."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from engine_test_builders import service_from_files

from engine import (
    Instance,
    Notification,
    ProcessSpec,
    TaskNotReady,
    WaitState,
    load_service,
    restore_instance,
    start_instance,
)


def _process(tmp_path: Path, main: str, *others: str, process_id: str | None = None) -> ProcessSpec:
    return load_service(service_from_files(tmp_path, main, *others, process_id=process_id)).process


def _reload(process: ProcessSpec, instance: Instance) -> Instance:
    return restore_instance(process, instance.dump())


def _task(wait: WaitState, bpmn_id: str) -> str:
    [task] = [t for t in wait.user_tasks if t.bpmn_id == bpmn_id]
    return task.task_id


@pytest.mark.parametrize(("domanda", "pareri", "status"), [
    ({"superficie_mq": 10, "su_carreggiata": False}, {}, 7000),  # inclusive default only
    ({"superficie_mq": 60, "su_carreggiata": False}, {"ut_tecnico": "favorevole"}, 7000),
    ({"superficie_mq": 60, "su_carreggiata": True}, {"ut_tecnico": "favorevole", "ut_pm": "contrario"}, 9000),
    ({"superficie_mq": 5, "su_carreggiata": True}, {"ut_pm": "favorevole"}, 7000),
])
def test_parallel_and_inclusive_gateways(tmp_path: Path, domanda: dict[str, object],
                                         pareri: dict[str, str], status: int) -> None:
    process = _process(tmp_path, "gateways.bpmn")
    instance, wait = start_instance(process, {"richiedente": {"codice_fiscale": "RSSMRA80A01H501U"}})
    [compile_task] = wait.user_tasks
    assert (compile_task.variable, compile_task.candidate, compile_task.label) == (
        "domanda", "cittadino", "Compila la domanda")
    instance = _reload(process, instance)
    wait = instance.complete_user_task(compile_task.task_id, {"action": "submit"}, answers=domanda)
    [verifica] = wait.user_tasks  # the parallel script branch already ran
    assert (verifica.variable, verifica.candidate, verifica.label) == ("verifica", "istruttoria", "ut_verifica")
    instance = _reload(process, instance)
    wait = instance.complete_user_task(verifica.task_id, {}, answers={"ok": True})
    assert sorted(t.bpmn_id for t in wait.user_tasks) == sorted(pareri)
    candidates = {t.bpmn_id: t.candidate for t in wait.user_tasks}
    assert candidates == {k: {"ut_tecnico": "ufficio:UT01", "ut_pm": "polizia_locale"}[k] for k in pareri}
    for bpmn_id, esito in pareri.items():
        instance = _reload(process, instance)
        wait = instance.complete_user_task(_task(wait, bpmn_id), {}, answers={"esito": esito})
    assert wait.completed and wait.status == status
    data = instance.data
    assert data["diritti"] == (16 if domanda["superficie_mq"] > 50 else 0)  # type: ignore[operator]
    assert data["domanda"] == domanda and data["verifica"] == {"ok": True}


def test_answers_are_a_fresh_copy_under_the_variable(tmp_path: Path) -> None:
    process = _process(tmp_path, "gateways.bpmn")
    instance, wait = start_instance(process, {})
    answers = {"superficie_mq": 10, "su_carreggiata": True, "allegati": [{"nome": "a.pdf"}]}
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "invia"}, answers=answers)
    answers["allegati"][0]["nome"] = "changed"  # type: ignore[index]
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {}, answers={"ok": True})
    pm = _task(wait, "ut_pm")
    wait = instance.complete_user_task(pm, {}, answers={"esito": "contrario", "dettagli": {"x": 1}})
    data = instance.data
    assert data["domanda"]["allegati"] == [{"nome": "a.pdf"}] and data["action"] == "invia"
    assert "esito" not in data and data["parere_pm"] == {"esito": "contrario", "dettagli": {"x": 1}}


def test_answers_must_be_json(tmp_path: Path) -> None:
    process = _process(tmp_path, "gateways.bpmn")
    instance, wait = start_instance(process, {})
    with pytest.raises(Exception, match="JSON-compatible"):
        instance.complete_user_task(wait.user_tasks[0].task_id, {}, answers={"when": datetime.now(UTC)})


def test_reminder_cycle_and_interrupting_escalation(tmp_path: Path) -> None:
    process = _process(tmp_path, "timers.bpmn")
    instance, wait = start_instance(process, {})
    assert wait.status == 4600 and [t.bpmn_id for t in wait.timers] == ["tev_sollecito", "tev_scadenza"]
    now = datetime.now(UTC)
    wait = _reload(process, instance).fire_due_timers(now + timedelta(hours=1))
    assert wait.notifications == () and len(wait.user_tasks) == 1
    instance = _reload(process, instance)
    wait = instance.fire_due_timers(now + timedelta(hours=25))
    [reminder] = wait.notifications
    assert (reminder.bpmn_id, reminder.template, reminder.to, reminder.channels) == (
        "thr_sollecito", "sollecito_parere", "ufficio:UT01", ("email",))
    assert len(wait.user_tasks) == 1 and wait.status == 4600  # the task is still open
    stored = instance.dump()
    assert json.loads(stored)["workflow"]["bpmn_events"] == []

    instance = restore_instance(process, stored)  # escalation after 10 days
    wait = instance.fire_due_timers(now + timedelta(days=10, minutes=1))
    assert wait.user_tasks == () and wait.status == 4700
    [timer] = wait.timers
    assert timer.bpmn_id == "tev_attesa"
    instance = _reload(process, instance)
    wait = instance.fire_due_timers(timer.due_at + timedelta(seconds=1))
    assert wait.completed and wait.status == 7100 and instance.data["parere_tacito"] is True

    instance = restore_instance(process, stored)  # completing the task cancels both timers
    wait = instance.complete_user_task(wait_task(instance), {}, answers={"esito": "favorevole"})
    assert wait.completed and wait.status == 7000 and wait.timers == ()


def wait_task(instance: Instance) -> str:
    return instance.snapshot().user_tasks[0].task_id


def test_notifications_from_send_task_and_message_throw(tmp_path: Path) -> None:
    process = _process(tmp_path, "notify.bpmn")
    instance, wait = start_instance(process, {})
    assert wait.notifications == (Notification(wait.notifications[0].task_id, "snd_ricevuta",
                                               "ricevuta_domanda", "cittadino", ("email", "app_io")),)
    assert json.loads(instance.dump())["workflow"]["bpmn_events"] == []
    assert instance.snapshot().notifications == ()  # for that advance only
    instance = _reload(process, instance)
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {})
    [esito] = wait.notifications
    assert (esito.bpmn_id, esito.template, esito.channels, wait.status) == (
        "thr_esito", "esito", ("email", "app_io", "pec"), 7000)


def test_call_activity_to_a_shared_fragment(tmp_path: Path) -> None:
    process = _process(tmp_path, "call_fragment.bpmn", "_fragments/protocollo/protocollo.bpmn",
                       process_id="svc_call")
    instance, wait = start_instance(process, {"pratica": {"numero": "P-1"}, "altro": 1})
    [call] = wait.service_calls
    assert (call.bpmn_id, call.operation, call.params, wait.status) == (
        "st_registra", "protocol.register_document", {"pratica": "P-1"}, 1900)
    wait = _reload(process, instance).complete_service_call(call.task_id, {"numero": "2026/1"})
    assert wait is not None and wait.status == 2000 and [t.bpmn_id for t in wait.user_tasks] == ["ut_domanda"]


def test_multi_instance_user_task_one_per_office(tmp_path: Path) -> None:
    process = _process(tmp_path, "multi_instance.bpmn", process_id="svc_mi")
    instance, wait = start_instance(process, {"uffici": ["UT01", "PM02", "AMB03"]})
    assert [t.bpmn_id for t in wait.user_tasks] == ["ut_parere"] * 3
    assert len({t.task_id for t in wait.user_tasks}) == 3
    assert [t.candidate for t in wait.user_tasks] == ["ufficio:UT01", "ufficio:PM02", "ufficio:AMB03"]
    assert {t.variable for t in wait.user_tasks} == {"parere"}
    for n, task in enumerate(wait.user_tasks):
        instance = _reload(process, instance)
        last = instance.complete_user_task(task.task_id, {}, answers={"esito": f"e{n}"})
    assert last.completed and instance.data["ricevuti"] == 3
    assert instance.data["pareri"] == [{"esito": "e0"}, {"esito": "e1"}, {"esito": "e2"}]


def test_error_boundary_on_a_service_task(tmp_path: Path) -> None:
    process = _process(tmp_path, "errors.bpmn")
    instance, wait = start_instance(process, {"importo": 16})
    [call] = wait.service_calls
    stored = instance.dump()
    assert restore_instance(process, stored).throw_error(call.task_id, "OTHER_CODE") is None
    instance = restore_instance(process, stored)
    wait_ko = instance.throw_error(call.task_id, "PAGAMENTO_SCADUTO", {"motivo": "scaduto"})
    assert wait_ko is not None and wait_ko.completed and wait_ko.status == 1530
    assert wait_ko.service_calls == () and instance.data["errore_pagamento"] == {"motivo": "scaduto"}
    with pytest.raises(TaskNotReady):
        instance.throw_error(call.task_id, "PAGAMENTO_SCADUTO")

    instance = restore_instance(process, stored)  # the catch-all boundary on the second task
    wait = instance.complete_service_call(call.task_id, {"iuv": "1"})
    assert wait is not None
    [second] = wait.service_calls
    wait_any = _reload(process, instance).throw_error(second.task_id, "ANY_CODE")
    assert wait_any is not None and wait_any.completed and wait_any.status == 9100
