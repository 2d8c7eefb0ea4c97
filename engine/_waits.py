"""What an instance waits for: the frozen dataclasses returned to the web layer, and their computation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    IntermediateThrowEvent,
    SendTask,
)
from SpiffWorkflow.util.task import TaskState

from ._errors import ExpressionError
from ._evaluator import evaluate
from ._tasks import AsyncServiceTask

# Tree depth grows with every step of a long-running instance; SpiffWorkflow's listings stop at
# depth 1000 by default and would silently miss waiting work beyond it.
MAX_DEPTH = 10**9


@dataclass(frozen=True)
class UserTask:
    """A READY user task. Each multi-instance child is its own UserTask (same bpmn_id).

    `variable` is where the form answers go (`spiffworkflow:variableName`, else the form ref);
    `candidate` who may work on it: the `candidate` property (a role key or `ufficio:<code>` taken
    literally; `=expression` evaluated on the task's data), else the lane name, else None.
    """

    task_id: str
    bpmn_id: str
    name: str
    lane: str | None
    form: str | None
    actions: tuple[str, ...]
    status: int | None
    variable: str | None = None
    candidate: str | None = None
    label: str = ""


@dataclass(frozen=True)
class Notification:
    """A send task or message throw with a `template` property reached during one advance."""

    task_id: str
    bpmn_id: str
    template: str
    to: str
    channels: tuple[str, ...]


@dataclass(frozen=True)
class ServiceCall:
    task_id: str
    bpmn_id: str
    operation: str
    params: dict[str, Any]
    result_variable: str | None
    retries: int
    retry_backoff_base: float


@dataclass(frozen=True)
class Timer:
    task_id: str
    bpmn_id: str
    due_at: datetime


@dataclass(frozen=True)
class WaitState:
    status: int | None
    entered: tuple[int, ...]
    user_tasks: tuple[UserTask, ...]
    service_calls: tuple[ServiceCall, ...]
    timers: tuple[Timer, ...]
    messages: tuple[str, ...]
    completed: bool
    notifications: tuple[Notification, ...] = ()


def _props(task: Any) -> dict[str, str]:
    props: dict[str, str] = getattr(task.task_spec, "extensions", {}).get("properties", {})
    return props


def status_of(task: Any) -> int | None:
    """The `status` property of a task's element: an int literal or an expression on its data."""
    raw = _props(task).get("status")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        value = evaluate(raw, task.data)
    except ExpressionError as exc:
        raise ExpressionError(f"element {task.task_spec.bpmn_id!r}: status: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        bpmn_id = task.task_spec.bpmn_id
        raise ExpressionError(f"element {bpmn_id!r}: status {raw!r} gave {value!r}, not an int")
    return value


def wait_status(task: Any) -> int | None:
    """A wait's status; inside a call activity or subprocess without one, the caller's status."""
    status = status_of(task)
    while status is None and getattr(task.workflow, "parent_task_id", None) is not None:
        task = task.workflow.top_workflow.get_task_from_id(task.workflow.parent_task_id)
        status = status_of(task)
    return status


def actions_of(task: Any) -> tuple[str, ...]:
    raw = _props(task).get("actions", "")
    return tuple(a.strip() for a in raw.split(",") if a.strip())


def waiting_catch_tasks(wf: Any) -> list[Any]:
    return [t for t in wf.event_manager.tasks.values() if t.state == TaskState.WAITING]


@dataclass
class Scan:
    """One walk over the whole task tree (no depth limit) sorted into what the engine needs."""

    user_tasks: list[Any]
    service_tasks: list[Any]
    leftover: list[Any]  # READY tasks the engine should have run: a stall


def scan(wf: Any) -> Scan:
    result = Scan([], [], [])
    for t in wf.get_tasks(state=TaskState.READY | TaskState.STARTED, max_depth=MAX_DEPTH):
        if t.state == TaskState.READY:
            (result.user_tasks if t.task_spec.manual else result.leftover).append(t)
        elif isinstance(t.task_spec, AsyncServiceTask):
            result.service_tasks.append(t)
    return result


def wait_tasks(wf: Any, found: Scan | None = None) -> list[Any]:
    """Tasks that define the current status: READY user tasks, STARTED service tasks and
    waiting catch events that are not boundary events."""
    found = found or scan(wf)
    tasks = [*found.user_tasks, *found.service_tasks]
    tasks += [t for t in waiting_catch_tasks(wf) if not isinstance(t.task_spec, BoundaryEvent)]
    return tasks


def answers_variable(task: Any) -> str | None:
    """Where a user task's form answers go: `spiffworkflow:variableName`, else its form ref."""
    return getattr(task.task_spec, "variable", None) or _props(task).get("form") or None


def candidate_of(task: Any) -> str | None:
    raw = _props(task).get("candidate")
    if raw is None:
        return task.task_spec.lane or None
    if not raw.startswith("="):
        return raw
    try:
        value = evaluate(raw[1:], task.data)
    except ExpressionError as exc:
        raise ExpressionError(f"element {task.task_spec.bpmn_id!r}: candidate: {exc}") from None
    if not isinstance(value, str) or not value:
        raise ExpressionError(f"element {task.task_spec.bpmn_id!r}: candidate {raw!r} gave "
                              f"{value!r}, not a non-empty string")
    return value


def _user_task(t: Any) -> UserTask:
    spec = t.task_spec
    label = spec.bpmn_name or spec.bpmn_id
    return UserTask(str(t.id), spec.bpmn_id, label, spec.lane,
                    _props(t).get("form"), actions_of(t), status_of(t),
                    answers_variable(t), candidate_of(t), label)


def notification_of(t: Any) -> Notification | None:
    if not isinstance(t.task_spec, (SendTask, IntermediateThrowEvent)):
        return None
    props = _props(t)
    template = props.get("template")
    if not template:
        return None
    channels = tuple(c.strip() for c in props.get("channels", "email,app_io").split(",") if c.strip())
    return Notification(str(t.id), t.task_spec.bpmn_id, template, props.get("to") or "cittadino",
                        channels)


def _service_call(t: Any) -> ServiceCall:
    call = t.internal_data["service_call"]
    return ServiceCall(str(t.id), t.task_spec.bpmn_id, call["operation"], dict(call["params"]),
                       call["result_variable"], call["retries"], call["retry_backoff_base"])


def timer_due(t: Any) -> datetime | None:
    value = t.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle: {"cycles": left, "next": iso, "duration": seconds}
        if value.get("cycles") == 0 or not isinstance(value.get("next"), str):
            return None
        value = value["next"]
    if not isinstance(value, str):
        return None
    due = datetime.fromisoformat(value)
    return due.replace(tzinfo=UTC) if due.tzinfo is None else due.astimezone(UTC)


def _timers(catching: Iterable[Any]) -> tuple[Timer, ...]:
    timers = []
    for t in catching:
        if isinstance(t.task_spec.event_definition, TimerEventDefinition):
            due = timer_due(t)
            if due is not None:
                timers.append(Timer(str(t.id), t.task_spec.bpmn_id, due))
    return tuple(sorted(timers, key=lambda x: x.due_at))


def message_names(wf: Any) -> tuple[str, ...]:
    names = {t.task_spec.event_definition.name for t in waiting_catch_tasks(wf)
             if isinstance(t.task_spec.event_definition, MessageEventDefinition)}
    return tuple(sorted(names))


def current_status(wf: Any, reached: list[Any], previous: int | None,
                   found: Scan | None = None) -> int | None:
    """Status of the reached end event if completed, else of the most recently reached wait."""
    if wf.is_completed():
        ends = [status_of(t) for t in reached if isinstance(t.task_spec, EndEvent)]
        ends = [s for s in ends if s is not None]
        return ends[-1] if ends else previous
    waits = sorted(wait_tasks(wf, found), key=lambda t: t.last_state_change)
    statuses = [s for s in (wait_status(t) for t in waits) if s is not None]
    return statuses[-1] if statuses else previous


def entered_statuses(reached: list[Any], status: int | None, previous: int | None) -> tuple[int, ...]:
    """Statuses of the elements reached by one operation, consecutive duplicates removed."""
    entered: list[int] = []
    for t in reached:
        s = status_of(t)
        if s is not None and (not entered or entered[-1] != s):
            entered.append(s)
    if entered and entered[0] == previous:
        entered.pop(0)
    if status is not None and status != previous and (not entered or entered[-1] != status):
        entered.append(status)
    return tuple(entered)


def wait_state(wf: Any, status: int | None, entered: tuple[int, ...], found: Scan | None = None,
               notifications: tuple[Notification, ...] = ()) -> WaitState:
    found = found or scan(wf)
    catching = waiting_catch_tasks(wf)
    return WaitState(
        status=status,
        entered=entered,
        user_tasks=tuple(_user_task(t) for t in found.user_tasks),
        service_calls=tuple(_service_call(t) for t in found.service_tasks),
        timers=_timers(catching),
        messages=message_names(wf),
        completed=wf.is_completed(),
        notifications=notifications,
    )
