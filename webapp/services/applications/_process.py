"""Glue between applications and the engine: restore, advance, and persist what it waits for."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

import engine
from webapp.extensions import db
from webapp.models import Application, ProcessTask, ServiceCallRow, User
from webapp.services import outbound
from webapp.services.catalogue import process_for
from webapp.services.common import policy, signals, statuses
from webapp.services.common.errors import Conflict, ProcessFailed, TransitionNotAllowed
from webapp.services.common.options import options_of
from webapp.services.common.uow import after_commit

from ._assignment import auto_assign
from ._history import record_event
from ._milestones import note_milestones
from ._protocol import open_registration
from ._task_rows import staff_addresses, sync_tasks

log = logging.getLogger(__name__)

DISPATCHER = "dispatch_service_call"
TASK_COMPLETED_EVENT = "task_completed"


def set_dispatcher(app: Flask, dispatch: Callable[[str], None]) -> None:
    """The app factory decides how a committed service call reaches a worker."""
    app.extensions[DISPATCHER] = dispatch


def dispatch(call_id: str) -> None:
    current_app.extensions[DISPATCHER](call_id)


def process_failed(app: Application, exc: engine.EngineError) -> ProcessFailed:
    """Logged for the administrators (no personal data: ids and the engine's message only)."""
    log.error("process of application %s (definition %s) failed: %s", app.id, app.definition_hash[:12], exc)
    return ProcessFailed("Il processo del servizio ha incontrato un errore: gli amministratori sono stati "
                         "avvisati. Nessuna modifica è stata salvata.")


def restore(app: Application) -> engine.Instance:
    return engine.restore_instance(process_for(app.service_version), app.engine_state)


def persist(app: Application, instance: engine.Instance, wait: engine.WaitState,
            actor: User | None, event: str, note: str | None = None, completed_task: str | None = None,
            *, fresh: bool = False) -> None:
    """Store state, history, projections (tasks, service calls); dispatch calls after commit.

    `completed_task`: the user task this step completed (its row ends as completed, by `actor`).
    `fresh`: the application was inserted in this unit of work, so it has no task or call rows to read.
    """
    previous_status, previous_waits = app.status, app.waits or {}
    app.engine_state = instance.dump()
    app.waits = {
        "user_tasks": [
            {"task_id": t.task_id, "bpmn_id": t.bpmn_id, "lane": t.lane, "form": t.form,
             "actions": list(t.actions), "candidate": policy.candidate_kind(t.candidate), "label": t.label}
            for t in wait.user_tasks
        ],
        "messages": list(wait.messages),
        "service_calls": [c.operation for c in wait.service_calls],
    }
    app.next_timer_at = min((t.due_at for t in wait.timers), default=None)
    if fresh:  # inserted now, complete: its rows (history, tasks) reference it
        db.session.flush()
    sync_tasks(app, wait, previous_waits, completed_task, actor, fresh=fresh)
    for notice in wait.notifications:  # the process's send tasks reached in this step
        outbound.process_notice(app, notice.template, notice.to, notice.channels, notice.task_id,
                                staff_addresses(app, notice.to) if notice.to != policy.CITIZEN_CANDIDATE else ())
    now = datetime.now(UTC)
    changes = []
    for status in wait.entered:
        changes.append(record_event(app, actor, event, note, status=status))
        actor, event, note = None, "automatic", None  # what follows the first step is the system's
    if not wait.entered and completed_task is not None:  # a task done while the status stays (one of two opinions)
        record_event(app, actor, event, note)
    if wait.status is not None and wait.status != app.status:
        app.status = wait.status
        app.latest_status_change_at = now
    # Before anything flushes (the service calls' rows, auto_assign's query), so the application's dates ride
    # on the same UPDATE as its status. The acknowledgement goes to the citizen only: no office needed yet.
    # A send task to the citizen in this same step already told them by e-mail: the acknowledgement is then
    # posted in the Area personale only, so the process's own words are the one e-mail.
    note_milestones(app, changes,  # received (and acknowledged), taken in charge: once each
                    citizen_told=any(n.to == policy.CITIZEN_CANDIDATE for n in wait.notifications))
    # Rows of calls that may still be pending exist only where the application waited for calls.
    _sync_service_calls(app, wait, fresh=fresh or not previous_waits.get("service_calls"))
    if app.status != previous_status:
        auto_assign(app)  # before anyone is told: operators' e-mails go to the office it picks
    db.session.flush()
    if changes or app.status != previous_status:
        signals.application_status_changed.send(app, previous_status=previous_status, changes=tuple(changes))


def _sync_service_calls(app: Application, wait: engine.WaitState, *, fresh: bool = False) -> None:
    """`fresh`: the application had no calls to wait for before this step, so none to cancel or keep."""
    existing = {} if fresh else {
        row.task_id: row
        for row in db.session.scalars(select(ServiceCallRow).where(ServiceCallRow.application_id == app.id))
    }
    waiting = {call.task_id for call in wait.service_calls}
    external_protocol = options_of(app.service_version).protocol_handler == "external"
    for task_id, row in existing.items():
        if task_id not in waiting and not row.detached and row.status in ("pending", "failed"):
            row.status = "cancelled"  # e.g. withdrawn while a call was pending: the worker skips it
    for call in wait.service_calls:
        if call.task_id in existing:
            continue
        row = ServiceCallRow(  # its id given here: inserted by the step's flush, with the rest
            id=uuid.uuid4(), tenant_id=app.tenant_id, application_id=app.id, task_id=call.task_id,
            bpmn_id=call.bpmn_id, operation=call.operation, params=call.params, max_attempts=max(1, call.retries + 1),
        )
        db.session.add(row)
        open_registration(app, row)  # a protocol call gets its own document now, whoever numbers it
        if call.operation.startswith("protocol.") and external_protocol:
            continue  # an external register reports back through the API (POST .../protocol/{stage})
        call_id = str(row.id)
        after_commit(lambda call_id=call_id: dispatch(call_id))  # type: ignore[misc]


def complete_task(app: Application, action: str, data: dict[str, Any], actor: User, event: str,
                  note: str | None = None) -> engine.WaitState:
    """Complete the READY user task that offers `action`, under the row lock the caller holds."""
    task = next((t for t in app.waits.get("user_tasks", []) if action in t.get("actions", [])), None)
    if task is None:
        raise TransitionNotAllowed(
            f"L'azione '{action}' non è consentita nello stato «{statuses.app_label(app)}».",
            application_status=app.status,
        )
    return _complete(app, task["task_id"], {"action": action, **data}, None, actor, event, note)


def complete_user_task(app: Application, task: ProcessTask, data: dict[str, Any], answers: dict[str, Any],
                       actor: User) -> engine.WaitState:
    """Complete a READY task of the process with its form's `answers`, under the caller's row lock."""
    return _complete(app, str(task.id), data, answers, actor, TASK_COMPLETED_EVENT, task.label)


def _complete(app: Application, task_id: str, data: dict[str, Any], answers: dict[str, Any] | None,
              actor: User, event: str, note: str | None) -> engine.WaitState:
    instance = restore(app)
    try:
        wait = instance.complete_user_task(task_id, data, answers=answers)
    except engine.TaskNotReady as exc:
        raise Conflict("La pratica è cambiata nel frattempo: ricarica e riprova.") from exc
    except engine.EngineError as exc:
        raise process_failed(app, exc) from exc
    persist(app, instance, wait, actor, event, note, completed_task=task_id)
    return wait


def send_message(app: Application, name: str, actor: User | None, event: str, note: str | None = None,
                 payload: dict[str, Any] | None = None) -> None:
    instance = restore(app)
    try:
        wait = instance.send_message(name, payload)
    except engine.MessageNotExpected as exc:
        raise TransitionNotAllowed(
            f"Operazione non consentita nello stato «{statuses.app_label(app)}».", application_status=app.status
        ) from exc
    except engine.EngineError as exc:
        raise process_failed(app, exc) from exc
    persist(app, instance, wait, actor, event, note)
