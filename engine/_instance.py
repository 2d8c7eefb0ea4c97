"""A running application process: operations that advance it to its next wait states."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from ._errors import EngineError, ExpressionError, MessageNotExpected, TaskNotReady
from ._evaluator import SCRIPT_ENGINE
from ._spec import ProcessSpec, spec_objects
from ._state import dump_state, load_state
from ._tasks import AsyncServiceTask
from ._waits import (
    WaitState,
    actions_of,
    current_status,
    entered_statuses,
    message_names,
    timer_due,
    wait_state,
    wait_tasks,
    waiting_catch_tasks,
)

T = TypeVar("T")


def _translate(exc: Exception) -> EngineError:
    """Map a SpiffWorkflow (or other) failure to our error classes, naming the element."""
    if isinstance(exc, EngineError):
        return exc
    spec = getattr(getattr(exc, "task", None), "task_spec", None) or getattr(exc, "task_spec", None)
    bpmn_id = getattr(spec, "bpmn_id", None)
    where = f"element {bpmn_id!r}: " if bpmn_id else ""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ExpressionError) or getattr(cause, "error_type", "") == "ExpressionError":
            return ExpressionError(f"{where}{exc}")
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, SpiffWorkflowException) and getattr(exc, "task", None) is not None:
        return ExpressionError(f"{where}{exc}")  # a task failed while evaluating model code
    return EngineError(f"{where}{type(exc).__name__}: {exc}")


class Instance:
    """One workflow instance; discard it after any EngineError (never persist it)."""

    def __init__(self, process: ProcessSpec, workflow: Any, status: int | None) -> None:
        self._process = process
        self._wf = workflow
        self._status = status
        workflow.script_engine = SCRIPT_ENGINE  # never serialized: re-attach on every load

    @property
    def data(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self._wf.data))

    def snapshot(self) -> WaitState:
        return self._guard(lambda: wait_state(self._wf, self._status, ()))

    def dump(self) -> str:
        """State text without the spec; store it as text (never jsonb: key order matters)."""
        return self._guard(lambda: dump_state(self._wf, self._status))

    def complete_user_task(self, task_id: str, data: dict[str, Any]) -> WaitState:
        task = self._find(task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(f"task {task_id} is not a READY user task")
        actions = actions_of(task)
        if actions and data.get("action") not in actions:
            raise EngineError(f"task {task.task_spec.bpmn_id!r}: action {data.get('action')!r} "
                              f"is not one of {list(actions)}")
        return self._advance(lambda: (task.data.update(copy.deepcopy(data)), task.run()))

    def complete_service_call(self, task_id: str, result: dict[str, Any]) -> WaitState | None:
        task = self._find(task_id)
        if (task is None or task.state != TaskState.STARTED
                or not isinstance(task.task_spec, AsyncServiceTask)):
            return None  # duplicate or late delivery: nothing to do
        variable = task.internal_data["service_call"]["result_variable"]

        def apply() -> None:
            if variable:
                task.data[variable] = copy.deepcopy(result)
            task.complete()
        return self._advance(apply)

    def send_message(self, name: str, payload: dict[str, Any] | None = None) -> WaitState:
        if name not in message_names(self._wf):
            raise MessageNotExpected(f"the instance is not waiting for message {name!r}")
        event = BpmnEvent(MessageEventDefinition(name), payload=copy.deepcopy(payload or {}))
        return self._advance(lambda: self._wf.send_event(event))

    def fire_due_timers(self, now: datetime | None = None) -> WaitState:
        def fire() -> None:
            if now is not None:  # Spiff compares with the real clock; mark what is due at `now`
                for task in waiting_catch_tasks(self._wf):
                    due = timer_due(task)
                    if (isinstance(task.task_spec.event_definition, TimerEventDefinition)
                            and due is not None and due <= now.astimezone(UTC)):
                        task._set_internal_data(event_fired=True)
            self._wf.refresh_timers()
        return self._advance(fire)

    def _find(self, task_id: str) -> Any:
        try:
            return self._wf.get_task_from_id(UUID(str(task_id)))
        except (ValueError, SpiffWorkflowException):
            return None

    def _guard(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except Exception as exc:
            raise _translate(exc) from exc

    def _advance(self, action: Callable[[], Any]) -> WaitState:
        """Run `action`, then the engine to the next wait states; work out the statuses entered."""
        def run() -> WaitState:
            before = {t.id for t in wait_tasks(self._wf)}
            reached: list[Any] = []
            action()
            self._wf.do_engine_steps(did_complete_task=reached.append)
            new_waits = [t for t in wait_tasks(self._wf) if t.id not in before and t not in reached]
            reached += sorted(new_waits, key=lambda t: t.last_state_change)
            status = current_status(self._wf, reached, self._status)
            entered = entered_statuses(reached, status, self._status)
            self._status = status
            return wait_state(self._wf, status, entered)
        return self._guard(run)


def start_instance(process: ProcessSpec, data: dict[str, Any]) -> tuple[Instance, WaitState]:
    """New instance with `data` in its start task, run to its first wait states."""
    def create() -> Instance:
        spec, subprocess_specs = spec_objects(process)
        return Instance(process, BpmnWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE), None)
    try:
        instance = create()
    except Exception as exc:
        raise _translate(exc) from exc
    wf = instance._wf
    start = wf.get_tasks(state=TaskState.READY)[0]
    waits = instance._advance(lambda: start.data.update(copy.deepcopy(data)))
    return instance, waits


def restore_instance(process: ProcessSpec, state: str) -> Instance:
    workflow, status = load_state(process, state)
    return Instance(process, workflow, status)
