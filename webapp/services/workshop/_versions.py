"""Publishing a draft as an immutable version, the version history with its differences, rolling back
and archiving."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ServiceVersion, Tenant, User
from webapp.models._columns import utcnow
from webapp.services import catalogue
from webapp.services.common import policy
from webapp.services.common.errors import Conflict, NotFound

from . import _drafts, _files
from ._problems import DraftInvalid

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class VersionRow:
    version: int
    published_at: datetime
    published_by: str | None
    current: bool
    has_files: bool


def publish(tenant: Tenant, user: User, slug: str) -> ServiceVersion:
    """The draft as a new version (flushes). DraftInvalid when it does not load, Conflict when it is the
    same as the latest version."""
    policy.require_workshop(user, tenant, edit=True)
    service = _drafts.find_service(tenant, slug, lock=True)
    row = _drafts.draft_row(tenant, service, lock=True)
    version = _publish_files(tenant, user, service.slug, dict(row.files))
    _drafts.store(row, user, {**row.files, "service.yaml": catalogue.with_version(row.files["service.yaml"],
                                                                                   version.version)})
    return version


def _publish_files(tenant: Tenant, user: User | None, slug: str, files: dict[str, str]) -> ServiceVersion:
    problems = _drafts.problems_in(slug, files)
    if problems:
        raise DraftInvalid(problems)
    with _files.materialised(slug, files) as folder:
        result = catalogue.publish_folder(tenant, folder, actor=user)
    if not result.published:
        raise Conflict(f"Nessuna modifica rispetto alla versione {result.version}: non c'è niente da pubblicare.",
                       current_version=result.version)
    return version_of(tenant, slug, result.version)


def publish_files(tenant: Tenant, slug: str, files: dict[str, str], *, actor: User | None = None) -> ServiceVersion:
    """Publish a folder's files as `slug` (the command line's import); creates the service when new."""
    return _publish_files(tenant, actor, slug, files)


def version_of(tenant: Tenant, slug: str, number: int) -> ServiceVersion:
    service = _drafts.find_service(tenant, slug)
    found = db.session.scalar(select(ServiceVersion).where(ServiceVersion.service_id == service.id,
                                                           ServiceVersion.version == number))
    if found is None:
        raise NotFound(f"La versione {number} di '{slug}' non esiste.")
    return found


def versions(tenant: Tenant, slug: str) -> list[VersionRow]:
    service = _drafts.find_service(tenant, slug)
    rows = db.session.scalars(select(ServiceVersion).where(ServiceVersion.service_id == service.id)
                              .order_by(ServiceVersion.version.desc()))
    return [VersionRow(version=v.version, published_at=v.published_at,
                       published_by=v.published_by.full_name if v.published_by else None,
                       current=v.id == service.current_version_id, has_files=bool(v.files)) for v in rows]


def rollback(tenant: Tenant, user: User, slug: str, number: int) -> ServiceVersion:
    """Publish version `number` again as a new version; the draft becomes that content too."""
    policy.require_workshop(user, tenant, edit=True)
    old = version_of(tenant, slug, number)
    if not old.files:
        raise NotFound(f"I file della versione {number} non sono disponibili.")
    service = _drafts.find_service(tenant, slug, lock=True)
    row = _drafts.draft_row(tenant, service, lock=True)
    version = _publish_files(tenant, user, slug, dict(old.files))
    _drafts.store(row, user, {**old.files, "service.yaml": catalogue.with_version(old.files["service.yaml"],
                                                                                   version.version)})
    return version


def set_archived(tenant: Tenant, user: User, slug: str, archived: bool) -> None:
    """Archive (no new applications; running ones go on) or bring back a service."""
    policy.require_workshop(user, tenant, edit=True)
    service = _drafts.find_service(tenant, slug, lock=True)
    if archived and service.current_version_id is None:
        raise Conflict("Un servizio mai pubblicato non si archivia: non ha domande.")
    service.archived_at = utcnow() if archived else None
    db.session.flush()


# --- differences ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One readable difference: `what` (e.g. "Testo: Descrizione"), before and after."""

    what: str
    before: str
    after: str


@dataclass(frozen=True)
class FileDiff:
    path: str
    lines: list[str]  # unified diff lines, without the header


@dataclass(frozen=True)
class Difference:
    version: int
    against: int | None
    settings: list[Change]
    elements: list[Change]
    files: list[FileDiff]


def difference(tenant: Tenant, slug: str, number: int) -> Difference:
    """Version `number` against the one before it: settings and texts, process elements, then each file."""
    new = version_of(tenant, slug, number)
    previous = db.session.scalar(select(ServiceVersion).where(
        ServiceVersion.service_id == new.service_id, ServiceVersion.version < number)
        .order_by(ServiceVersion.version.desc()).limit(1))
    old_files = dict(previous.files or {}) if previous is not None else {}
    new_files = dict(new.files or {})
    return Difference(
        version=number, against=previous.version if previous is not None else None,
        settings=_setting_changes(previous.manifest if previous is not None else {}, new.manifest),
        elements=_element_changes(old_files, new_files),
        files=[d for d in (_file_diff(p, old_files.get(p, ""), new_files.get(p, ""))
                           for p in sorted(set(old_files) | set(new_files))) if d.lines],
    )


_LABELS = {"title": "Titolo", "category": "Categoria", **{f"texts.{k}": f"Testo: {v}" for k, v in (
    ("description", "Descrizione"), ("who", "A chi è rivolto"), ("how_to", "Come fare"),
    ("what_you_need", "Cosa serve"), ("what_you_get", "Cosa si ottiene"), ("costs", "Quanto costa"),
    ("times", "Tempi e scadenze"), ("contacts", "Contatti"))},
    "options.max_response_time": "Tempo massimo di conclusione (giorni)"}


def _flat(manifest: dict[str, Any]) -> dict[str, str]:
    out = {"title": str(manifest.get("title") or ""), "category": str(manifest.get("category") or "")}
    for group in ("texts", "options"):
        values = manifest.get(group)
        if isinstance(values, dict):
            out.update({f"{group}.{k}": json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v
                        for k, v in values.items()})
    return out


def _setting_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = _flat(old), _flat(new)
    return [Change(_LABELS.get(key, key.replace("options.", "Opzione: ")), before.get(key, ""), after.get(key, ""))
            for key in sorted(set(before) | set(after)) if before.get(key, "") != after.get(key, "")]


def _elements(files: dict[str, str]) -> dict[str, str]:
    """id -> "kind 'name'" of every flow element in the service's own BPMN files."""
    found: dict[str, str] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path, text in files.items():
        if not path.endswith(".bpmn"):
            continue
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            continue
        for el in root.iter(f"{{{BPMN_NS}}}*"):
            ident = el.get("id")
            kind = etree.QName(el).localname
            if ident and kind not in {"definitions", "extensionElements", "incoming", "outgoing"}:
                found[ident] = f"{kind} «{el.get('name') or ident}»"
    return found


def _element_changes(old: dict[str, str], new: dict[str, str]) -> list[Change]:
    before, after = _elements(old), _elements(new)
    changes = [Change(f"Aggiunto {after[i]}", "", i) for i in sorted(set(after) - set(before))]
    changes += [Change(f"Rimosso {before[i]}", i, "") for i in sorted(set(before) - set(after))]
    changes += [Change(f"Rinominato {i}", before[i], after[i]) for i in sorted(set(before) & set(after))
                if before[i] != after[i]]
    return changes


def _file_diff(path: str, old: str, new: str) -> FileDiff:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2))
    return FileDiff(path=path, lines=lines[2:] if lines else [])
