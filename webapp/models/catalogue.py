"""Services, their immutable published versions, the administrator's draft of each, and process specs
stored once per hash."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk


class ProcessDefinition(db.Model):  # type: ignore[name-defined]
    """Serialized BPMN specs; shared by every version (and tenant) with the same content."""

    __tablename__ = "process_definitions"

    spec_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), nullable=False)
    blob: Mapped[str] = mapped_column(Text, nullable=False)  # text, never jsonb: key order matters
    created_at: Mapped[datetime] = created_at()


class Service(db.Model):  # type: ignore[name-defined]
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("tenant_id", "slug"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    slug: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    category: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # 1 available
    current_version_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("service_versions.id", use_alter=True, name="fk_services_current_version")
    )
    created_at: Mapped[datetime] = created_at()
    # Archived: no new applications; the running ones go on on their versions.
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    current_version = relationship("ServiceVersion", foreign_keys=[current_version_id], lazy="joined")
    draft = relationship("ServiceDraft", uselist=False, back_populates="service", lazy="select")


class ServiceVersion(db.Model):  # type: ignore[name-defined]
    __tablename__ = "service_versions"
    __table_args__ = (UniqueConstraint("service_id", "version"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    definition_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    spec_hash: Mapped[str] = mapped_column(
        String(64), ForeignKey("process_definitions.spec_hash"), nullable=False
    )
    manifest: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    published_at: Mapped[datetime] = created_at()
    # The folder's own files as published ({path: text}), for export, diff and rollback; versions
    # published before the workshop existed have none.
    # Deferred: tens of kilobytes of text that only export, diff and rollback read, while every application
    # loads its version (for its forms and options).
    files: Mapped[dict[str, str] | None] = mapped_column(JSON, deferred=True)
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))

    # Only the workshop's history shows who published: not joined into every application's load.
    published_by = relationship("User", foreign_keys=[published_by_id], lazy="select")

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.manifest.get("options") or {})


class ServiceDraft(db.Model):  # type: ignore[name-defined]
    """The service as the administrators are changing it: the files of its folder, not yet published."""

    __tablename__ = "service_drafts"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("services.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    files: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    # Bumped by every save: a save naming an older revision is refused (someone saved meanwhile).
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = created_at()
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))

    service = relationship("Service", back_populates="draft")
    updated_by = relationship("User", foreign_keys=[updated_by_id], lazy="joined")


class SandboxRun(db.Model):  # type: ignore[name-defined]
    """A test run of a service's draft ("Prova il servizio"): the engine walked by an administrator,
    with no application, no citizen, and no call to the outside (service calls are simulated)."""

    __tablename__ = "sandbox_runs"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    service_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("services.id", ondelete="CASCADE"), nullable=False, index=True
    )
    started_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    # The draft as it was at the start: the run goes on with it even when the draft is saved meanwhile.
    files_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    files: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    spec_blob: Mapped[str] = mapped_column(Text, nullable=False)  # text, never jsonb: key order matters
    forms: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    engine_state: Mapped[str] = mapped_column(Text, nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    # [{at, element, label, status, who, summary}], oldest first.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)
    status: Mapped[int | None] = mapped_column(Integer)
    completed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    updated_at: Mapped[datetime] = created_at()  # before the attribute below hides the column helper
    created_at: Mapped[datetime] = created_at()

    service = relationship("Service", lazy="joined")
    started_by = relationship("User", foreign_keys=[started_by_id], lazy="joined")
