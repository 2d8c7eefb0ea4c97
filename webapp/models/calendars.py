"""Calendars (*calendari*) of the offices, and the operators enabled to run them.

Booking rules live on the calendar (opencity-model.md, Calendar): the bookable horizon, the minimum
notice, cancellation, the hold on a draft booking, moderation. Opening hours, closures and meetings
build on this table.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models._columns import created_at, tenant_fk, uuid_pk

FIXED_SLOTS, VARIABLE_SLOTS = "time_fixed_slots", "time_variable_slots"

operator_calendars = Table(
    "operator_calendars",
    db.metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("calendar_id", Uuid, ForeignKey("calendars.id", ondelete="CASCADE"), primary_key=True),
)


class Calendar(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "calendars"
    __table_args__ = (UniqueConstraint("tenant_id", "title"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False, default=FIXED_SLOTS)
    office_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("offices.id", ondelete="SET NULL"))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    location: Mapped[str | None] = mapped_column(String(300))
    rolling_days: Mapped[int] = mapped_column(Integer, nullable=False, default=30)  # bookable horizon
    minimum_scheduling_notice: Mapped[int] = mapped_column(Integer, nullable=False, default=24)  # hours
    allow_cancel_days: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    drafts_duration: Mapped[int] = mapped_column(Integer, nullable=False, default=600)  # seconds
    # Extra hold on a draft booking while its application waits for payment (seconds; 5 days).
    drafts_duration_increment: Mapped[int] = mapped_column(Integer, nullable=False, default=432_000)
    is_moderated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    allow_overlaps: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notify_operators: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    notify_citizens: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = created_at()

    operators = relationship("User", secondary=operator_calendars, back_populates="calendars",
                             order_by="User.family_name")
