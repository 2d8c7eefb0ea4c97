"""The projection of a process's READY user tasks into rows (ProcessTask), rebuilt at every step."""

from __future__ import annotations

import uuid
import weakref
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import SessionTransaction

import engine
import forms
from webapp.extensions import db
from webapp.models import (
    MANAGER,
    OPERATOR,
    TASK_CANCELLED,
    TASK_COMPLETED,
    TASK_READY,
    Application,
    Office,
    ProcessTask,
    User,
    operator_services,
)
from webapp.services import catalogue
from webapp.services.common import policy


def sync_tasks(app: Application, wait: engine.WaitState, completed: str | None, actor: User | None,
               *, fresh: bool = False) -> None:
    """Inside the step's unit of work: new READY tasks get a row; those no longer ready end.

    `fresh`: the application was inserted in this unit of work, so it has no rows to read or end."""
    ready = {} if fresh else {row.id: row for row in _taken_ready_rows(app)}
    now = datetime.now(UTC)
    waiting: set[uuid.UUID] = set()
    for task in wait.user_tasks:
        task_id = uuid.UUID(task.task_id)
        waiting.add(task_id)
        if task_id in ready or (not fresh and db.session.get(ProcessTask, task_id) is not None):
            continue
        candidate = policy.candidate_kind(task.candidate)
        db.session.add(ProcessTask(
            id=task_id, tenant_id=app.tenant_id, application_id=app.id, service_id=app.service_id,
            bpmn_id=task.bpmn_id, label=(task.label or task.bpmn_id)[:300], form=task.form, variable=task.variable,
            candidate=candidate, office_id=_named_office(app.tenant_id, candidate), actions=list(task.actions),
            status_code=task.status, state=TASK_READY, created_at=now))
    for task_id, row in ready.items():
        if task_id in waiting:
            continue
        done = completed is not None and str(task_id) == completed
        row.state, row.ended_at = (TASK_COMPLETED if done else TASK_CANCELLED), now
        row.completed_by_id = actor.id if done and actor is not None else None


def _named_office(tenant_id: uuid.UUID, candidate: str) -> uuid.UUID | None:
    if not candidate.startswith(policy.NAMED_OFFICE):
        return None
    code = candidate.removeprefix(policy.NAMED_OFFICE)
    return db.session.scalar(select(Office.id).where(Office.tenant_id == tenant_id, Office.code == code))


def staff_addresses(app: Application, candidate: str) -> list[str]:
    """The e-mail addresses of the staff a process's notice names (`to`): an office, the managers."""
    kind = policy.candidate_kind(candidate)
    query = select(User).where(User.tenant_id == app.tenant_id, User.email.is_not(None))
    if kind == policy.MANAGER_CANDIDATE:
        query = query.where(User.role == MANAGER)
    elif kind.startswith(policy.NAMED_OFFICE):
        query = query.where(User.office_id == _named_office(app.tenant_id, kind), User.role.in_((OPERATOR, MANAGER)))
    elif kind == policy.OFFICE_CANDIDATE:
        query = query.join(operator_services, operator_services.c.user_id == User.id).where(
            operator_services.c.service_id == app.service_id)
        if app.office_id is not None:
            query = query.where(User.office_id == app.office_id)
    else:
        return []
    return sorted({user.email for user in db.session.scalars(query) if user.email})


# The READY rows a command read to pick its task, for the same step's sync_tasks to reuse instead of reading
# them again. Keyed by the transaction: the application's row lock, under which they were read, ends with
# it, so rows read in another transaction are never reused; and taken once, since the step then changes them.
_READ_UNDER_LOCK: weakref.WeakKeyDictionary[SessionTransaction, tuple[uuid.UUID, list[ProcessTask]]] = (
    weakref.WeakKeyDictionary())


def ready_tasks(app: Application) -> list[ProcessTask]:
    rows = _read_ready_rows(app)
    transaction = db.session().get_transaction()
    if transaction is not None:
        _READ_UNDER_LOCK[transaction] = (app.id, rows)
    return list(rows)


def _read_ready_rows(app: Application) -> list[ProcessTask]:
    return list(db.session.scalars(select(ProcessTask).where(
        ProcessTask.application_id == app.id, ProcessTask.state == TASK_READY).order_by(ProcessTask.created_at)))


def _taken_ready_rows(app: Application) -> list[ProcessTask]:
    transaction = db.session().get_transaction()
    read = _READ_UNDER_LOCK.pop(transaction, None) if transaction is not None else None
    return read[1] if read is not None and read[0] == app.id else _read_ready_rows(app)


def task_form(app: Application, ref: str | None) -> forms.Form | None:
    """The form a task names, from the application's own service version (None: a task without one)."""
    if not ref or ref not in (app.service_version.forms or {}):
        return None
    return catalogue.form_for(app.service_version, ref)
