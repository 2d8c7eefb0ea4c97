"""Drafts: a service's folder as the administrators change it, checked by the engine's own loader."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml
from sqlalchemy import select

import engine
from webapp.extensions import db
from webapp.models import Office, Service, ServiceDraft, ServiceVersion, Tenant, User
from webapp.models._columns import utcnow
from webapp.services import catalogue
from webapp.services.common import policy, statuses
from webapp.services.common.errors import BadRequest, Conflict, DomainError, NotFound
from webapp.services.common.options import OptionsError, parse_options
from webapp.services.common.tenancy import scoped

from . import _files
from ._problems import Problem, problems_of

BLANK = Path(__file__).parent / "blank"
TEMPLATE_PREFIX = "modello:"
FRAGMENTS = {"sub_receipt": "Ricevuta della domanda", "sub_protocollo": "Protocollazione",
             "sub_pagamento": "Pagamento pagoPA"}
ROLE_CANDIDATES = (("cittadino", "Il richiedente (cittadino)"),
                   ("ufficio", "L'ufficio a cui è assegnata la pratica"),
                   ("responsabile", "Un responsabile"))


@dataclass(frozen=True)
class Draft:
    """A draft as the pages show it; `files` maps paths inside the service folder to their text."""

    slug: str
    title: str
    files: dict[str, str]
    revision: int
    updated_at: datetime
    updated_by: str | None
    state: str  # draft (never published) | published | archived
    current_version: int | None
    changed: bool  # differs from the current published version
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def process_path(self) -> str | None:
        return next((p for p in _files.referenced_paths({"process": self.manifest.get("process")})
                     if p.endswith(".bpmn") and not _files.is_shared(p)), None)

    @property
    def form_paths(self) -> dict[str, str]:
        """The forms that are the service's own (editable); shared ones are read-only."""
        raw = self.manifest.get("forms")
        return {ref: path for ref, path in raw.items() if isinstance(path, str) and not _files.is_shared(path)} \
            if isinstance(raw, dict) else {}

    @property
    def shared_forms(self) -> dict[str, str]:
        raw = self.manifest.get("forms")
        return {ref: path for ref, path in raw.items() if isinstance(path, str) and _files.is_shared(path)} \
            if isinstance(raw, dict) else {}


def can_view(user: User, tenant: Tenant) -> bool:
    return policy.can_view_workshop(user, tenant)


def can_edit(user: User, tenant: Tenant) -> bool:
    return policy.can_edit_workshop(user, tenant)


def state_of(service: Service) -> str:
    if service.archived_at is not None:
        return "archived"
    return "published" if service.current_version_id is not None else "draft"


def find_service(tenant: Tenant, slug: str, *, lock: bool = False) -> Service:
    query = scoped(Service, tenant).where(Service.slug == slug)
    service = db.session.scalar(query.with_for_update(of=Service) if lock else query)
    if service is None:
        raise NotFound(f"Servizio '{slug[:100]}' non trovato.")
    return service


def draft_row(tenant: Tenant, service: Service, *, lock: bool = False) -> ServiceDraft:
    """The service's draft row; made from its current version the first time it is asked for."""
    query = select(ServiceDraft).where(ServiceDraft.service_id == service.id)
    row = db.session.scalar(query.with_for_update(of=ServiceDraft) if lock else query)
    if row is None:
        row = ServiceDraft(tenant_id=tenant.id, service_id=service.id, files=published_files(service), revision=1)
        db.session.add(row)
        db.session.flush()
    return row


def published_files(service: Service) -> dict[str, str]:
    """The current version's files; for a version published before versions kept them, the shipped folder
    it came from when that has the same content."""
    version: ServiceVersion | None = service.current_version
    if version is None:
        raise NotFound(f"Il servizio '{service.slug}' non ha ancora una bozza.")
    if version.files:
        return dict(version.files)
    folder = _files.workflows_root() / service.slug
    if (folder / "service.yaml").is_file():
        shipped = engine.load_service(folder)
        if shipped.definition_hash == version.definition_hash:
            return catalogue.own_files(folder, shipped.manifest)
    raise NotFound(f"I file della versione {version.version} di '{service.slug}' non sono disponibili: "
                   "importa il servizio da un file zip.")


def as_draft(service: Service, row: ServiceDraft) -> Draft:
    current = service.current_version
    return Draft(slug=service.slug, title=service.name, files=dict(row.files), revision=row.revision,
                 updated_at=row.updated_at, updated_by=row.updated_by.full_name if row.updated_by else None,
                 state=state_of(service), current_version=current.version if current is not None else None,
                 changed=current is None or _comparable(row.files) != _comparable(current.files or {}),
                 manifest=_files.read_manifest(row.files))


def _comparable(files: dict[str, str]) -> dict[str, str]:
    """Files as compared for "changed since the version": the version number itself is not a change."""
    out = dict(files)
    if "service.yaml" in out:
        out["service.yaml"] = catalogue.with_version(out["service.yaml"], 0)
    return out


def draft_of(tenant: Tenant, slug: str) -> Draft:
    service = find_service(tenant, slug)
    return as_draft(service, draft_row(tenant, service))


def store(row: ServiceDraft, user: User | None, files: dict[str, str]) -> None:
    _files.check_size(files)
    row.files = files
    row.revision += 1
    row.updated_at = utcnow()
    row.updated_by_id = user.id if user is not None else None
    db.session.flush()


def _fresh(row: ServiceDraft, revision: int | None) -> None:
    if revision is not None and revision != row.revision:
        raise Conflict("Qualcuno ha salvato il servizio nel frattempo: ricarica la pagina per vedere le sue "
                       "modifiche prima di salvare le tue.", current_revision=row.revision)


def save_file(tenant: Tenant, user: User, slug: str, path: str, text: str, *, revision: int | None) -> Draft:
    """Store one file of the draft (flushes; the caller commits). A stale `revision` is a Conflict."""
    policy.require_workshop(user, tenant, edit=True)
    path = _files.clean_path(path)
    if "\x00" in text:
        raise BadRequest("Il file contiene caratteri non ammessi.")
    service = find_service(tenant, slug, lock=True)
    row = draft_row(tenant, service, lock=True)
    _fresh(row, revision)
    store(row, user, {**row.files, path: text})
    return as_draft(service, row)


def replace_files(tenant: Tenant, user: User, slug: str, files: dict[str, str]) -> Draft:
    """The draft becomes exactly `files` (an import); the draft row is made when there is none."""
    service = find_service(tenant, slug, lock=True)
    query = select(ServiceDraft).where(ServiceDraft.service_id == service.id).with_for_update(of=ServiceDraft)
    row = db.session.scalar(query)
    if row is None:
        row = ServiceDraft(tenant_id=tenant.id, service_id=service.id, files={}, revision=0)
        db.session.add(row)
    store(row, user, files)
    return as_draft(service, row)


def problems_in(slug: str, files: dict[str, str]) -> list[Problem]:
    """Everything that stops these files from publishing as service `slug`; [] when they would publish."""
    try:
        _files.check_size(files)
    except DomainError as exc:  # too many or too large files: one more problem to show
        return [Problem("", None, exc.description)]
    try:
        manifest = yaml.safe_load(files.get("service.yaml", ""))
    except yaml.YAMLError as exc:
        return [Problem("service.yaml", None, f"YAML non valido: {exc}")]
    if not isinstance(manifest, dict):
        return [Problem("service.yaml", None, "service.yaml manca o non è una mappa di chiavi")]
    if manifest.get("slug") != slug:
        return [Problem("service.yaml", None, f"lo slug deve restare '{slug}' (trovato {manifest.get('slug')!r})")]
    outside = _files.outside_paths(manifest)
    if outside:
        return [Problem("service.yaml", None, f"file fuori dalla cartella del servizio: {p}") for p in outside]
    try:
        with _files.materialised(slug, files) as folder:
            catalogue.checked_definition(folder)
    except engine.DefinitionError as exc:
        return problems_of(exc)
    except BadRequest as exc:  # a stored path the rules no longer admit
        return [Problem("", None, exc.description)]
    return []


def check_draft(tenant: Tenant, slug: str) -> list[Problem]:
    service = find_service(tenant, slug)
    return problems_in(service.slug, dict(draft_row(tenant, service).files))


def choices(tenant: Tenant, slug: str) -> dict[str, list[dict[str, str]]]:
    """What the modeller's properties panel offers, so nobody types a name that does not exist."""
    draft = draft_of(tenant, slug)
    offices = list(db.session.scalars(scoped(Office, tenant).order_by(Office.name)))
    manifest = draft.manifest
    raw_statuses = manifest.get("statuses")
    own_statuses: dict[Any, Any] = raw_statuses if isinstance(raw_statuses, dict) else {}
    codes = sorted({*statuses.LABELS, *(int(c) for c in own_statuses if str(c).isdigit())})
    raw_templates = manifest.get("notifications")
    templates: dict[str, Any] = raw_templates if isinstance(raw_templates, dict) else {}
    return {
        "forms": [{"value": ref, "label": ref} for ref in (manifest.get("forms") or {})],
        "offices": [{"value": o.code, "label": o.name} for o in offices],
        "candidates": [{"value": value, "label": label} for value, label in ROLE_CANDIDATES]
        + [{"value": f"ufficio:{o.code}", "label": f"Ufficio: {o.name}"} for o in offices],
        "operations": [{"value": op, "label": label} for op, label in statuses.OPERATION_LABELS.items()],
        "fragments": [{"value": key, "label": label} for key, label in FRAGMENTS.items()],
        "templates": [{"value": key, "label": key} for key in templates],
        "statuses": [{"value": str(code), "label": _status_label(code, own_statuses)} for code in codes],
    }


def _status_label(code: int, own: dict[Any, Any]) -> str:
    label = own.get(code) or own.get(str(code))
    if isinstance(label, dict):
        return f"{code} - {label.get('it', '')}"
    return f"{code} - {statuses.LABELS.get(code, '')}"


def create_service(tenant: Tenant, user: User, slug: str, title: str, *, category: str | None = None,
                   copy_of: str | None = None) -> Draft:
    """A new service with a draft: blank, a copy of one of the ente's services, or of a shipped model
    (`modello:<slug>`). Flushes only."""
    policy.require_workshop(user, tenant, edit=True)
    slug, title = slug.strip(), " ".join(title.split())
    if not _files.SLUG.match(slug):
        raise BadRequest("Lo slug usa lettere minuscole, cifre e trattini (es. 'passo-carrabile').",
                         field="slug")
    if not title or len(title) > 200:
        raise BadRequest("Il titolo è obbligatorio (al massimo 200 caratteri).", field="title")
    if db.session.scalar(scoped(Service, tenant).where(Service.slug == slug)) is not None:
        raise Conflict(f"Esiste già un servizio con lo slug '{slug}'.", field="slug")
    files = _starting_files(tenant, copy_of, slug, title, category)
    service = Service(tenant_id=tenant.id, slug=slug, name=title, category=category or None)
    db.session.add(service)
    db.session.flush()
    row = ServiceDraft(tenant_id=tenant.id, service_id=service.id, files={}, revision=0)
    db.session.add(row)
    store(row, user, files)
    return as_draft(service, row)


def shipped_models() -> list[tuple[str, str]]:
    """(slug, title) of the services shipped with the platform, to start from."""
    found = []
    for manifest_path in sorted(_files.workflows_root().glob("*/service.yaml")):
        if manifest_path.parent.name.startswith("_"):
            continue
        manifest = _files.read_manifest({"service.yaml": manifest_path.read_text(encoding="utf-8")})
        found.append((manifest_path.parent.name, str(manifest.get("title") or manifest_path.parent.name)))
    return found


def _starting_files(tenant: Tenant, copy_of: str | None, slug: str, title: str,
                    category: str | None) -> dict[str, str]:
    if not copy_of:
        return _blank(slug, title, category)
    if copy_of.startswith(TEMPLATE_PREFIX):
        name = copy_of.removeprefix(TEMPLATE_PREFIX)
        if name not in dict(shipped_models()):
            raise NotFound(f"Modello '{name[:100]}' non trovato.")
        folder = _files.workflows_root() / name
        source = catalogue.own_files(folder, _files.read_manifest(
            {"service.yaml": (folder / "service.yaml").read_text(encoding="utf-8")}))
    else:
        original = find_service(tenant, copy_of)
        source = dict(draft_row(tenant, original).files)
    return {**source, "service.yaml": renamed(source.get("service.yaml", ""), slug, title)}


def renamed(manifest_text: str, slug: str, title: str) -> str:
    """service.yaml with a new slug, title and version 1, everything else (and its comments) kept."""
    text = catalogue.with_version(manifest_text, 1)
    for key, value in (("slug", slug), ("title", title)):
        line = f"{key}: {json.dumps(value, ensure_ascii=False)}"
        pattern = re.compile(rf"^{key}:.*$", re.MULTILINE)
        text = pattern.sub(line.replace("\\", "\\\\"), text, count=1) if pattern.search(text) else f"{line}\n{text}"
    return text


def _blank(slug: str, title: str, category: str | None) -> dict[str, str]:
    process_id = "svc_" + slug.replace("-", "_")
    as_yaml = json.dumps  # a JSON string is a valid YAML scalar
    values = {
        "service.yaml": {"__SLUG__": slug, "__TITLE__": as_yaml(title, ensure_ascii=False),
                         "__CATEGORY__": as_yaml(category or "Altri servizi", ensure_ascii=False),
                         "__PROCESS_ID__": process_id},
        "process.bpmn": {"__TITLE__": escape(title, {'"': "&quot;"}), "__PROCESS_ID__": process_id},
        "forms/domanda.json": {"__TITLE__": json.dumps(title, ensure_ascii=False)[1:-1]},
        "forms/esito.json": {},
    }
    files = {}
    for path, replacements in values.items():
        text = (BLANK / path).read_text(encoding="utf-8")
        for placeholder, value in replacements.items():
            text = text.replace(placeholder, value)
        files[path] = text
    return files


# The texts of the service page (the AgID template's sections) and the options the workshop edits.
TEXT_KEYS = ("description", "who", "how_to", "what_you_need", "what_you_get", "costs", "times", "contacts")


FORM_REF = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def starter_form(title: str) -> str:
    """A new form of the service: one long text, for the form editor to grow."""
    document = {
        "title": title,
        "schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                   "additionalProperties": False, "required": ["note"],
                   "properties": {"note": {"type": "string", "title": "Note", "minLength": 1, "maxLength": 5000}}},
        "ui": {"widgets": {"note": "textarea"}},
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def add_form(tenant: Tenant, user: User, slug: str, ref: str, title: str, *, revision: int | None) -> Draft:
    """A new form of the service (forms/<ref>.json, listed in service.yaml), so that a task of the process
    (another office's opinion, say) has a form of its own: a service made from scratch has only the
    citizen's and the decision's, and those two carry the standard lifecycle's built-in handling."""
    policy.require_workshop(user, tenant, edit=True)
    ref, title = ref.strip(), " ".join(title.split())
    if not FORM_REF.match(ref):
        raise BadRequest("La chiave del modulo è fatta di lettere minuscole, cifre e trattino basso, "
                         "e comincia con una lettera (es. parere_tecnico).", field="form_ref")
    if ref in policy.LIFECYCLE_FORMS:
        raise BadRequest(f"«{ref}» è il nome di un modulo del percorso standard: scegline un altro.",
                         field="form_ref")
    if not title or len(title) > 200:
        raise BadRequest("Il titolo del modulo è obbligatorio (al massimo 200 caratteri).", field="form_title")
    service, row, manifest = _editable_manifest(tenant, slug, revision)
    forms = dict(manifest.get("forms") or {}) if isinstance(manifest.get("forms"), dict) else {}
    path = f"forms/{ref}.json"
    if ref in forms or path in row.files:
        raise BadRequest(f"Il servizio ha già un modulo «{ref}».", field="form_ref")
    manifest["forms"] = {**forms, ref: path}
    text = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=110)
    store(row, user, {**row.files, "service.yaml": text, path: starter_form(title)})
    return as_draft(service, row)


def _editable_manifest(tenant: Tenant, slug: str,
                       revision: int | None) -> tuple[Service, ServiceDraft, dict[str, Any]]:
    """The service and its draft, locked and checked fresh, with service.yaml parsed for a change."""
    service = find_service(tenant, slug, lock=True)
    row = draft_row(tenant, service, lock=True)
    _fresh(row, revision)
    manifest = _files.read_manifest(row.files)
    if not manifest:
        raise BadRequest("service.yaml non è leggibile: correggilo nella vista dei file.")
    return service, row, manifest


def save_settings(tenant: Tenant, user: User, slug: str, *, title: str, category: str | None,
                  texts: dict[str, str], options: dict[str, Any], revision: int | None) -> Draft:
    """Rewrite service.yaml's title, category, texts and options (checked: wrong options are refused)."""
    policy.require_workshop(user, tenant, edit=True)
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise BadRequest("Il titolo è obbligatorio (al massimo 200 caratteri).", field="title")
    try:
        parse_options(options)
    except OptionsError as exc:
        raise BadRequest(f"Opzioni non valide: {exc}", field="options") from None
    service, row, manifest = _editable_manifest(tenant, slug, revision)
    manifest.update(title=title, category=category or None,
                    texts={k: v.strip() for k, v in texts.items() if k in TEXT_KEYS and v and v.strip()},
                    options=options)
    text = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=110)
    store(row, user, {**row.files, "service.yaml": text})
    return as_draft(service, row)
