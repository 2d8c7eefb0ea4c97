"""The one scoping helper: every tenant-owned query starts here."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.models import Tenant
from webapp.services.common.errors import NotFound

M = TypeVar("M")

__all__ = ["Tenant", "get_scoped", "get_tenant", "list_tenants", "parse_uuid", "scoped"]


def get_tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise NotFound("Ente non trovato.")
    return tenant


def list_tenants() -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).order_by(Tenant.name)))


def scoped(model: type[M], tenant: Tenant) -> Select[M]:
    """SELECT model rows belonging to `tenant` only."""
    return select(model).where(model.tenant_id == tenant.id)  # type: ignore[attr-defined]


def parse_uuid(raw: Any) -> uuid.UUID | None:
    try:
        return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        return None


def get_scoped(model: type[M], tenant: Tenant, object_id: Any, *, lock: bool = False) -> M:
    """One row of `tenant` by id, or NotFound (also for ids of other tenants and malformed ids).

    With `lock`, the row is locked FOR UPDATE NOWAIT: a concurrent writer gets Locked (409).
    """
    oid = parse_uuid(object_id)
    if oid is None:
        raise NotFound()
    query = scoped(model, tenant).where(model.id == oid)  # type: ignore[attr-defined]
    if lock:
        query = query.with_for_update(nowait=True, of=model)
    row = db.session.scalar(query)
    if row is None:
        raise NotFound()
    return row
