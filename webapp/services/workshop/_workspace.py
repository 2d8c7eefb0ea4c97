"""The workspace list: every service of the ente with its state, version and last change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Service, ServiceDraft, Tenant, User
from webapp.services.common import policy
from webapp.services.common.tenancy import scoped

from ._drafts import as_draft, state_of


@dataclass(frozen=True)
class WorkspaceRow:
    slug: str
    name: str
    category: str | None
    state: str
    current_version: int | None
    changed_at: datetime
    changed_by: str | None
    unpublished_changes: bool


def workspace(tenant: Tenant, user: User) -> list[WorkspaceRow]:
    policy.require_workshop(user, tenant, edit=False)
    services = list(db.session.scalars(scoped(Service, tenant).order_by(Service.name)))
    drafts = {d.service_id: d for d in db.session.scalars(
        select(ServiceDraft).where(ServiceDraft.tenant_id == tenant.id))}
    rows = []
    for service in services:
        current = service.current_version
        draft = drafts.get(service.id)
        changed_at, changed_by = service.created_at, None
        if current is not None:
            changed_at = current.published_at
            changed_by = current.published_by.full_name if current.published_by else None
        if draft is not None and draft.updated_at > changed_at:
            changed_at, changed_by = draft.updated_at, draft.updated_by.full_name if draft.updated_by else None
        rows.append(WorkspaceRow(
            slug=service.slug, name=service.name, category=service.category, state=state_of(service),
            current_version=current.version if current is not None else None, changed_at=changed_at,
            changed_by=changed_by,
            unpublished_changes=draft is not None and as_draft(service, draft).changed))
    return rows
