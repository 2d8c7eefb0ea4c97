"""A running application process: operations that advance it to its next wait states."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import ErrorEventDefinition, MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import _limits  # noqa: F401  (raises the recursion limit long chains need)
from ._errors import (
    EngineError,
    EngineStalled,
    ExpressionError,
    MessageNotExpected,
    StepLimitExceeded,
    TaskNotReady,
)
from ._evaluator import SCRIPT_ENGINE
from ._spec import ProcessSpec, spec_objects
from ._state import dump_state, load_state
from ._tasks import AsyncServiceTask
from ._trail import Trail, trail_of
from ._waits import (
    WaitState,
    actions_of,
    answers_variable,
    current_status,
    entered_statuses,
    message_names,
    notification_of,
    scan,
    timer_due,
    wait_state,
    wait_tasks,
    waiting_catch_tasks,
)

T = TypeVar("T")

# Task completions allowed in one advance. A real step is a few dozen; a runaway loop or timer
# cycle would otherwise hold the request (or worker) until its hard time limit.
MAX_STEPS = 2000


def _json_copy(value: Any, what: str) -> Any:
    """A deep copy that is also JSON-native, as the stored state must be (tuples become lists)."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise EngineError(f"{what} must be JSON-compatible: {exc}") from None


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

    def trail(self) -> Trail:
        """Diagram elements completed so far and current now (see `_trail` for the id format)."""
        return self._guard(lambda: trail_of(self._wf))

    def dump(self) -> str:
        """State text without the spec; store it as text (never jsonb: key order matters)."""
        return self._guard(lambda: dump_state(self._wf, self._status))

    def complete_user_task(self, task_id: str, data: dict[str, Any],
                           answers: Any = None) -> WaitState:
        """Complete a READY user task: `data`'s keys go on the task; `answers` (the form's data),
        when given, replaces the task's variable as a fresh JSON copy (never merged in place,
        which would leak into parallel branches sharing nested dicts)."""
        task = self._find(task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(f"task {task_id} is not a READY user task")
        actions = actions_of(task)
        if actions and data.get("action") not in actions:
            raise EngineError(f"task {task.task_spec.bpmn_id!r}: action {data.get('action')!r} "
                              f"is not one of {list(actions)}")
        variable = answers_variable(task)
        if answers is not None and variable is None:
            raise EngineError(f"task {task.task_spec.bpmn_id!r} has no variable for the answers")
        copied = _json_copy(answers, f"answers of task {task.task_spec.bpmn_id!r}")

        def apply() -> None:
            task.data.update(copy.deepcopy(data))
            if answers is not None:
                task.data[variable] = copied
            task.run()
        return self._advance(apply)

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

    def throw_error(self, task_id: str, code: str,
                    payload: dict[str, Any] | None = None) -> WaitState | None:
        """Throw BPMN error `code` at a STARTED service task (a business failure reported by the
        worker). If an error boundary on that task catches it (same errorCode, or no code), the
        task is cancelled and the error path runs; None when nothing catches (an incident)."""
        task = self._find(task_id)
        if (task is None or task.state != TaskState.STARTED
                or not isinstance(task.task_spec, AsyncServiceTask)):
            raise TaskNotReady(f"task {task_id} is not a started service task")
        event = BpmnEvent(ErrorEventDefinition(code, code=code),
                          payload=_json_copy(payload or {}, "error payload"), target=task.workflow)
        catcher = self._error_catcher(task, event)
        if catcher is None:
            return None

        def catch() -> None:
            catcher.task_spec.catch(catcher, event)
            catcher.task_spec._update(catcher)
        return self._advance(catch)

    def _error_catcher(self, task: Any, event: Any) -> Any:
        # Only the boundaries attached to this task: a broadcast (wf.catch) would also trigger
        # boundaries of other service tasks running in parallel.
        siblings = task.parent.children if task.parent is not None else []
        catchers = [c for c in siblings if c is not task and isinstance(c.task_spec, BoundaryEvent)
                    and c.state == TaskState.WAITING and c.task_spec.catches(c, event)]
        exact = [c for c in catchers if getattr(c.task_spec.event_definition, "code", None)]
        return (exact or catchers or [None])[0]

    def send_message(self, name: str, payload: dict[str, Any] | None = None) -> WaitState:
        if name not in message_names(self._wf):
            raise MessageNotExpected(f"the instance is not waiting for message {name!r}")
        event = BpmnEvent(MessageEventDefinition(name), payload=copy.deepcopy(payload or {}))
        return self._advance(lambda: self._wf.send_event(event))

    def fire_due_timers(self, now: datetime | None = None) -> WaitState:
        """Fire the timers due at `now` (default: the real clock); a cycle fires one occurrence
        per call, so a sweep after an outage sends one reminder, not a burst."""
        def fire() -> None:
            shifted: list[tuple[Any, timedelta]] = []
            if now is not None:  # Spiff compares with the real clock; mark what is due at `now`
                at = now.astimezone(UTC)
                for task in waiting_catch_tasks(self._wf):
                    due = timer_due(task)
                    if (not isinstance(task.task_spec.event_definition, TimerEventDefinition)
                            or due is None or due > at):
                        continue
                    value = task.internal_data.get("event_value")
                    if isinstance(value, dict):
                        # A cycle computes its next occurrence from `next`: move it onto the
                        # real clock for this refresh and back afterwards, keeping the schedule.
                        shift = at - datetime.now(UTC)
                        value["next"] = (datetime.fromisoformat(value["next"]) - shift).isoformat()
                        shifted.append((task, shift))
                    else:
                        task._set_internal_data(event_fired=True)
            self._wf.refresh_timers()
            for task, shift in shifted:
                value = task.internal_data.get("event_value")
                if isinstance(value, dict):
                    value["next"] = (datetime.fromisoformat(value["next"]) + shift).isoformat()
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
            steps = 0

            def count(task: Any) -> None:
                nonlocal steps
                steps += 1
                if steps > MAX_STEPS:
                    raise StepLimitExceeded(
                        f"element {task.task_spec.bpmn_id!r}: more than {MAX_STEPS} steps in one "
                        "advance (a loop or timer cycle that never waits?)")
            action()
            self._wf.do_engine_steps(will_complete_task=count, did_complete_task=reached.append)
            # Uncaught throws (notifications, unmatched errors) would pile up in the state.
            self._wf.get_events()
            found = scan(self._wf)
            _check_not_stalled(self._wf, found.leftover)
            new_waits = [t for t in wait_tasks(self._wf, found)
                         if t.id not in before and t not in reached]
            reached += sorted(new_waits, key=lambda t: t.last_state_change)
            status = current_status(self._wf, reached, self._status, found)
            entered = entered_statuses(reached, status, self._status)
            self._status = status
            notifications = tuple(n for n in map(notification_of, reached) if n is not None)
            return wait_state(self._wf, status, entered, found, notifications)
        return self._guard(run)


def _check_not_stalled(wf: Any, leftover: list[Any]) -> None:
    if leftover:
        ids = sorted({t.task_spec.bpmn_id or t.task_spec.name for t in leftover})
        raise EngineStalled(f"element {ids[0]!r}: the engine stopped with work left "
                            f"({', '.join(ids)} still READY; the task tree is too deep?)")
    if wf.is_completed() and not any(isinstance(t.task_spec, EndEvent) and t.state == TaskState.COMPLETED
                                     for t in wf.tasks.values()):
        raise EngineStalled("the process reported completion without reaching an end event")


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
