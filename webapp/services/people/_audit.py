"""The staff security audit log: `audit()` writes an entry inside the caller's unit of work; administrators
read it (filtered, paged) and export it as CSV. Nobody else is told it exists.

An entry says who (the account, and its name copied), what (an event code of EVENTS), when, from which
address and on which object. It never holds a secret: details whose key looks like one are dropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select, func, or_

from webapp.extensions import db
from webapp.models import ADMIN, AuditEvent, Tenant, User
from webapp.services.common import localtime
from webapp.services.common.errors import NotFound
from webapp.services.common.tabular import csv_text, safe_cell
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

# Event codes and their Italian labels (the views translate them).
EVENTS: dict[str, str] = {
    "login": "Accesso",
    "login_failed": "Accesso non riuscito",
    "logout": "Uscita",
    "password_changed": "Password cambiata",
    "password_reset": "Password reimpostata con il collegamento",
    "totp_enabled": "Verifica in due passaggi attivata",
    "totp_disabled": "Verifica in due passaggi disattivata",
    "recovery_code_used": "Codice di recupero usato",
    "account_created": "Account creato",
    "account_updated": "Account modificato",
    "account_deleted": "Account eliminato",
    "role_changed": "Ruolo cambiato",
    "office_created": "Ufficio creato",
    "office_changed": "Ufficio modificato",
    "office_closed": "Ufficio chiuso",
    "settings_changed": "Impostazioni dell'ente cambiate",
}
# Keys never written into `details`, whatever a caller passes: the log must not become a place to steal from.
SECRET_WORDS = ("password", "secret", "token", "code", "otp", "key", "hash")
PAGE_SIZE = 50


def _address() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else ""


def _clean(details: dict[str, Any] | None) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if any(word in key.lower() for word in SECRET_WORDS):
            continue
        clean[key] = value if isinstance(value, int | float | bool | None) else str(value)[:500]
    return clean


def _describe(obj: Any) -> tuple[str, str, str]:
    """(type, id, name) of the object an event is about."""
    if obj is None:
        return "", "", ""
    if isinstance(obj, str):
        return "", "", obj[:200]
    kind = type(obj).__name__.lower()
    kind = {"user": "account", "office": "office", "tenant": "tenant", "service": "service"}.get(kind, kind)
    name = getattr(obj, "full_name", None) or getattr(obj, "name", None) or getattr(obj, "title", None) or ""
    if isinstance(obj, User) and obj.username:
        name = f"{name} ({obj.username})" if name != obj.username else name
    return kind[:32], str(getattr(obj, "id", ""))[:64], str(name)[:200]


def audit(actor: User | None, event: str, obj: Any = None, details: dict[str, Any] | None = None, *,
          tenant: Tenant | None = None, actor_name: str | None = None) -> None:
    """Write an audit entry: `actor` did `event` (a code of EVENTS) on `obj` (an account, office, the tenant,
    a service, or a short text), with `details` (no secrets: keys that look like one are dropped).

    Inside the caller's unit of work, so the entry is kept exactly when what it tells is; on its own it
    commits by itself. `tenant` is needed when there is no actor (a failed login of an unknown name).
    """
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    tenant_id = tenant.id if tenant is not None else (actor.tenant_id if actor is not None else None)
    if tenant_id is None:
        raise ValueError("audit() needs an actor or a tenant")
    kind, object_id, object_name = _describe(obj)
    name = actor_name if actor_name is not None else (
        f"{actor.full_name} ({actor.username})" if actor is not None and actor.username else
        (actor.full_name if actor is not None else ""))
    with unit_of_work():
        db.session.add(AuditEvent(tenant_id=tenant_id, actor_id=actor.id if actor is not None else None,
                                  actor_name=name[:200], event=event, object_type=kind, object_id=object_id,
                                  object_name=object_name, address=_address(), details=_clean(details)))
        db.session.flush()


def require_admin(user: User, tenant: Tenant) -> None:
    """The audit log is the administrators' alone; others are not told it exists."""
    if user.tenant_id != tenant.id or user.role != ADMIN:
        raise NotFound()


@dataclass(frozen=True)
class AuditFilters:
    event: str = ""
    who: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1

    @classmethod
    def parse(cls, args: Any) -> AuditFilters:
        event = str(args.get("evento") or "")
        page = str(args.get("pagina") or "1")
        return cls(event=event if event in EVENTS else "", who=str(args.get("chi") or "")[:100].strip(),
                   since=localtime.parse_day(args.get("dal")), until=localtime.parse_day(args.get("al")),
                   page=max(1, int(page)) if page.isdigit() else 1)


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def _query(tenant: Tenant, filters: AuditFilters) -> Select[Any]:
    query = scoped(AuditEvent, tenant)
    if filters.event:
        query = query.where(AuditEvent.event == filters.event)
    if filters.who:
        pattern = f"%{filters.who.lower()}%"
        query = query.where(or_(func.lower(AuditEvent.actor_name).like(pattern),
                                func.lower(AuditEvent.object_name).like(pattern)))
    if filters.since:
        query = query.where(AuditEvent.created_at >= localtime.start_of_day(filters.since))
    if filters.until:
        query = query.where(AuditEvent.created_at < localtime.end_of_day(filters.until))
    return query


def list_audit(tenant: Tenant, user: User, filters: AuditFilters) -> AuditPage:
    require_admin(user, tenant)
    query = _query(tenant, filters)
    total = db.session.scalar(db.select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id)
                              .offset((filters.page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return AuditPage(list(rows), total, filters.page)


CSV_HEADER = ["Data e ora", "Evento", "Codice evento", "Chi", "Indirizzo", "Oggetto", "Tipo di oggetto",
              "Identificativo dell'oggetto", "Dettagli"]


def audit_csv(tenant: Tenant, user: User, filters: AuditFilters) -> Iterator[str]:
    """Every entry matching `filters` (not only one page), newest first, as CSV."""
    require_admin(user, tenant)
    query = _query(tenant, filters).order_by(AuditEvent.created_at.desc(), AuditEvent.id)

    def rows() -> Iterator[list[str]]:
        yield CSV_HEADER
        for row in db.session.scalars(query.execution_options(yield_per=500)):
            details = ", ".join(f"{k}: {v}" for k, v in sorted(row.details.items()))
            yield [safe_cell(localtime.local(row.created_at)), safe_cell(EVENTS.get(row.event, row.event)),
                   safe_cell(row.event), safe_cell(row.actor_name), safe_cell(row.address),
                   safe_cell(row.object_name), safe_cell(row.object_type), safe_cell(row.object_id),
                   safe_cell(details)]

    return csv_text(rows())


def audit_entries(tenant: Tenant, event: str | None = None) -> list[AuditEvent]:
    """For tests and checks: the tenant's entries, oldest first."""
    query = scoped(AuditEvent, tenant)
    if event:
        query = query.where(AuditEvent.event == event)
    return list(db.session.scalars(query.order_by(AuditEvent.created_at)))

