"""Publishing service definitions as immutable versions, and reading the catalogue."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select

import engine
import forms
from webapp.extensions import db
from webapp.models import ProcessDefinition, Service, ServiceVersion, Tenant, User
from webapp.services.common import statuses
from webapp.services.common.errors import Conflict, NotFound
from webapp.services.common.options import OptionsError, parse_options
from webapp.services.common.tenancy import parse_uuid, scoped

MAIN_FORM = "domanda"


@dataclass(frozen=True)
class Publication:
    """What publishing a folder did: the version it stands as, and whether that version is new."""

    service: str
    version: int
    published: bool
    renumbered_from: int | None = None


def checked_definition(folder: Path) -> engine.ServiceDefinition:
    """The service in `folder`, with every check of publishing (process, forms, options); DefinitionError."""
    definition = engine.load_service(folder)
    for ref, document in definition.forms.items():
        try:  # a broken form is refused at publish time, like a broken process
            forms.form_from_document(ref, document)
        except forms.FormDefinitionError as exc:
            raise _manifest_error(str(exc), definition.manifest["forms"][ref]) from None
    try:
        parse_options(definition.manifest.get("options"))
    except OptionsError as exc:  # wrong options are a broken definition, like a broken process
        raise _manifest_error(f"opzioni non valide: {exc}") from exc
    problems = statuses.status_label_problems(definition.manifest)
    if problems:
        raise _manifest_error("; ".join(problems))
    return definition


def _manifest_error(message: str, file: str = "service.yaml") -> engine.DefinitionError:
    return engine.DefinitionError(f"{file}: {message}", problems=(engine.Problem(file, None, message),))


def _content(spec_hash: str, manifest: dict[str, Any], documents: dict[str, Any]) -> str:
    """What a version says, apart from its number: two versions with the same content are the same."""
    body = {"process": spec_hash, "manifest": {k: v for k, v in manifest.items() if k != "version"},
            "forms": documents}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


_VERSION_LINE = re.compile(r"^version:[ \t]*\d+[ \t]*$", re.MULTILINE)


def with_version(manifest_text: str, number: int) -> str:
    """service.yaml's text with its top-level `version:` set to `number`, comments kept."""
    if _VERSION_LINE.search(manifest_text):
        return _VERSION_LINE.sub(f"version: {number}", manifest_text, count=1)
    return f"version: {number}\n{manifest_text}"


def own_files(folder: Path, manifest: dict[str, Any]) -> dict[str, str]:
    """The files of the service folder itself that its manifest uses ({relative path: text}): what an
    administrator edits, exports and diffs. Files of the shared library (../_fragments, ../_lifecycle)
    belong to the platform and are not among them."""
    listed = ["service.yaml", *(manifest.get("process") or []), *(manifest.get("forms") or {}).values()]
    files: dict[str, str] = {}
    for relative in listed:
        if relative.startswith("../") or relative in files:
            continue
        files[relative] = (folder / relative).read_text(encoding="utf-8")
    return files


def publish_folder(tenant: Tenant, folder: Path, *, actor: User | None = None) -> Publication:
    """Publish `folder` as a new immutable version when its content changed since the latest one.

    The folder's own version number is used when it is free; when that number is taken by other
    content, the version gets the next free number (published versions never change). Flushes only.
    """
    definition = checked_definition(folder)
    service = _service_for(tenant, definition)
    versions = list(db.session.scalars(select(ServiceVersion).where(ServiceVersion.service_id == service.id)
                                       .order_by(ServiceVersion.version)))
    content = _content(definition.process.spec_hash, definition.manifest, definition.forms)
    if versions and _content(versions[-1].spec_hash, versions[-1].manifest, versions[-1].forms) == content:
        return Publication(definition.slug, versions[-1].version, published=False)
    taken = {v.version for v in versions}
    number = definition.version if definition.version not in taken else max(taken) + 1
    manifest = {**definition.manifest, "version": number}
    digest = definition.definition_hash if number == definition.version else hashlib.sha256(json.dumps(
        {"process": definition.process.spec_hash, "manifest": manifest, "forms": definition.forms},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
    files = own_files(folder, definition.manifest)
    files["service.yaml"] = with_version(files["service.yaml"], number)
    _add_version(tenant, service, definition, number, manifest, digest, files=files, actor=actor)
    return Publication(definition.slug, number, published=True,
                       renumbered_from=definition.version if number != definition.version else None)


def _service_for(tenant: Tenant, definition: engine.ServiceDefinition) -> Service:
    service = db.session.scalar(scoped(Service, tenant).where(Service.slug == definition.slug))
    if service is None:
        service = Service(tenant_id=tenant.id, slug=definition.slug, name=definition.title)
        db.session.add(service)
        db.session.flush()
    return service


def publish_service(tenant: Tenant, folder: Path) -> ServiceVersion:
    """Publish `folder` for `tenant` under its own version number; an identical version is returned as is.

    A published version is immutable: the same version number with other content is refused.
    Flushes only; the caller's unit of work commits.
    """
    definition = checked_definition(folder)
    service = _service_for(tenant, definition)
    existing = db.session.scalar(
        select(ServiceVersion).where(
            ServiceVersion.service_id == service.id, ServiceVersion.version == definition.version
        )
    )
    if existing is not None:
        if existing.definition_hash != definition.definition_hash:
            raise Conflict(
                f"La versione {definition.version} di '{definition.slug}' è già pubblicata con un "
                "contenuto diverso: le versioni pubblicate non si modificano, pubblicane una nuova."
            )
        return existing
    return _add_version(tenant, service, definition, definition.version, definition.manifest,
                        definition.definition_hash, files=own_files(folder, definition.manifest))


def _add_version(tenant: Tenant, service: Service, definition: engine.ServiceDefinition, number: int,
                 manifest: dict[str, Any], digest: str, *, files: dict[str, str],
                 actor: User | None = None) -> ServiceVersion:
    _store_process(definition.process)
    version = ServiceVersion(
        tenant_id=tenant.id,
        service_id=service.id,
        version=number,
        definition_hash=digest,
        spec_hash=definition.process.spec_hash,
        manifest=manifest,
        forms=definition.forms,
        files=files,
        published_by_id=actor.id if actor is not None else None,
    )
    db.session.add(version)
    db.session.flush()
    current = service.current_version
    if current is None or current.version < version.version:
        service.current_version_id = version.id
        service.name = definition.title
        service.category = manifest.get("category")
    db.session.flush()
    return version


def _store_process(process: engine.ProcessSpec) -> None:
    # Kept as published, so the first application of a new version does not read the blob back; should
    # the publication roll back, the entry is only unused memory (no version can name a missing row).
    _remember_process(process)
    if db.session.get(ProcessDefinition, process.spec_hash) is None:
        db.session.add(
            ProcessDefinition(spec_hash=process.spec_hash, process_id=process.process_id, blob=process.blob)
        )
        db.session.flush()


def list_services(tenant: Tenant) -> list[Service]:
    """The services citizens may apply for: published and not archived."""
    query = (scoped(Service, tenant).where(Service.current_version_id.is_not(None), Service.archived_at.is_(None))
             .order_by(Service.name))
    return list(db.session.scalars(query))


def refuse_archived(service: Service) -> None:
    """An archived service takes no new applications (the running ones go on)."""
    if service.archived_at is not None:
        raise Conflict(f"Il servizio '{service.name}' è archiviato: non accetta nuove domande.")


# Built once: every new application reads its service by one of them.
_SERVICE_BY_ID = select(Service).where(Service.tenant_id == bindparam("tenant_id"), Service.id == bindparam("key"))
_SERVICE_BY_SLUG = select(Service).where(Service.tenant_id == bindparam("tenant_id"), Service.slug == bindparam("key"))


def get_service(tenant: Tenant, key: str) -> Service:
    """By uuid or slug, within the tenant."""
    sid = parse_uuid(key)
    service = db.session.scalar(_SERVICE_BY_ID if sid else _SERVICE_BY_SLUG,
                                {"tenant_id": tenant.id, "key": sid or key})
    if service is None or service.current_version is None:
        raise NotFound(f"Servizio '{key}' non trovato.")
    return service


# Published versions are immutable, so a compiled form can be kept per (definition hash, ref).
_FORMS: dict[tuple[str, str], forms.Form] = {}


def form_for(version: ServiceVersion, ref: str = MAIN_FORM) -> forms.Form:
    key = (version.definition_hash, ref)
    if key not in _FORMS:
        document: dict[str, Any] | None = version.forms.get(ref)
        if document is None:
            raise NotFound(f"Il servizio non ha il modulo '{ref}'.")
        _FORMS[key] = forms.form_from_document(ref, document)
    return _FORMS[key]


# A process definition is content-addressed (its key is the hash of its blob) and never changes, so the
# loaded spec is kept per hash instead of reading the blob on every request; sharing it across tenants
# shows nothing of one to another, since equal hashes mean equal content. Bounded (least recently used
# goes first) like the engine's own spec cache, and locked because requests run in threads.
_PROCESSES: OrderedDict[str, engine.ProcessSpec] = OrderedDict()
_PROCESSES_MAX = 64
_PROCESSES_LOCK = threading.Lock()


def _remember_process(process: engine.ProcessSpec) -> None:
    with _PROCESSES_LOCK:
        _PROCESSES[process.spec_hash] = process
        _PROCESSES.move_to_end(process.spec_hash)
        while len(_PROCESSES) > _PROCESSES_MAX:
            _PROCESSES.popitem(last=False)


def process_for(version: ServiceVersion) -> engine.ProcessSpec:
    with _PROCESSES_LOCK:
        cached = _PROCESSES.get(version.spec_hash)
        if cached is not None:
            _PROCESSES.move_to_end(version.spec_hash)
            return cached
    row = db.session.get(ProcessDefinition, version.spec_hash)
    if row is None:  # the FK makes this impossible short of manual deletion
        raise NotFound("Definizione del processo mancante.")
    process = engine.load_process_spec(row.blob)
    _remember_process(process)
    return process


def declared_actions(tenant: Tenant) -> frozenset[str]:
    """Every action the processes of the ente's published versions declare on their user tasks."""
    hashes = db.session.scalars(select(ServiceVersion.spec_hash).where(ServiceVersion.tenant_id == tenant.id)
                                .distinct())
    found: set[str] = set()
    for spec_hash in hashes:
        row = db.session.get(ProcessDefinition, spec_hash)
        if row is not None:
            found |= engine.declared_actions(engine.load_process_spec(row.blob))
    return frozenset(found)
