"""What the sandbox's pages show: the main form, a run with its pending tasks, its path on the diagram, the
list of runs. Reading only: walking a run is `_sandbox`'s."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import select

import engine
import forms
from webapp.extensions import db
from webapp.models import Office, SandboxRun, Tenant, User
from webapp.services.common import policy, statuses
from webapp.services.common.process_start import PROCESS_FORM_DATA
from webapp.services.common.tenancy import scoped

from . import _files
from ._drafts import ROLE_CANDIDATES, find_service
from ._problems import Problem
from ._sandbox_store import files_hash, find_run, manifest_of, restored

MAIN_FORM = PROCESS_FORM_DATA
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


def form_of(ref: str, document: dict[str, Any]) -> forms.Form:
    return forms.form_from_document(ref, document)


def field_names(form: forms.Form) -> list[str]:
    return [name for step in form.steps for name in step.fields]


def status_label(code: int | None, manifest: dict[str, Any]) -> str:
    return statuses.label(code, statuses.service_labels(manifest)) if code is not None else ""


def who_completes(candidate: str | None, offices: dict[str, str] | None) -> str:
    """Who would complete a task (or receive a notice), in words."""
    kind = policy.candidate_kind(candidate)
    if kind.startswith(policy.NAMED_OFFICE):
        code = kind.removeprefix(policy.NAMED_OFFICE)
        name = (offices or {}).get(code)
        return f"Ufficio: {name}" if name else f"L'ufficio con codice «{code}»"
    return dict(ROLE_CANDIDATES).get(kind, kind)


def office_names(tenant: Tenant) -> dict[str, str]:
    return {o.code: o.name for o in db.session.scalars(scoped(Office, tenant)) if o.code}


def sandbox_runs(tenant: Tenant, user: User, slug: str) -> list[RunRow]:
    policy.require_workshop(user, tenant, edit=False)
    service = find_service(tenant, slug)
    found = db.session.scalars(select(SandboxRun).where(SandboxRun.service_id == service.id)
                               .order_by(SandboxRun.created_at.desc()))
    return [RunRow(str(r.id), r.started_by.full_name if r.started_by else None, r.created_at, r.updated_at,
                   status_label(r.status, _files.read_manifest(r.files)), r.completed) for r in found]


def sandbox_run(tenant: Tenant, user: User, run_id: Any,
         errors: dict[str, tuple[dict[str, Any], dict[str, str], str | None]] | None = None) -> RunView:
    """The run as its page shows it; `errors`: a posted task's values, field errors and action."""
    run = find_run(tenant, user, run_id, edit=False)
    manifest = manifest_of(run)
    instance = restored(run)
    wait = instance.snapshot()
    offices = office_names(tenant)
    tasks = []
    for task in wait.user_tasks:
        values, problems, action = (errors or {}).get(task.task_id, ({}, {}, None))
        fields: list[forms.FieldView] = []
        if task.form in run.forms:
            form = form_of(task.form, run.forms[task.form])
            if not values and task.form == MAIN_FORM:
                values = dict(run.data.get(PROCESS_FORM_DATA) or {})
            active = form.active_fields(values)
            fields = forms.build_fields(form, [n for n in field_names(form) if n in active], values, problems,
                                        forms.required_fields(form, active))
        tasks.append(PendingTask(task.task_id, task.bpmn_id, task.label, who_completes(task.candidate, offices),
                                 task.status, status_label(task.status, manifest), task.actions, fields, problems,
                                 action))
    trail = instance.trail()
    names = element_names(run.files)
    items = [TrailItem(e, names.get(e.rsplit("/", 1)[-1]) or e, "completed") for e in trail.completed]
    items += [TrailItem(e, names.get(e.rsplit("/", 1)[-1]) or e, "current") for e in trail.current]
    service = run.service
    draft = service.draft
    return RunView(
        id=str(run.id), slug=service.slug, title=service.name,
        started_by=run.started_by.full_name if run.started_by else None, created_at=run.created_at,
        updated_at=run.updated_at, status=wait.status, status_label=status_label(wait.status, manifest),
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
