"""The user tasks of an application's process as work: projected at every step, listed, completed.

Every READY user task is a row (ProcessTask) naming who completes it (see policy: cittadino, ufficio,
ufficio:<code>, responsabile). Completing one validates its form's data with the same validator the
citizen forms use, advances the engine and writes the history with the actor and the task's label.
The standard lifecycle's own forms keep their handling (outcome, integration request, taking in
charge): a task with one of them runs the same command its button runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

import forms
from webapp.extensions import db
from webapp.models import (
    TASK_READY,
    Application,
    Office,
    ProcessTask,
    Tenant,
    User,
)
from webapp.services import catalogue
from webapp.services.common import policy
from webapp.services.common.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from webapp.services.common.tenancy import parse_uuid, scoped
from webapp.services.common.uow import unit_of_work
from webapp.services.common.uploads import store_attachment

from . import _process, _task_rows, _transitions
from ._commands import command_for
from ._drafts import check_version, validate_data

TASK_ATTACHMENT = "task_attachment"


@dataclass(frozen=True)
class TaskView:
    """A READY task as its candidate sees it: what to do, on which application, with which form."""

    row: ProcessTask
    form: forms.Form | None

    @property
    def schema(self) -> dict[str, Any]:
        return self.form.schema if self.form is not None else {"type": "object"}


def list_tasks(tenant: Tenant, user: User, app_id: Any) -> list[TaskView]:
    """The READY tasks of one application that `user` may complete."""
    app = policy.get_application(user, tenant, app_id)
    rows = db.session.scalars(select(ProcessTask).where(
        ProcessTask.application_id == app.id, ProcessTask.state == TASK_READY).order_by(ProcessTask.created_at))
    return [TaskView(row, _task_rows.task_form(app, row.form)) for row in rows
            if policy.can_complete_task(user, app, row.candidate, row.office_id)]


@dataclass(frozen=True)
class InboxFilters:
    service: str | None = None
    office: str | None = None  # an office code
    offset: int = 0
    limit: int = 20


def inbox(tenant: Tenant, user: User, filters: InboxFilters) -> tuple[list[TaskView], int]:
    """The READY tasks `user` may complete across applications, oldest first, with their count."""
    query = (scoped(ProcessTask, tenant).where(ProcessTask.state == TASK_READY)
             .join(Application, Application.id == ProcessTask.application_id)
             .where(Application.id.in_(policy.visible_applications(user, tenant).with_only_columns(Application.id))))
    if filters.service:
        query = query.where(ProcessTask.service_id == catalogue.get_service(tenant, filters.service).id)
    if filters.office:
        office = db.session.scalar(scoped(Office, tenant).where(Office.code == filters.office))
        if office is None:
            raise NotFound("Ufficio non trovato.")
        query = query.where((ProcessTask.office_id == office.id) | (
            (ProcessTask.office_id.is_(None)) & (Application.office_id == office.id)))
    rows = [row for row in db.session.scalars(query.order_by(ProcessTask.created_at, ProcessTask.id))
            if policy.can_complete_task(user, row.application, row.candidate, row.office_id)]
    page = rows[filters.offset:filters.offset + filters.limit]
    return [TaskView(row, _task_rows.task_form(row.application, row.form)) for row in page], len(rows)


def complete_task(tenant: Tenant, user: User, app_id: Any, task_id: Any, data: Mapping[str, Any],
                  action: str | None = None, expected_version: int | None = None, *,
                  uploads: Mapping[str, forms.Upload] | None = None) -> Application:
    """Complete one READY task with its form's data; 404 when the caller may not, 409 when it is no longer
    ready (two operators racing: the first wins, the second is told)."""
    key = parse_uuid(task_id)
    if key is None:
        raise NotFound("Attività non trovata.")
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id, lock=True)
        row = db.session.get(ProcessTask, key)
        if row is None or row.application_id != app.id or not policy.can_complete_task(
                user, app, row.candidate, row.office_id):
            raise NotFound("Attività non trovata.")
        if row.state != TASK_READY:
            raise Conflict("L'attività è già stata completata o non è più da svolgere.")
        check_version(app, expected_version)
        chosen = _chosen_action(row, data, action)
        if row.form in policy.LIFECYCLE_FORMS and chosen:
            return _transitions.transition(tenant, user, app.id, command_for(chosen, dict(data)), expected_version)
        form = _task_rows.task_form(app, row.form)
        answers = dict(data)
        for name, upload in (uploads or {}).items():  # a page's files: stored now, removed if the step fails
            answers[name] = str(store_attachment(app, upload, user, TASK_ATTACHMENT).id)
        if form is not None:
            validate_data(app, form, answers, draft=False)
        _process.complete_user_task(app, row, {"action": chosen} if chosen else {}, answers, user)
    return app


def _chosen_action(row: ProcessTask, data: Mapping[str, Any], action: str | None) -> str | None:
    if not row.actions:
        return None
    chosen = action or (data.get("action") if isinstance(data.get("action"), str) else None)
    if chosen is None and len(row.actions) == 1:
        return str(row.actions[0])
    if chosen not in row.actions:
        raise ValidationFailed([FieldProblem("/action", f"Scegli una di: {', '.join(row.actions)}.", "enum")])
    return chosen
