"""The citizen's multi-step form: start a draft, fill and save each step, preview, summary, submit.

Steps come from the form's UI schema, after a first "privacy" step. Field errors keep the page
(nothing saved); a valid step is saved as the draft's data in one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import forms
from webapp.extensions import db
from webapp.models import Application, Attachment, Service, Tenant, User
from webapp.services import catalogue
from webapp.services.common import policy, statuses
from webapp.services.common.errors import NotFound, TransitionNotAllowed
from webapp.services.common.uow import unit_of_work

from . import _drafts, _files, _once_only, _transitions
from ._commands import Submit

SUMMARY = "riepilogo"
UNKNOWN_FIELD = "Campo non previsto dal modulo"
CHOOSE_AGAIN = "Scegli di nuovo il file: non è stato conservato perché il modulo ha degli errori."


@dataclass
class StepState:
    id: str
    title: str
    confirmed: bool  # valid and before the first incomplete step: a link back
    reachable: bool


@dataclass
class StepPage:
    service: Service
    form: forms.Form
    step: forms.Step
    steps: list[StepState]
    fields: list[forms.FieldView]
    conditional: list[forms.FieldView]
    errors: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    app: Application | None = None
    files: dict[str, Attachment] = field(default_factory=dict)
    dynamic: bool = False  # the step has conditional sections: htmx refreshes them

    @property
    def index(self) -> int:
        return [s.id for s in self.steps].index(self.step.id)

    @property
    def error_items(self) -> list[tuple[str, str, str]]:
        """(anchor id, label, message) for the error summary, in page order."""
        items = []
        for view in [*self.fields, *self.conditional]:
            for leaf in view.children or [view]:
                if leaf.error:
                    items.append((leaf.id, leaf.label if not view.children else f"{view.label}: {leaf.label}",
                                  leaf.error))
        items += [("modulo", name, UNKNOWN_FIELD) for name in self.unknown]
        return items


def _step_states(form: forms.Form, data: dict[str, Any]) -> list[StepState]:
    states, blocked = [], False
    errors = form.errors_by_step(data)
    for step in form.steps:
        valid = not errors[step.id]
        states.append(StepState(step.id, step.title, confirmed=valid and not blocked, reachable=not blocked))
        blocked = blocked or not valid
    states.append(StepState(SUMMARY, "Riepilogo", confirmed=False, reachable=not blocked))
    return states


def resume_target(app: Application) -> str:
    """Where a draft resumes: the step last saved, unless an earlier one is incomplete."""
    states = _step_states(catalogue.form_for(app.service_version), app.data)
    reachable = [s.id for s in states if s.reachable]
    if app.last_compiled_step in reachable:
        return str(app.last_compiled_step)
    return reachable[-1]


def _find_step(form: forms.Form, step_id: str) -> forms.Step:
    step = next((s for s in form.steps if s.id == step_id), None)
    if step is None:
        raise NotFound("Passo del modulo inesistente.")
    return step


def _page(service: Service, form: forms.Form, step_id: str, data: dict[str, Any],
          errors: dict[str, str] | None = None, app: Application | None = None, user: User | None = None) -> StepPage:
    step = _find_step(form, step_id)
    active = form.active_fields(data)
    required = forms.required_fields(form, active)
    conditional = forms.conditional_fields(form.schema)
    names = [n for n in step.fields if n in active]
    errors = errors or {}
    files = _files.field_files(app, form, data) if app is not None else {}
    page = StepPage(
        service=service, form=form, step=step, steps=_step_states(form, data),
        fields=forms.build_fields(form, [n for n in names if n not in conditional], data, errors, required),
        conditional=forms.build_fields(form, [n for n in names if n in conditional], data, errors, required),
        errors=errors, app=app, files=files, dynamic=bool(set(step.fields) & conditional),
    )
    if user is not None:  # the note beside what the ente already held: the citizen sees it is not a guess
        since = _once_only.held_since(user, form, data)
        for view in [*page.fields, *page.conditional]:
            view.held_since = since.get(view.name)
    return page


# --- Prefill ("once only") ---

def prefill(user: User, form: forms.Form) -> dict[str, Any]:
    """Applicant data the Comune already holds, for the fields the form declares, when valid."""
    return _once_only.prefill(user, form, _drafts.DRAFT_TOLERATED)


# --- Starting a new application: the privacy step has no draft yet ---

def new_application_page(tenant: Tenant, user: User, service_key: str,
                         errors: dict[str, str] | None = None) -> StepPage:
    service = catalogue.get_service(tenant, service_key)
    form = catalogue.form_for(service.current_version)
    return _page(service, form, form.steps[0].id, prefill(user, form), errors, user=user)


def start_application(tenant: Tenant, user: User, service_key: str, formdata: Any,
                      files: Any, action: str) -> tuple[Application | None, StepPage | None]:
    """Create the draft from the first step; (None, page with errors) when the step is not valid."""
    service = catalogue.get_service(tenant, service_key)
    form = catalogue.form_for(service.current_version)
    step = form.steps[0]
    posted = forms.parse_step(form, step.fields, formdata, files)
    file_fields = forms.attachment_names(form, step.fields)
    values = {k: v for k, v in posted.values.items() if k not in file_fields}  # no file exists before the draft
    data = {**prefill(user, form), **values, **{name: forms.placeholder_id() for name in posted.uploads}}
    active = form.active_fields(data)
    data = {k: v for k, v in data.items() if k in active}
    upload_errors = _files.check_uploads(posted.uploads)
    problems = {**_step_errors(form, step.id, data, action), **upload_errors}
    if problems or posted.unknown:  # nothing to attach a file to yet: the citizen is told to choose it again
        problems.update({"/" + name: CHOOSE_AGAIN for name in posted.uploads if "/" + name not in problems})
        page = _page(service, form, step.id, {k: v for k, v in data.items() if k not in posted.uploads}, problems,
                     user=user)
        page.unknown = posted.unknown
        return None, page
    with unit_of_work():
        app = _drafts.create_application(tenant, user, service.slug, {
            k: v for k, v in data.items() if k not in posted.uploads})
        if posted.uploads:
            _files.store_uploads(app, user, posted.uploads, data)
            _drafts.update_draft(tenant, user, app.id, data, app.version)
        app.last_compiled_step = step.id if action == "save" else _next_step(form, step.id)
    return app, None


def _step_errors(form: forms.Form, step_id: str, data: dict[str, Any], action: str) -> dict[str, str]:
    errors = form.validate_step(step_id, data)
    if action == "save":  # a draft may miss required fields, never hold wrong ones
        errors = [e for e in errors if e.code not in _drafts.DRAFT_TOLERATED]
    return forms.expand_errors(form, errors)


def _next_step(form: forms.Form, step_id: str) -> str:
    ids = [s.id for s in form.steps]
    index = ids.index(step_id)
    return ids[index + 1] if index + 1 < len(ids) else SUMMARY


def previous_step(form: forms.Form, step_id: str) -> str | None:
    ids = [s.id for s in form.steps] + [SUMMARY]
    index = ids.index(step_id)
    return ids[index - 1] if index > 0 else None


# --- Drafts: one step at a time ---

def get_draft(tenant: Tenant, user: User, app_id: Any) -> Application:
    """The applicant's own draft; NotFound for anyone else's, TransitionNotAllowed once sent."""
    app = policy.get_application(user, tenant, app_id)
    if app.user_id != user.id:
        raise NotFound()
    if app.status != statuses.DRAFT:
        raise TransitionNotAllowed("La pratica è già stata inviata.", application_status=app.status)
    return app


def step_page(tenant: Tenant, user: User, app_id: Any, step_id: str) -> StepPage:
    app = get_draft(tenant, user, app_id)
    form = catalogue.form_for(app.service_version)
    return _page(app.service, form, step_id, app.data, app=app, user=user)


def is_reachable(page: StepPage) -> bool:
    return any(s.id == page.step.id and s.reachable for s in page.steps)


def preview_step(tenant: Tenant, user: User, app_id: Any, step_id: str, formdata: Any) -> StepPage:
    """The step re-drawn with the posted values (conditional sections): nothing is saved or shown as error."""
    app = get_draft(tenant, user, app_id)
    form = catalogue.form_for(app.service_version)
    step = _find_step(form, step_id)
    posted = forms.parse_step(form, step.fields, formdata, {})
    values = _files.known_values(app, form, posted.values)
    return _page(app.service, form, step_id, _merge(form, app.data, step, values, posted.removed), app=app,
                 user=user)


def _merge(form: forms.Form, data: dict[str, Any], step: forms.Step, values: dict[str, Any],
           removed: set[str]) -> dict[str, Any]:
    """The draft's data with this step's fields replaced (a file field keeps its file unless removed or
    replaced); fields that no longer apply dropped."""
    keep_files = {n: data[n] for n in forms.attachment_names(form, step.fields) if n in data and n not in removed}
    merged = {k: v for k, v in data.items() if k not in step.fields}
    merged.update(keep_files)
    merged.update(values)
    active = form.active_fields(merged)
    return {k: v for k, v in merged.items() if k in active}


def save_step(tenant: Tenant, user: User, app_id: Any, step_id: str, formdata: Any, files: Any,
              action: str, version: int | None) -> tuple[Application, StepPage | None]:
    """Save the step (action "next" or "save"); (app, page with errors) when it is not valid."""
    app = get_draft(tenant, user, app_id)
    form = catalogue.form_for(app.service_version)
    step = _find_step(form, step_id)
    posted = forms.parse_step(form, step.fields, formdata, files)
    upload_errors = _files.check_uploads(posted.uploads)
    good = {name: upload for name, upload in posted.uploads.items() if "/" + name not in upload_errors}
    known = _files.known_values(app, form, posted.values)  # a refused upload leaves its field as it was
    merged = _merge(form, app.data, step, {**known, **{name: forms.placeholder_id() for name in good}},
                    posted.removed)
    problems = {**_step_errors(form, step_id, merged, action), **upload_errors}
    if posted.unknown:
        page = _page(app.service, form, step_id, merged, problems, app=app, user=user)
        page.unknown = posted.unknown
        return app, page
    before = _files.refs(form, step.fields, app.data, known)
    with unit_of_work():
        locked = policy.get_application(user, tenant, app.id, lock=True)
        # A valid file is stored even when the step has errors elsewhere: the page shows it as already
        # uploaded, and the draft refers to it once the step is saved.
        _files.store_uploads(locked, user, good, merged)
        if not problems:
            _drafts.update_draft(tenant, user, app.id, merged, version)
            locked.last_compiled_step = step_id if action == "save" else _next_step(form, step_id)
        _files.discard_unused(locked, form, before, merged, locked.data)
    if problems:
        return locked, _page(app.service, form, step_id, merged, problems, app=locked, user=user)
    return locked, None


# --- Summary and submission ---

@dataclass
class SummaryGroup:
    step: StepState
    rows: list[tuple[str, str]]  # (label, value as text)


def summary(tenant: Tenant, user: User, app_id: Any) -> tuple[Application, list[SummaryGroup], list[StepState]]:
    app = get_draft(tenant, user, app_id)
    form = catalogue.form_for(app.service_version)
    return app, data_groups(app, form), _step_states(form, app.data)


def data_groups(app: Application, form: forms.Form) -> list[SummaryGroup]:
    """All the data as text, grouped by step (also used on the detail page); files by their names."""
    states = {s.id: s for s in _step_states(form, app.data)}
    names = {str(a.id): a.original_filename for a in db.session.scalars(db.select(Attachment).where(
        Attachment.tenant_id == app.tenant_id, Attachment.application_id == app.id))}
    return [SummaryGroup(states[section.step.id],
                         [(row.label, row.text or ", ".join(names.get(ref, "") for ref in row.attachment_ids))
                          for row in section.rows])
            for section in forms.summarise(form, app.data)]


def submit(tenant: Tenant, user: User, app_id: Any, version: int | None) -> Application:
    """Conferma e invia; a repeated click on an already sent application is not an error."""
    app = policy.get_application(user, tenant, app_id)
    if app.user_id == user.id and app.status != statuses.DRAFT and app.submitted_at is not None:
        return app
    return _transitions.transition(tenant, user, app_id, Submit(), version)


def sent_page(tenant: Tenant, user: User, app_id: Any) -> Application:
    """The confirmation page's application: sent ones only."""
    app = policy.get_application(user, tenant, app_id)
    if app.submitted_at is None or app.user_id != user.id:
        raise NotFound()
    return app
