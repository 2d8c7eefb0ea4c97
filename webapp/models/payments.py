"""Payments (pagoPA notices and revenue stamps) and the counters behind notice numbers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk

# Payment.status values (OpenCity "Gli stati di un pagamento").
PAYMENT_PENDING = "PAYMENT_PENDING"
COMPLETE = "COMPLETE"
EXPIRED = "EXPIRED"
CANCELED = "CANCELED"
PAGOPA, BOLLO = "pagopa", "bollo"


class Payment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "notice_number"),
        Index("ix_payments_user", "tenant_id", "user_id", "status"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    application_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # pagopa | bollo
    phase: Mapped[str] = mapped_column(String(16), nullable=False)  # request | release
    status: Mapped[str] = mapped_column(String(32), nullable=False, default=PAYMENT_PENDING)
    reason: Mapped[str] = mapped_column(String(140), nullable=False)  # causale: no personal data
    amount: Mapped[int] = mapped_column(Integer, nullable=False)  # cents
    iupd: Mapped[str | None] = mapped_column(String(64))
    notice_number: Mapped[str | None] = mapped_column(String(18))
    iuv: Mapped[str | None] = mapped_column(String(17))
    expire_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The reconciliation's last read of the debt position, so a sweep does not ask pagoPA every time.
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    receipt_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    stamp_identifier: Mapped[str | None] = mapped_column(String(14))
    stamp_issued_on: Mapped[str | None] = mapped_column(String(10))
    registered_manually_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    registered_manually_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    application = relationship("Application", lazy="joined")


class StampUse(db.Model):  # type: ignore[name-defined]
    """A marca da bollo may be used once in the tenant: the unique constraint is the guarantee."""

    __tablename__ = "stamp_uses"
    __table_args__ = (UniqueConstraint("tenant_id", "identifier"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    application_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    identifier: Mapped[str] = mapped_column(String(14), nullable=False)
    issued_on: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = created_at()


class NoticeCounter(db.Model):  # type: ignore[name-defined]
    """The 13-digit base of the tenant's notice numbers, allocated in order under a row lock."""

    __tablename__ = "notice_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
