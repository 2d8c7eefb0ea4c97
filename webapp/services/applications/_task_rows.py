"""The projection of a process's READY user tasks into rows (ProcessTask), rebuilt at every step."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Uuid, bindparam, case, cast, null, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

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


def sync_tasks(app: Application, wait: engine.WaitState, previous_waits: dict[str, Any], completed: str | None,
               actor: User | None, *, fresh: bool = False) -> None:
    """Inside the step's unit of work: new READY tasks get a row; those no longer ready end.

    `fresh`: the application was inserted in this unit of work, so it has no rows to read or end.
    Rows are written, never read: the rows READY before this step are those of `previous_waits` (the
    application's waits before it, written with the rows at every step), those that end are ended by
    one UPDATE, and a new task that somehow has a row already keeps it (INSERT ... ON CONFLICT DO NOTHING)."""
    now = datetime.now(UTC)
    before = set() if fresh else {t.get("task_id") for t in previous_waits.get("user_tasks", [])}
    waiting = [uuid.UUID(task.task_id) for task in wait.user_tasks]
    new_rows = [_row_values(app, task, now) for task in wait.user_tasks if task.task_id not in before]
    if fresh:
        db.session.add_all(ProcessTask(**values) for values in new_rows)
        return
    done = uuid.UUID(completed) if completed is not None else None
    with db.session.no_autoflush:  # the application's own changes go in one UPDATE, at the step's flush
        if new_rows:
            db.session.execute(_insert_new(new_rows))
        db.session.execute(_END_TASKS, {"of_application": app.id, "waiting": waiting, "done": done, "now": now,
                                        "completed_by": actor.id if actor is not None and done is not None else None})


# Built once (every step runs it): the rows READY before the step and not waiting after it end, the completed
# one as completed by the actor (NULL for none), the others cancelled. Every value is an SQL expression: the
# session's copies of the rows are then read back (synchronize "fetch"); a plain bind parameter would be
# evaluated in Python with the value it had when built, none, and leave `ended_at` None on them.
_END_TASKS = (
    update(ProcessTask)
    .where(ProcessTask.application_id == bindparam("of_application"), ProcessTask.state == TASK_READY,
           ProcessTask.id.not_in(bindparam("waiting", expanding=True)))
    .values(state=case((ProcessTask.id == bindparam("done"), TASK_COMPLETED), else_=TASK_CANCELLED),
            ended_at=cast(bindparam("now"), DateTime(timezone=True)),
            completed_by_id=case((ProcessTask.id == bindparam("done"), bindparam("completed_by", type_=Uuid)),
                                 else_=null()))
    .execution_options(synchronize_session="fetch")
)


def _row_values(app: Application, task: engine.UserTask, now: datetime) -> dict[str, Any]:
    candidate = policy.candidate_kind(task.candidate)
    return {"id": uuid.UUID(task.task_id), "tenant_id": app.tenant_id, "application_id": app.id,
            "service_id": app.service_id, "bpmn_id": task.bpmn_id, "label": (task.label or task.bpmn_id)[:300],
            "form": task.form, "variable": task.variable, "candidate": candidate,
            "office_id": _named_office(app.tenant_id, candidate), "actions": list(task.actions),
            "status_code": task.status, "state": TASK_READY, "created_at": now}


def _insert_new(rows: list[dict[str, Any]]) -> Any:
    """The new rows in one statement; one that exists already stays as it is."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sqlite_insert(ProcessTask).values(rows).on_conflict_do_nothing(index_elements=["id"])
    return pg_insert(ProcessTask).values(rows).on_conflict_do_nothing(index_elements=["id"])


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


def ready_tasks(app: Application) -> list[ProcessTask]:
    return list(db.session.scalars(select(ProcessTask).where(
        ProcessTask.application_id == app.id, ProcessTask.state == TASK_READY).order_by(ProcessTask.created_at)))


def task_form(app: Application, ref: str | None) -> forms.Form | None:
    """The form a task names, from the application's own service version (None: a task without one)."""
    if not ref or ref not in (app.service_version.forms or {}):
        return None
    return catalogue.form_for(app.service_version, ref)
