"""Tenants (enti) and their offices."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, String, Table, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk


def office_code(name: str) -> str:
    """The code an office gets from its name when none is given: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63] or "ufficio"


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
    __table_args__ = (UniqueConstraint("tenant_id", "name"),
                      UniqueConstraint("tenant_id", "code", name="uq_offices_tenant_code"))

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # Stable, as a process names it (a user task for `ufficio:<code>`): renaming the office keeps its work.
    code: Mapped[str] = mapped_column(String(63), nullable=False, default=lambda ctx: office_code(
        ctx.get_current_parameters()["name"]))
    email: Mapped[str | None] = mapped_column(String(254))
    # A closed office keeps its row (applications and history name it) but takes no new operators or work.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()

    services = relationship("Service", secondary="office_services", lazy="selectin", order_by="Service.name")


# The services an office handles: its operators are enabled for them (people.set_office_services).
office_services = Table(
    "office_services",
    db.metadata,
    Column("office_id", Uuid, ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", Uuid, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)
