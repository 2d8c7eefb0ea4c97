"""Tenants (enti) and their offices."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk


class Tenant(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    fiscal_code: Mapped[str | None] = mapped_column(String(16))
    ipa_code: Mapped[str | None] = mapped_column(String(32))
    # Per-ente settings: footer links (privacy, accessibility statement, legal notes...), contacts, branding.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = created_at()

    def setting(self, key: str, default: Any = None) -> Any:
        return (self.settings or {}).get(key, default)


class Office(db.Model):  # type: ignore[name-defined]
    __tablename__ = "offices"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = created_at()
