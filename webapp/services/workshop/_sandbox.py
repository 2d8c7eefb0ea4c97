"""The sandbox ("Prova il servizio"): an administrator walks a service's DRAFT through the real engine.

Nothing leaves the platform and nothing is an application: no Application row, no outbox message, no
pagoPA notice, no protocol number. Service calls complete at once with a simulated result (marked
`simulato`), notifications are only logged, timers fire on request. The run keeps the draft's files
and process spec as they were when it started, so saving the draft meanwhile does not break it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import select

import engine
import forms
from webapp.extensions import db
from webapp.models import Office, SandboxRun, Tenant, User
from webapp.services import catalogue
from webapp.services.common import policy, statuses
from webapp.services.common.errors import BadRequest, Conflict, NotFound
from webapp.services.common.options import parse_options
from webapp.services.common.process_start import PROCESS_FORM_DATA, start_data
from webapp.services.common.tenancy import parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _files
from ._drafts import ROLE_CANDIDATES, draft_row, find_service, problems_in
from ._problems import Problem, problems_of

MAIN_FORM = PROCESS_FORM_DATA
SUBMIT = "submit"
MAX_AUTOMATIC = 50  # simulated calls in one step: a loop of calls is a modelling error, not a hang
SYSTEM = "Sistema (simulato)"
BPMN_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MESSAGE_LABELS = {"payment_received": "Simula il pagamento ricevuto",
                  "withdraw": "Simula il ritiro da parte del cittadino"}


@dataclass(frozen=True)
class FormPage:
    """The main form (`domanda`) of a draft as the citizen would fill it, with the check's problems."""

    slug: str
    title: str
    problems: list[Problem]
    steps: list[tuple[forms.Step, list[forms.FieldView]]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    # Fields shown only for some answers: the page redraws them as the answers change, and keeps the
    # others as they are (what is being typed there is not overwritten by a redraw).
    conditional: frozenset[str] = frozenset()

    @property
    def error_items(self) -> list[tuple[str, str, str]]:
        items = []
        for _step, views in self.steps:
            for view in views:
                for leaf in view.children or [view]:
                    if leaf.error:
                        items.append((leaf.id, leaf.label, leaf.error))
        return items


@dataclass(frozen=True)
class PendingTask:
    """A READY user task of the run: what it is, who would complete it, its form and choices."""

    task_id: str
    bpmn_id: str
    label: str
    who: str
    status: int | None
    status_label: str
    actions: tuple[str, ...]
    fields: list[forms.FieldView]
    errors: dict[str, str] = field(default_factory=dict)
    action: str | None = None


@dataclass(frozen=True)
class TrailItem:
    element: str
    label: str
    state: str  # completed | current


@dataclass(frozen=True)
class RunView:
    id: str
    slug: str
    title: str
    started_by: str | None
    created_at: datetime
    updated_at: datetime
    status: int | None
    status_label: str
    completed: bool
    steps: list[dict[str, Any]]
    tasks: list[PendingTask]
    timers: list[engine.Timer]
    messages: list[tuple[str, str]]  # (message name, button text)
    trail: engine.Trail
    trail_items: list[TrailItem]
    bpmn: str | None  # the main diagram's XML, for the viewer
    draft_changed: bool  # the draft was saved since the run started

    @property
    def error_items(self) -> list[tuple[str, str, str]]:
        return [(f"{t.task_id}-{key.strip('/')}", t.label, message)
                for t in self.tasks for key, message in t.errors.items()]


@dataclass(frozen=True)
class RunRow:
    id: str
    started_by: str | None
    created_at: datetime
    updated_at: datetime
    status_label: str
    completed: bool


def files_hash(files: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(files, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


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


def _form(ref: str, document: dict[str, Any]) -> forms.Form:
    return forms.form_from_document(ref, document)


def _names(form: forms.Form) -> list[str]:
    return [name for step in form.steps for name in step.fields]


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
    form = _form(MAIN_FORM, definition.forms[MAIN_FORM])
    return FormPage(service.slug, service.name, [], _step_fields(form, {}, {}), conditional=_conditional(form))


def sandbox_preview(tenant: Tenant, user: User, slug: str, formdata: forms.FormValues) -> FormPage:
    """The main form again for the values typed so far, without their errors: a field shown only for some
    answer appears (or goes) as the administrator answers, as on the citizen's step pages."""
    policy.require_workshop(user, tenant, edit=True)
    service, _files_now, definition, problems = _checked(tenant, slug)
    if definition is None or problems:
        return FormPage(service.slug, service.name, problems)
    form = _form(MAIN_FORM, definition.forms[MAIN_FORM])
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
    form = _form(MAIN_FORM, definition.forms[MAIN_FORM])
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
    posted = forms.parse_step(form, tuple(_names(form)), formdata, files)
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
    _log(log, manifest, task.bpmn_id, task.label, wait.status, _who(task.candidate, None),
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
                 f"invierebbe «{notice.template}» a {_who(notice.to, None)} ({', '.join(notice.channels)}): "
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
                "status_label": _status_label(status, manifest), "who": who, "summary": summary})


def _status_label(code: int | None, manifest: dict[str, Any]) -> str:
    return statuses.label(code, statuses.service_labels(manifest)) if code is not None else ""


def _who(candidate: str | None, offices: dict[str, str] | None) -> str:
    """Who would complete a task (or receive a notice), in words."""
    kind = policy.candidate_kind(candidate)
    if kind.startswith(policy.NAMED_OFFICE):
        code = kind.removeprefix(policy.NAMED_OFFICE)
        name = (offices or {}).get(code)
        return f"Ufficio: {name}" if name else f"L'ufficio con codice «{code}»"
    return dict(ROLE_CANDIDATES).get(kind, kind)


def _run(tenant: Tenant, user: User, run_id: Any, *, edit: bool, lock: bool = False) -> SandboxRun:
    policy.require_workshop(user, tenant, edit=edit)
    key = parse_uuid(run_id)
    query = scoped(SandboxRun, tenant).where(SandboxRun.id == key)
    run = db.session.scalar(query.with_for_update(of=SandboxRun) if lock else query) if key else None
    if run is None:
        raise NotFound("Prova non trovata.")
    return run


def _restore(run: SandboxRun) -> engine.Instance:
    return engine.restore_instance(engine.load_process_spec(run.spec_blob), run.engine_state)


def _manifest(run: SandboxRun) -> dict[str, Any]:
    return _files.read_manifest(run.files)


def _store(run: SandboxRun, instance: engine.Instance, wait: engine.WaitState, log: list[dict[str, Any]],
           answers: dict[str, Any] | None = None) -> None:
    run.engine_state = instance.dump()
    run.data = {**run.data, **(answers or {})}
    run.steps = [*run.steps, *log]
    run.status = wait.status
    run.completed = wait.completed
    run.updated_at = datetime.now(UTC)


def sandbox_complete_task(tenant: Tenant, user: User, run_id: Any, task_id: str, formdata: forms.FormValues,
                  files: forms.PostedFiles) -> RunView | None:
    """Complete one READY task with its posted form: None when done, else the run with its errors."""
    with unit_of_work():
        run = _run(tenant, user, run_id, edit=True, lock=True)
        instance = _restore(run)
        task = next((t for t in instance.snapshot().user_tasks if t.task_id == task_id), None)
        if task is None:
            raise Conflict("L'attività non è più da svolgere: ricarica la pagina.")
        form = _form(task.form, run.forms[task.form]) if task.form in run.forms else None
        data, errors = _posted(form, formdata, files) if form is not None else ({}, {})
        action = formdata.get("action") or (task.actions[0] if len(task.actions) == 1 else None)
        if task.actions and action not in task.actions:
            errors["/action"] = f"Scegli una di: {', '.join(statuses.action_label(a) for a in task.actions)}."
        if errors:
            return sandbox_run(tenant, user, run_id, errors={task_id: (data, errors, action)})
        manifest = _manifest(run)
        log: list[dict[str, Any]] = []
        try:
            if task.form == MAIN_FORM:  # the citizen sends the form again (an integration): as the real path
                wait = instance.complete_user_task(task_id, {"action": action, PROCESS_FORM_DATA: data})
            else:
                wait = instance.complete_user_task(task_id, {"action": action} if action else {},
                                                   answers=data if task.variable else None)
            _log(log, manifest, task.bpmn_id, task.label, wait.status, _who(task.candidate, _offices(tenant)),
                 f"Completata{f' con «{statuses.action_label(action)}»' if action else ''}.")
            wait = _automatic(instance, wait, log, manifest)
        except engine.EngineError as exc:
            raise Conflict(f"Il processo si è fermato: {exc}") from exc
        variable = PROCESS_FORM_DATA if task.form == MAIN_FORM else task.variable
        _store(run, instance, wait, log, {variable: data} if variable and form is not None else None)
    return None


def sandbox_fire_timers(tenant: Tenant, user: User, run_id: Any) -> None:
    """"Fai scadere ora": every armed timer fires as if its time had come."""
    with unit_of_work():
        run = _run(tenant, user, run_id, edit=True, lock=True)
        instance = _restore(run)
        timers = instance.snapshot().timers
        if not timers:
            raise Conflict("Nessun termine in corso in questa prova.")
        manifest = _manifest(run)
        log: list[dict[str, Any]] = []
        try:
            wait = instance.fire_due_timers(max(t.due_at for t in timers))
            for timer in timers:
                _log(log, manifest, timer.bpmn_id, "Scadenza di un termine", wait.status, "Amministratore (prova)",
                     f"Termine del {timer.due_at:%d/%m/%Y %H:%M} fatto scadere ora.")
            wait = _automatic(instance, wait, log, manifest)
        except engine.EngineError as exc:
            raise Conflict(f"Il processo si è fermato: {exc}") from exc
        _store(run, instance, wait, log)


def sandbox_send_message(tenant: Tenant, user: User, run_id: Any, name: str) -> None:
    """A message the process waits for (a pagoPA receipt, a withdrawal) delivered as simulated."""
    with unit_of_work():
        run = _run(tenant, user, run_id, edit=True, lock=True)
        instance = _restore(run)
        manifest = _manifest(run)
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
        _store(run, instance, wait, log)


def sandbox_discard(tenant: Tenant, user: User, run_id: Any) -> str:
    """Delete a run; returns its service's slug."""
    with unit_of_work():
        run = _run(tenant, user, run_id, edit=True, lock=True)
        slug = run.service.slug
        db.session.delete(run)
    return slug


def _offices(tenant: Tenant) -> dict[str, str]:
    return {o.code: o.name for o in db.session.scalars(scoped(Office, tenant)) if o.code}


def sandbox_runs(tenant: Tenant, user: User, slug: str) -> list[RunRow]:
    policy.require_workshop(user, tenant, edit=False)
    service = find_service(tenant, slug)
    found = db.session.scalars(select(SandboxRun).where(SandboxRun.service_id == service.id)
                               .order_by(SandboxRun.created_at.desc()))
    return [RunRow(str(r.id), r.started_by.full_name if r.started_by else None, r.created_at, r.updated_at,
                   _status_label(r.status, _files.read_manifest(r.files)), r.completed) for r in found]


def sandbox_run(tenant: Tenant, user: User, run_id: Any,
         errors: dict[str, tuple[dict[str, Any], dict[str, str], str | None]] | None = None) -> RunView:
    """The run as its page shows it; `errors`: a posted task's values, field errors and action."""
    run = _run(tenant, user, run_id, edit=False)
    manifest = _manifest(run)
    instance = _restore(run)
    wait = instance.snapshot()
    offices = _offices(tenant)
    tasks = []
    for task in wait.user_tasks:
        values, problems, action = (errors or {}).get(task.task_id, ({}, {}, None))
        fields: list[forms.FieldView] = []
        if task.form in run.forms:
            form = _form(task.form, run.forms[task.form])
            if not values and task.form == MAIN_FORM:
                values = dict(run.data.get(PROCESS_FORM_DATA) or {})
            active = form.active_fields(values)
            fields = forms.build_fields(form, [n for n in _names(form) if n in active], values, problems,
                                        forms.required_fields(form, active))
        tasks.append(PendingTask(task.task_id, task.bpmn_id, task.label, _who(task.candidate, offices), task.status,
                                 _status_label(task.status, manifest), task.actions, fields, problems, action))
    trail = instance.trail()
    names = element_names(run.files)
    items = [TrailItem(e, names.get(e.rsplit("/", 1)[-1]) or e, "completed") for e in trail.completed]
    items += [TrailItem(e, names.get(e.rsplit("/", 1)[-1]) or e, "current") for e in trail.current]
    service = run.service
    draft = service.draft
    return RunView(
        id=str(run.id), slug=service.slug, title=service.name,
        started_by=run.started_by.full_name if run.started_by else None, created_at=run.created_at,
        updated_at=run.updated_at, status=wait.status, status_label=_status_label(wait.status, manifest),
        completed=wait.completed, steps=list(run.steps), tasks=tasks, timers=list(wait.timers),
        messages=[(m, MESSAGE_LABELS.get(m, f"Simula il messaggio «{m}»")) for m in wait.messages],
        trail=trail, trail_items=items, bpmn=main_bpmn(run.files),
        draft_changed=draft is not None and files_hash(dict(draft.files)) != run.files_hash)


# --- The diagram: the process's own BPMN (or the shared lifecycle's) and its elements' names ---

def main_bpmn(files: dict[str, str]) -> str | None:
    """The BPMN the diagram shows: the first process file service.yaml lists (a shared one, such as
    ../_lifecycle/lifecycle.bpmn, read from the platform library); None when there is none."""
    manifest = _files.read_manifest(files)
    for path in _files.referenced_paths({"process": manifest.get("process")}):
        if not path.endswith(".bpmn"):
            continue
        text = _files.shared_file(path) if _files.is_shared(path) else files.get(str(PurePosixPath(path)))
        if text is not None:
            return text
    return None


def element_names(files: dict[str, str]) -> dict[str, str]:
    """{BPMN id: name} of every element of the process files (own and shared) a service lists."""
    manifest = _files.read_manifest(files)
    names: dict[str, str] = {}
    for path in _files.referenced_paths({"process": manifest.get("process")}):
        text = _files.shared_file(path) if _files.is_shared(path) else files.get(path)
        if not text or not path.endswith(".bpmn"):
            continue
        try:  # no entities, no network: the files are an administrator's, still never trusted
            root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            continue
        for element in root.iter():
            if isinstance(element.tag, str) and element.tag.startswith(BPMN_NS) and element.get("id"):
                names.setdefault(element.get("id"), element.get("name") or "")
    return {key: value for key, value in names.items() if value}
