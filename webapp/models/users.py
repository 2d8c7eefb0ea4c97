"""Citizens and back-office users (operators, managers, administrators)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Table, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk

CITIZEN = "citizen"
OPERATOR = "operator"
MANAGER = "manager"
ADMIN = "admin"
STAFF_ROLES = (OPERATOR, MANAGER, ADMIN)

operator_services = Table(
    "operator_services",
    db.metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", Uuid, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("tenant_id", "username"),
        UniqueConstraint("tenant_id", "fiscal_code"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # citizen | operator | manager | admin
    username: Mapped[str | None] = mapped_column(String(150))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    fiscal_code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    family_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[str | None] = mapped_column(String(10))  # ISO date
    birth_place: Mapped[str | None] = mapped_column(String(100))
    identity: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # read-only SPID/CIE attributes
    # Citizen profile: {address, postal_code, city, province}; birth country.
    residence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    domicile: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    birth_country: Mapped[str | None] = mapped_column(String(100))
    # Once only (AgID C.SE.1.5): what the citizen gave that has no column of its own, {"isee": 8500.0, "iban":
    # "IT60X..."}, and when and where each kind of data the ente holds was last given, by group (email, phone,
    # residence, isee, iban): {"at": ISO moment, "source": "profile" | "application" | "identity",
    # "application_id", "service"}.
    held_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    data_provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    office_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("offices.id", ondelete="SET NULL"))
    # Operators: which booking e-mails they want from their calendars {new, changed, cancelled}; None = all.
    calendar_notifications: Mapped[dict[str, bool] | None] = mapped_column(JSON)
    # Raised when the password or the role changes: API tokens issued before carry an older number.
    credentials_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    # The optional second factor (RFC 6238 TOTP): the shared secret (needed in clear to check codes), when it
    # was confirmed (None: not enrolled, or enrolment begun but not confirmed), the last time step accepted (a
    # code is good once) and the SHA-256 of the unused recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    totp_recovery: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = created_at()

    # Loaded when read (the operators' pages), never with every user: each request loads its caller, and the
    # policy asks only for the ids (policy.enabled_service_ids), one small query when it needs them.
    services = relationship("Service", secondary=operator_services, lazy="select")
    calendars = relationship("Calendar", secondary="operator_calendars", back_populates="operators",
                             order_by="Calendar.title")

    @property
    def full_name(self) -> str:
        return f"{self.name} {self.family_name}".strip() or (self.username or "")

    @property
    def has_totp(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    # The session-login protocol (Flask-Login): an id that also names the tenant.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.tenant_id}:{self.id}"


class LoginSession(db.Model):  # type: ignore[name-defined]
    """A signed-in browser session, kept on the server so that logging out (or a new password, or a new
    role) really ends it: a copy of the cookie taken before is worth nothing afterwards."""

    __tablename__ = "login_sessions"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                                               index=True)
    created_at: Mapped[datetime] = created_at()
