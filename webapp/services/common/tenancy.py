"""The one scoping helper: every tenant-owned query starts here."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, select

from webapp.extensions import db
from webapp.models import Tenant
from webapp.services.common.errors import NotFound

M = TypeVar("M")

__all__ = ["Tenant", "get_scoped", "get_tenant", "list_tenants", "parse_uuid", "scoped"]


# The statements every request runs are built once (building one costs about as much as running it).
_TENANT_BY_SLUG = select(Tenant).where(Tenant.slug == bindparam("slug"))
_BY_ID: dict[tuple[type[Any], bool], Select[Any]] = {}


def get_tenant(slug: str) -> Tenant:
    tenant = db.session.scalar(_TENANT_BY_SLUG, {"slug": slug})
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
    row = db.session.scalar(_by_id(model, lock), {"tenant_id": tenant.id, "id": oid})
    if row is None:
        raise NotFound()
    return row


def _by_id(model: type[M], lock: bool) -> Select[Any]:
    query = _BY_ID.get((model, lock))
    if query is None:
        query = select(model).where(model.tenant_id == bindparam("tenant_id"),  # type: ignore[attr-defined]
                                    model.id == bindparam("id"))  # type: ignore[attr-defined]
        if lock:
            query = query.with_for_update(nowait=True, of=model)
        _BY_ID[(model, lock)] = query
    return query
