"""Instance operations on small services: statuses, service calls, errors, timers, messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from engine_test_builders import HEADER, VALID_BPMN, MakeService

from engine import (
    EngineError,
    ExpressionError,
    MessageNotExpected,
    ProcessSpec,
    TaskNotReady,
    load_service,
    restore_instance,
    start_instance,
)


@pytest.fixture
def process(make_service: MakeService) -> ProcessSpec:
    return load_service(make_service()).process


def test_run_through(process: ProcessSpec) -> None:
    instance, wait = start_instance(process, {"amount": 4})
    assert (wait.status, wait.entered) == (1000, (1000,))
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.form, task.actions, task.lane, task.name) == (
        "ut_fill", "domanda", ("submit",), None, "Compila")
    wait = instance.complete_user_task(task.task_id, {"action": "submit"})
    [call] = wait.service_calls
    assert (call.operation, call.params, call.result_variable) == (
        "documents.generate_receipt", {"amount": 8}, "receipt")
    assert (call.retries, call.retry_backoff_base) == (3, 2.0)  # defaults without <spiffworkflow:retry>
    assert (wait.status, wait.entered) == (1900, (1900,))
    wait = restore_instance(process, instance.dump()).complete_service_call(call.task_id, {"fee": 10})
    assert wait is not None and wait.completed and (wait.status, wait.entered) == (7000, (7000,))


def test_branch_by_script_result(process: ProcessSpec) -> None:
    instance, wait = start_instance(process, {"amount": 1})
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "submit"})
    wait = instance.complete_service_call(wait.service_calls[0].task_id, {"fee": 1})
    assert wait is not None and wait.status == 9000
    assert instance.data["total"] == 2 and instance.data["ok"] is False
    instance.data["total"] = 99  # a copy: the instance is not changed
    assert instance.data["total"] == 2


def test_script_failure_is_an_expression_error_with_the_element(process: ProcessSpec) -> None:
    instance, wait = start_instance(process, {"amount": 1})
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "submit"})
    with pytest.raises(ExpressionError, match="sc_compute"):
        instance.complete_service_call(wait.service_calls[0].task_id, {"no_fee": 1})


def test_parameter_failure_names_the_service_task(process: ProcessSpec) -> None:
    instance, wait = start_instance(process, {})  # `amount` missing
    with pytest.raises(ExpressionError, match="st_call"):
        instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "submit"})


def test_action_must_be_declared(process: ProcessSpec) -> None:
    instance, wait = start_instance(process, {"amount": 1})
    with pytest.raises(EngineError, match="action 'reject'"):
        instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "reject"})
    with pytest.raises(TaskNotReady):
        instance.complete_user_task(wait.user_tasks[0].task_id + "0", {"action": "submit"})


def test_status_expression_must_give_an_int(make_service: MakeService) -> None:
    bpmn = VALID_BPMN.replace('name="status" value="1000"', 'name="status" value="\'draft\'"')
    process = load_service(make_service(bpmn=bpmn)).process
    with pytest.raises(ExpressionError, match="ut_fill"):
        start_instance(process, {})


def test_no_message_expected(process: ProcessSpec) -> None:
    instance, _ = start_instance(process, {})
    with pytest.raises(MessageNotExpected):
        instance.send_message("withdraw")


def test_state_envelope(process: ProcessSpec) -> None:
    instance, wait = start_instance(process, {"amount": 1, "nome": "Zoë"})
    state = instance.dump()
    envelope = json.loads(state)
    assert envelope["state_version"] == 1 and envelope["status"] == 1000
    assert "spec" not in envelope["workflow"] and "subprocess_specs" not in envelope["workflow"]
    assert ", " not in state and ": " not in state and "Zoë" in state  # compact text
    restored = restore_instance(process, state)
    assert restored.snapshot() == wait.__class__(**{**wait.__dict__, "entered": ()})
    assert restored.dump() == state


@pytest.mark.parametrize("state", [
    "not json", "[]", '{"state_version": 1}',
    '{"state_version": 99, "serializer_version": "1.5", "status": null, "workflow": {}}',
    '{"state_version": "1", "serializer_version": "1.5", "status": null, "workflow": {}}',
    '{"state_version": 1, "serializer_version": "0.9", "status": null, "workflow": {}}',
    '{"state_version": 1, "serializer_version": "1.5", "status": null, "workflow": {"typename": "X"}}',
])
def test_bad_states_are_refused(process: ProcessSpec, state: str) -> None:
    with pytest.raises(EngineError):
        restore_instance(process, state)


def test_unknown_state_version_message(process: ProcessSpec) -> None:
    instance, _ = start_instance(process, {})
    envelope = json.loads(instance.dump())
    envelope["state_version"] = 2
    with pytest.raises(EngineError, match="unknown state version 2"):
        restore_instance(process, json.dumps(envelope))


WAITS_BPMN = HEADER + """
  <bpmn:message id="msg_payment" name="payment"/>
  <bpmn:process id="svc_waits" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="ev_payment">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1500"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition id="med_payment" messageRef="msg_payment">
        <bpmn:extensionElements>
          <spiffworkflow:messageVariable>payment</spiffworkflow:messageVariable>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateThrowEvent id="ev_paid">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1520"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="ev_cooling_off">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1900"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition id="ted_cooling_off">
        <bpmn:timeDuration>"P2D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end_done">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="7000"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f4</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ev_payment"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ev_payment" targetRef="ev_paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="ev_paid" targetRef="ev_cooling_off"/>
    <bpmn:sequenceFlow id="f4" sourceRef="ev_cooling_off" targetRef="end_done"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_messages_and_timers(make_service: MakeService) -> None:
    manifest = "slug: w\nversion: 1\ntitle: W\nprocess: [process.bpmn]\nprocess_id: svc_waits\nforms: {}\n"
    process = load_service(make_service(bpmn=WAITS_BPMN, manifest=manifest)).process
    instance, wait = start_instance(process, {})
    assert (wait.status, wait.entered, wait.messages, wait.timers) == (1500, (1500,), ("payment",), ())
    wait = restore_instance(process, instance.dump()).send_message("payment", {"receipt": "R-1"})
    assert (wait.status, wait.entered, wait.messages) == (1900, (1520, 1900), ())
    [timer] = wait.timers
    assert timer.bpmn_id == "ev_cooling_off" and timer.due_at.tzinfo is not None
    now = datetime.now(UTC)
    assert timedelta(days=1, hours=23) < timer.due_at - now < timedelta(days=2, minutes=1)
    instance = restore_instance(process, _dump_after_payment(process))
    assert instance.fire_due_timers().entered == ()  # not due yet
    wait = instance.fire_due_timers(now + timedelta(days=3))
    assert wait.completed and (wait.status, wait.entered) == (7000, (7000,))
    assert instance.data["payment"] == {"receipt": "R-1"}


def _dump_after_payment(process: ProcessSpec) -> str:
    instance, _ = start_instance(process, {})
    instance.send_message("payment", {"receipt": "R-1"})
    return instance.dump()


RECEIVE_BPMN = HEADER.replace(
    "xmlns:spiffworkflow=", 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:spiffworkflow=') + """
  <bpmn:message id="msg_paid" name="paid"/>
  <bpmn:process id="svc_receive" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:receiveTask id="rt_pay" name="Attendi il pagamento" messageRef="msg_paid">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1500"/>
        </spiffworkflow:properties>
        <spiffworkflow:messageVariable>receipt</spiffworkflow:messageVariable>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:receiveTask>
    <bpmn:endEvent id="end_paid">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1520"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:boundaryEvent id="tev_expiry" attachedToRef="rt_pay" cancelActivity="true">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="ted_expiry">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">expiry if defined('expiry') else 'P30D'</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="end_expired">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1530"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="rt_pay"/>
    <bpmn:sequenceFlow id="f2" sourceRef="rt_pay" targetRef="end_paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="tev_expiry" targetRef="end_expired"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize(("start", "days"), [({"expiry": "P5D"}, 5), ({}, 30)])
def test_receive_task_with_boundary_timer(make_service: MakeService, start: dict[str, str], days: int) -> None:
    manifest = "slug: r\nversion: 1\ntitle: R\nprocess: [process.bpmn]\nprocess_id: svc_receive\nforms: {}\n"
    process = load_service(make_service(bpmn=RECEIVE_BPMN, manifest=manifest)).process
    instance, wait = start_instance(process, start)
    assert (wait.status, wait.entered, wait.messages) == (1500, (1500,), ("paid",))
    [timer] = wait.timers
    assert timer.bpmn_id == "tev_expiry"
    assert timedelta(days=days) - timedelta(minutes=1) < timer.due_at - datetime.now(UTC) <= timedelta(days=days)
    stored = instance.dump()

    instance = restore_instance(process, stored)
    wait = instance.fire_due_timers(timer.due_at - timedelta(seconds=1))
    assert (wait.status, wait.entered, wait.timers, wait.messages) == (1500, (), (timer,), ("paid",))
    wait = restore_instance(process, instance.dump()).send_message("paid", {"manual": True})
    assert wait.completed and (wait.status, wait.entered, wait.timers) == (1520, (1520,), ())

    instance = restore_instance(process, stored)
    wait = instance.fire_due_timers(timer.due_at + timedelta(seconds=1))
    assert wait.completed and (wait.status, wait.entered, wait.messages) == (1530, (1530,), ())
    with pytest.raises(MessageNotExpected):
        restore_instance(process, instance.dump()).send_message("paid", {})


def test_shipped_lifecycle_file_is_used() -> None:
    lifecycle = Path(__file__).resolve().parents[2] / "workflows" / "_lifecycle" / "lifecycle.bpmn"
    text = lifecycle.read_text(encoding="utf-8")
    assert 'id="standard_lifecycle"' in text and "bpmndi:BPMNDiagram" in text
