"""Task forms on pages: a READY user task drawn with the citizen forms' renderer, and its posted answer.

The same page model serves the back office (an office's task) and the Area personale (the citizen's):
fields from the task's JSON-schema form, with Italian field errors from the one validator; files of the
form are stored with the answer, in the same step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import forms
from webapp.models import Application, Tenant, User
from webapp.services import applications
from webapp.services.common import policy
from webapp.services.common.errors import FieldProblem, NotFound, ValidationFailed


@dataclass(frozen=True)
class TaskForm:
    """One task as a form on a page: its fields (with values and errors) and the choices it offers."""

    task: applications.TaskView
    fields: list[forms.FieldView]
    errors: dict[str, str] = field(default_factory=dict)
    action: str | None = None

    @property
    def id(self) -> str:
        return str(self.task.row.id)


def _names(form: forms.Form) -> list[str]:
    return [name for step in form.steps for name in step.fields]


def task_form(view: applications.TaskView, data: dict[str, Any] | None = None,
              errors: dict[str, str] | None = None, action: str | None = None) -> TaskForm:
    form = view.form
    if form is None:
        return TaskForm(view, [], errors or {}, action)
    values = data or {}
    active = form.active_fields(values)
    fields = forms.build_fields(form, _names(form), values, errors or {}, forms.required_fields(form, active))
    return TaskForm(view, fields, errors or {}, action)


def task_forms(tenant: Tenant, user: User, app_id: Any) -> list[TaskForm]:
    """The forms of the process's own tasks `user` may complete on this application (the standard
    lifecycle's steps have their buttons and pages instead)."""
    return [task_form(view) for view in applications.list_tasks(tenant, user, app_id)
            if view.row.form not in policy.LIFECYCLE_FORMS]


def own_tasks(tenant: Tenant, user: User) -> list[applications.TaskView]:
    """What waits for `user` across applications (the Area personale's "Da completare"), oldest first."""
    rows, _count = applications.inbox(tenant, user, applications.InboxFilters(limit=100))
    return [view for view in rows if view.row.form not in policy.LIFECYCLE_FORMS]


def task_page(tenant: Tenant, user: User, app_id: Any, task_id: str) -> TaskForm:
    for found in task_forms(tenant, user, app_id):
        if found.id == task_id:
            return found
    raise NotFound("Attività non trovata.")


def submit_task(tenant: Tenant, user: User, app_id: Any, task_id: str, formdata: forms.FormValues,
                files: forms.PostedFiles, version: int | None) -> Application:
    """A posted task form: its values typed back to JSON, its files stored, then the task completed."""
    page = task_page(tenant, user, app_id, task_id)
    form = page.task.form
    data: dict[str, Any] = {}
    uploads: dict[str, forms.Upload] = {}
    if form is not None:
        posted = forms.parse_step(form, tuple(_names(form)), formdata, files)
        unknown = [name for name in posted.unknown if name != "action"]
        if unknown:
            raise ValidationFailed([FieldProblem(f"/{n}", "Campo non previsto dal modulo", "additionalProperties")
                                    for n in unknown])
        data, uploads = posted.values, posted.uploads
    action = formdata.get("action") or None
    return applications.complete_task(tenant, user, app_id, task_id, data, action, version, uploads=uploads)


def posted_task(tenant: Tenant, user: User, app_id: Any, task_id: str, formdata: forms.FormValues,
                error: ValidationFailed) -> TaskForm:
    """The task form again, with what was typed and the errors next to their fields."""
    page = task_page(tenant, user, app_id, task_id)
    form = page.task.form
    values = forms.parse_step(form, tuple(_names(form)), formdata, {}).values if form is not None else {}
    errors = forms.expand_errors(form, [forms.FieldError(p.pointer, p.message, p.code) for p in error.errors]) \
        if form is not None else {p.pointer: p.message for p in error.errors}
    return task_form(page.task, values, errors, formdata.get("action") or None)
