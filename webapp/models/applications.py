"""Applications (pratiche), their status history, and the service calls they wait for."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, utcnow, uuid_pk


class Application(db.Model):  # type: ignore[name-defined]
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_list", "tenant_id", "service_id", "status", "latest_status_change_at"),
        Index("ix_applications_assignee", "tenant_id", "operator_id", "status"),
        Index("ix_applications_fiscal_code", "tenant_id", "applicant_fiscal_code"),
        Index("ix_applications_user", "tenant_id", "user_id", "created_at"),
        # Back office (migration 0004): the list's sorts and filters, and name search.
        Index("ix_bo_applications_change", "tenant_id", "latest_status_change_at"),
        Index("ix_bo_applications_service_change", "tenant_id", "service_id", "latest_status_change_at"),
        Index("ix_bo_applications_service_submitted", "tenant_id", "service_id", "submitted_at"),
        Index("ix_bo_applications_office", "tenant_id", "office_id", "status"),
        Index("ix_bo_applications_name_trgm", "applicant_name", postgresql_using="gin",
              postgresql_ops={"applicant_name": "gin_trgm_ops"}),
        # Search by part of a fiscal code or protocol number (migration 0010, PostgreSQL only).
        Index("ix_bo_applications_fiscal_code_trgm", "applicant_fiscal_code", postgresql_using="gin",
              postgresql_ops={"applicant_fiscal_code": "gin_trgm_ops"}),
        Index("ix_bo_applications_protocol_trgm", "protocol_number", postgresql_using="gin",
              postgresql_ops={"protocol_number": "gin_trgm_ops"}),
        # The list's "In ritardo" filter (migration 0020): open applications past their latest date.
        Index("ix_applications_due", "tenant_id", "due_on"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("services.id"), nullable=False)
    service_version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("service_versions.id"), nullable=False
    )
    definition_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    applicant_fiscal_code: Mapped[str] = mapped_column(String(16), nullable=False)
    applicant_name: Mapped[str] = mapped_column(String(200), nullable=False)
    auth_method: Mapped[str] = mapped_column(String(16), nullable=False, default="password")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = created_at()
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the ente received it (the first status from 1900 Inviata on) and when an office first took it
    # in charge; `due_on` is the latest completion date: received + the service's max_response_time.
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    taken_in_charge_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_on: Mapped[date | None] = mapped_column(Date)
    latest_status_change_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, nullable=False
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, nullable=False
    )
    office_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("offices.id"))
    operator_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    protocol_number: Mapped[str | None] = mapped_column(String(64))
    protocol_document_id: Mapped[str | None] = mapped_column(String(128))
    protocol_numbers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    outcome: Mapped[str | None] = mapped_column(String(32))  # approved | partially_approved | rejected
    outcome_motivation: Mapped[str | None] = mapped_column(Text)
    engine_state: Mapped[str] = mapped_column(Text, nullable=False)  # text, never jsonb
    waits: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)  # ready tasks, messages
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # Citizen portal: follow-up requests (rinnovo, modifica...) and draft resume.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("applications.id"), index=True)
    follow_up_kind: Mapped[str | None] = mapped_column(String(16))
    last_compiled_step: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    service = relationship("Service", lazy="joined")
    service_version = relationship("ServiceVersion", lazy="joined")
    # The applicant is the caller of most requests (already in the session, no query); operator and office are
    # often none (no query either): loaded when read, and eagerly by the lists that show them.
    user = relationship("User", foreign_keys=[user_id])
    operator = relationship("User", foreign_keys=[operator_id])
    office = relationship("Office")


class StatusChange(db.Model):  # type: ignore[name-defined]
    """Append-only history: the Iter della pratica."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    application_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    event: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)  # citizen|operator|system|api
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = created_at()


DETACHED_PREFIX = "detached:"
# The states of a service call (ServiceCallRow.status).
CALL_PENDING, CALL_DONE, CALL_FAILED, CALL_CANCELLED = "pending", "done", "failed", "cancelled"


class ServiceCallRow(db.Model):  # type: ignore[name-defined]
    """A service task waiting for a worker; unique per (application, engine task)."""

    __tablename__ = "service_calls"
    __table_args__ = (UniqueConstraint("application_id", "task_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    application_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    task_id: Mapped[str] = mapped_column(String(64), nullable=False)
    bpmn_id: Mapped[str] = mapped_column(String(200), nullable=False)
    operation: Mapped[str] = mapped_column(String(200), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default=CALL_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What was decided before calling out (e.g. the notice number), so a retry repeats the same call.
    prepared: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at()
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def detached(self) -> bool:
        """A call no process task waits for (e.g. marking a notice paid on pagoPA after *Registra
        pagamento*): it retries and becomes an incident like the others, but resumes nothing."""
        return self.task_id.startswith(DETACHED_PREFIX)


# The states of a process task (ProcessTask.state).
TASK_READY, TASK_COMPLETED, TASK_CANCELLED = "ready", "completed", "cancelled"


class ProcessTask(db.Model):  # type: ignore[name-defined]
    """A user task of an application's process: work for the citizen or for an office.

    A projection of what the engine waits for, rebuilt at every step: READY rows are the inboxes; a
    row that ended stays, so a late completion is told "no longer ready" (409) rather than "unknown".
    """

    __tablename__ = "process_tasks"
    __table_args__ = (
        Index("ix_process_tasks_application", "application_id", "state"),
        Index("ix_process_tasks_inbox", "tenant_id", "state", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the engine's task id
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    application_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False
    )
    service_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("services.id"), nullable=False)
    bpmn_id: Mapped[str] = mapped_column(String(200), nullable=False)
    label: Mapped[str] = mapped_column(String(300), nullable=False)
    form: Mapped[str | None] = mapped_column(String(100))
    variable: Mapped[str | None] = mapped_column(String(100))
    candidate: Mapped[str] = mapped_column(String(120), nullable=False)  # cittadino | ufficio | ufficio:<code> | ...
    office_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("offices.id", ondelete="SET NULL"))
    actions: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status_code: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default=TASK_READY)
    created_at: Mapped[datetime] = created_at()
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))

    application = relationship("Application", lazy="joined")
    office = relationship("Office", lazy="joined")
