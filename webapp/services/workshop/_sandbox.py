"""The sandbox ("Prova il servizio"): an administrator walks a service's DRAFT through the real engine.

Nothing leaves the platform and nothing is an application: no Application row, no outbox message, no
pagoPA notice, no protocol number. Service calls complete at once with a simulated result (marked
`simulato`), notifications are only logged, timers fire on request. The run keeps the draft's files
and process spec as they were when it started, so saving the draft meanwhile does not break it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import engine
import forms
from webapp.extensions import db
from webapp.models import SandboxRun, Tenant, User
from webapp.services import catalogue
from webapp.services.common import policy, statuses
from webapp.services.common.errors import BadRequest, Conflict
from webapp.services.common.options import parse_options
from webapp.services.common.process_start import PROCESS_FORM_DATA, start_data
from webapp.services.common.uow import unit_of_work

from . import _files
from ._drafts import draft_row, find_service, problems_in
from ._problems import Problem, problems_of
from ._sandbox_pages import (
    MAIN_FORM,
    MESSAGE_LABELS,
    FormPage,
    RunView,
    field_names,
    form_of,
    office_names,
    sandbox_run,
    status_label,
    who_completes,
)
from ._sandbox_store import files_hash, find_run, manifest_of, restored, store_step

SUBMIT = "submit"
MAX_AUTOMATIC = 50  # simulated calls in one step: a loop of calls is a modelling error, not a hang
SYSTEM = "Sistema (simulato)"

# --- Starting: the draft checked, then its main form ---

def _load(slug: str, files: dict[str, str]) -> tuple[engine.ServiceDefinition | None, list[Problem]]:
    try:
        with _files.materialised(slug, files) as folder:
            return catalogue.checked_definition(folder), []
    except engine.DefinitionError as exc:
        return None, problems_of(exc)
    except BadRequest as exc:
        return None, [Problem("", None, exc.description)]


def _checked(tenant: Tenant, slug: str) -> tuple[Any, dict[str, str], engine.ServiceDefinition | None,
                                                 list[Problem]]:
    service = find_service(tenant, slug)
    files = dict(draft_row(tenant, service).files)
    problems = problems_in(service.slug, files)  # the same checks as publishing
    if problems:
        return service, files, None, problems
    definition, problems = _load(service.slug, files)
    if definition is not None and MAIN_FORM not in definition.forms:
        problems = [Problem("service.yaml", None, f"il servizio non ha il modulo principale '{MAIN_FORM}'")]
    return service, files, definition, problems


def _step_fields(form: forms.Form, data: dict[str, Any],
                 errors: dict[str, str]) -> list[tuple[forms.Step, list[forms.FieldView]]]:
    """Every step of the form with its fields, drawn as the citizen's step pages draw them."""
    active = form.active_fields(data)
    required = forms.required_fields(form, active)
    return [(step, forms.build_fields(form, [n for n in step.fields if n in active], data, errors, required))
            for step in form.steps]


def _conditional(form: forms.Form) -> frozenset[str]:
    return frozenset(forms.conditional_fields(form.schema))


def sandbox_form(tenant: Tenant, user: User, slug: str) -> FormPage:
    policy.require_workshop(user, tenant, edit=True)
    service, _files_now, definition, problems = _checked(tenant, slug)
    if definition is None or problems:
        return FormPage(service.slug, service.name, problems)
    form = form_of(MAIN_FORM, definition.forms[MAIN_FORM])
    return FormPage(service.slug, service.name, [], _step_fields(form, {}, {}), conditional=_conditional(form))


def sandbox_preview(tenant: Tenant, user: User, slug: str, formdata: forms.FormValues) -> FormPage:
    """The main form again for the values typed so far, without their errors: a field shown only for some
    answer appears (or goes) as the administrator answers, as on the citizen's step pages."""
    policy.require_workshop(user, tenant, edit=True)
    service, _files_now, definition, problems = _checked(tenant, slug)
    if definition is None or problems:
        return FormPage(service.slug, service.name, problems)
    form = form_of(MAIN_FORM, definition.forms[MAIN_FORM])
    data, _errors = _posted(form, formdata, {})
    return FormPage(service.slug, service.name, [], _step_fields(form, data, {}), conditional=_conditional(form))


def sandbox_start(tenant: Tenant, user: User, slug: str, formdata: forms.FormValues,
          files: forms.PostedFiles) -> tuple[str | None, FormPage | None]:
    """A new run from the posted main form: (run id, None), or (None, the page with its errors or the
    draft's problems). The administrator is the fictitious applicant; uploaded files are not kept."""
    policy.require_workshop(user, tenant, edit=True)
    service, files_now, definition, problems = _checked(tenant, slug)
    if definition is None or problems:
        return None, FormPage(service.slug, service.name, problems)
    form = form_of(MAIN_FORM, definition.forms[MAIN_FORM])
    data, errors = _posted(form, formdata, files)
    if errors:
        return None, FormPage(service.slug, service.name, [], _step_fields(form, data, errors), errors,
                              conditional=_conditional(form))
    log: list[dict[str, Any]] = []
    try:
        instance, wait = engine.start_instance(definition.process, start_data(
            parse_options(definition.manifest.get("options")), data, user))
        instance, wait = _submit_main_form(instance, wait, data, log, definition.manifest)
        wait = _automatic(instance, wait, log, definition.manifest)
    except engine.EngineError as exc:
        return None, FormPage(service.slug, service.name, [Problem("", None, f"Il processo si è fermato: {exc}")],
                              _step_fields(form, data, {}), conditional=_conditional(form))
    with unit_of_work():
        run = SandboxRun(id=uuid.uuid4(), tenant_id=tenant.id, service_id=service.id, started_by_id=user.id,
                         files_hash=files_hash(files_now), files=files_now, spec_blob=definition.process.blob,
                         forms=definition.forms, engine_state=instance.dump(), data={PROCESS_FORM_DATA: data},
                         steps=log, status=wait.status, completed=wait.completed)
        db.session.add(run)
    return str(run.id), None


def _posted(form: forms.Form, formdata: forms.FormValues, files: forms.PostedFiles,
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted values typed back to JSON and validated by the one validator; a file stands in by a
    placeholder (a sandbox keeps no file)."""
    posted = forms.parse_step(form, tuple(field_names(form)), formdata, files)
    data = {**posted.values, **{name: forms.placeholder_id() for name in posted.uploads}}
    active = form.active_fields(data)
    data = {k: v for k, v in data.items() if k in active}
    errors = forms.expand_errors(form, form.validate(data))
    for name in posted.unknown:
        if name not in ("action", "csrf_token"):
            errors["/" + name] = "Campo non previsto dal modulo"
    return data, errors


def _submit_main_form(instance: engine.Instance, wait: engine.WaitState, data: dict[str, Any],
                      log: list[dict[str, Any]], manifest: dict[str, Any]) -> tuple[engine.Instance, engine.WaitState]:
    """The citizen's submission, as the real path makes it: the READY `domanda` task completed with
    `submit` and the form data as `domanda`."""
    task = next((t for t in wait.user_tasks if t.form == MAIN_FORM and SUBMIT in t.actions), None)
    if task is None:
        return instance, wait
    wait = instance.complete_user_task(task.task_id, {"action": SUBMIT, PROCESS_FORM_DATA: data})
    _log(log, manifest, task.bpmn_id, task.label, wait.status, who_completes(task.candidate, None),
         f"Domanda compilata e inviata ({len(data)} campi).")
    return instance, wait


# --- Walking: simulated calls, notifications logged, tasks completed, timers fired ---

def _simulated_result(call: engine.ServiceCall) -> tuple[dict[str, Any], str]:
    now = datetime.now(UTC)
    fake = uuid.uuid4().hex[:8].upper()
    op = call.operation
    if op.startswith("protocol."):
        number = f"SIM-{now:%Y}-{fake}"
        return ({"protocol_number": number, "protocol_document_id": f"simulato-{fake}",
                 "protocolled_at": now.isoformat(), "simulato": True}, f"simulato: protocollo n. {number}")
    if op == "documents.generate_receipt":
        return {"receipt_id": f"simulato-{fake}", "simulato": True}, "simulato: ricevuta non generata"
    if op == "payment.create_debt_position":
        notice = f"SIM{fake}"
        return ({"notice_code": notice, "iuv": notice, "amount": call.params.get("amount"), "simulato": True},
                f"simulato: avviso pagoPA {notice} non creato")
    return {"simulato": True}, "simulato: nessun sistema esterno chiamato"


def _automatic(instance: engine.Instance, wait: engine.WaitState, log: list[dict[str, Any]],
               manifest: dict[str, Any]) -> engine.WaitState:
    """Log the notifications reached and complete every service call with a simulated result, until
    the process waits for a person, a timer or a message (or ends)."""
    for _ in range(MAX_AUTOMATIC):
        for notice in wait.notifications:
            _log(log, manifest, notice.bpmn_id, "Notifica", wait.status, SYSTEM,
                 f"invierebbe «{notice.template}» a {who_completes(notice.to, None)} ({', '.join(notice.channels)}): "
                 "non inviata")
        if not wait.service_calls:
            _log_end(log, manifest, wait)
            return wait
        call = wait.service_calls[0]
        result, summary = _simulated_result(call)
        done = instance.complete_service_call(call.task_id, result)
        wait = done if done is not None else instance.snapshot()
        _log(log, manifest, call.bpmn_id, statuses.operation_label(call.operation), wait.status, SYSTEM, summary)
    raise engine.EngineError(f"più di {MAX_AUTOMATIC} chiamate automatiche di seguito: un ciclo senza attese?")


def _log_end(log: list[dict[str, Any]], manifest: dict[str, Any], wait: engine.WaitState) -> None:
    if wait.completed:
        _log(log, manifest, "", "Fine del processo", wait.status, SYSTEM, "Il processo è terminato.")


def _log(log: list[dict[str, Any]], manifest: dict[str, Any], element: str, label: str, status: int | None,
         who: str, summary: str) -> None:
    log.append({"at": datetime.now(UTC).isoformat(), "element": element, "label": label, "status": status,
                "status_label": status_label(status, manifest), "who": who, "summary": summary})


def sandbox_complete_task(tenant: Tenant, user: User, run_id: Any, task_id: str, formdata: forms.FormValues,
                  files: forms.PostedFiles) -> RunView | None:
    """Complete one READY task with its posted form: None when done, else the run with its errors."""
    with unit_of_work():
        run = find_run(tenant, user, run_id, edit=True, lock=True)
        instance = restored(run)
        task = next((t for t in instance.snapshot().user_tasks if t.task_id == task_id), None)
        if task is None:
            raise Conflict("L'attività non è più da svolgere: ricarica la pagina.")
        form = form_of(task.form, run.forms[task.form]) if task.form in run.forms else None
        data, errors = _posted(form, formdata, files) if form is not None else ({}, {})
        action = formdata.get("action") or (task.actions[0] if len(task.actions) == 1 else None)
        if task.actions and action not in task.actions:
            errors["/action"] = f"Scegli una di: {', '.join(statuses.action_label(a) for a in task.actions)}."
        if errors:
            return sandbox_run(tenant, user, run_id, errors={task_id: (data, errors, action)})
        manifest = manifest_of(run)
        log: list[dict[str, Any]] = []
        try:
            if task.form == MAIN_FORM:  # the citizen sends the form again (an integration): as the real path
                wait = instance.complete_user_task(task_id, {"action": action, PROCESS_FORM_DATA: data})
            else:
                wait = instance.complete_user_task(task_id, {"action": action} if action else {},
                                                   answers=data if task.variable else None)
            who = who_completes(task.candidate, office_names(tenant))
            _log(log, manifest, task.bpmn_id, task.label, wait.status, who,
                 f"Completata{f' con «{statuses.action_label(action)}»' if action else ''}.")
            wait = _automatic(instance, wait, log, manifest)
        except engine.EngineError as exc:
            raise Conflict(f"Il processo si è fermato: {exc}") from exc
        variable = PROCESS_FORM_DATA if task.form == MAIN_FORM else task.variable
        store_step(run, instance, wait, log, {variable: data} if variable and form is not None else None)
    return None


def sandbox_fire_timers(tenant: Tenant, user: User, run_id: Any) -> None:
    """"Fai scadere ora": every armed timer fires as if its time had come."""
    with unit_of_work():
        run = find_run(tenant, user, run_id, edit=True, lock=True)
        instance = restored(run)
        timers = instance.snapshot().timers
        if not timers:
            raise Conflict("Nessun termine in corso in questa prova.")
        manifest = manifest_of(run)
        log: list[dict[str, Any]] = []
        try:
            wait = instance.fire_due_timers(max(t.due_at for t in timers))
            for timer in timers:
                _log(log, manifest, timer.bpmn_id, "Scadenza di un termine", wait.status, "Amministratore (prova)",
                     f"Termine del {timer.due_at:%d/%m/%Y %H:%M} fatto scadere ora.")
            wait = _automatic(instance, wait, log, manifest)
        except engine.EngineError as exc:
            raise Conflict(f"Il processo si è fermato: {exc}") from exc
        store_step(run, instance, wait, log)


def sandbox_send_message(tenant: Tenant, user: User, run_id: Any, name: str) -> None:
    """A message the process waits for (a pagoPA receipt, a withdrawal) delivered as simulated."""
    with unit_of_work():
        run = find_run(tenant, user, run_id, edit=True, lock=True)
        instance = restored(run)
        manifest = manifest_of(run)
        log: list[dict[str, Any]] = []
        try:
            wait = instance.send_message(name, {"simulato": True})
            _log(log, manifest, "", MESSAGE_LABELS.get(name, f"Messaggio «{name}»"), wait.status,
                 "Amministratore (prova)", "simulato: messaggio consegnato al processo")
            wait = _automatic(instance, wait, log, manifest)
        except engine.MessageNotExpected as exc:
            raise Conflict("Il processo non attende più questo messaggio: ricarica la pagina.") from exc
        except engine.EngineError as exc:
            raise Conflict(f"Il processo si è fermato: {exc}") from exc
        store_step(run, instance, wait, log)
