"""Calendars (*calendari*) of the offices, and the operators enabled to run them.

Booking rules live on the calendar (opencity-model.md, Calendar): the bookable horizon, the minimum
notice, cancellation, the hold on a draft booking, moderation. Opening hours, closures and meetings
build on this table.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
)
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


class Calendar(db.Model):  # type: ignore[name-defined]
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
    # "Cosa serve": what the booker brings, shown on the booking's confirmation (set where calendars are edited).
    what_to_bring: Mapped[str | None] = mapped_column(Text)
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
    # *Limitazione degli appuntamenti* (rule e.8): at most max_bookings per booker per period.
    max_bookings: Mapped[int | None] = mapped_column(Integer)
    booking_period: Mapped[str | None] = mapped_column(String(8))  # week | month | year
    created_at: Mapped[datetime] = created_at()

    operators = relationship("User", secondary=operator_calendars, back_populates="calendars",
                             order_by="User.family_name")
    opening_hours = relationship("OpeningHour", order_by="OpeningHour.start_date", cascade="all, delete-orphan",
                                 passive_deletes=True)
    closures = relationship("Closure", order_by="Closure.starts_at", cascade="all, delete-orphan",
                            passive_deletes=True)


class OpeningHour(db.Model):  # type: ignore[name-defined]
    """*Orario di apertura*: on these weekdays between these dates, slots from begin to end hour."""

    __tablename__ = "opening_hours"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    calendar_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("calendars.id", ondelete="CASCADE"),
                                                   nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    end_date: Mapped[date] = mapped_column(Date, nullable=False)
    days_of_week: Mapped[list[int]] = mapped_column(JSON, nullable=False)  # ISO weekdays, 1 = Monday
    begin_hour: Mapped[time] = mapped_column(Time, nullable=False)
    end_hour: Mapped[time] = mapped_column(Time, nullable=False)
    meeting_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=30)
    interval_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # gap between slots
    meeting_queue: Mapped[int] = mapped_column(Integer, nullable=False, default=1)  # parallel meetings
    is_moderated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = created_at()


class Closure(db.Model):  # type: ignore[name-defined]
    """*Periodo di chiusura*: holidays, the patron saint's day, office closures."""

    __tablename__ = "calendar_closures"

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    calendar_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("calendars.id", ondelete="CASCADE"),
                                                   nullable=False, index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at()


# Meeting statuses (CORE's codes) and the ones that hold a place in a slot.
PENDING, APPROVED, REFUSED, MISSED, DONE, CANCELLED, DRAFT = range(7)
HOLDING = (PENDING, APPROVED, DRAFT)


class Meeting(db.Model):  # type: ignore[name-defined]
    """*Appuntamento*: booked with or without SPID; a DRAFT holds its place until `draft_expiration`."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_calendar_time", "calendar_id", "from_time"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    tenant_id: Mapped[uuid.UUID] = tenant_fk()
    calendar_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("calendars.id", ondelete="CASCADE"),
                                                   nullable=False)
    opening_hour_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("opening_hours.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    service_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("services.id", ondelete="SET NULL"))
    # The application it serves (booked from the application's page); one active meeting each (rule e.9).
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("applications.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    surname: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    phone_number: Mapped[str | None] = mapped_column(String(32))
    fiscal_code: Mapped[str | None] = mapped_column(String(16))
    from_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    to_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False, default=DRAFT)
    user_message: Mapped[str] = mapped_column(Text, nullable=False, default="")  # reason and details
    motivation_outcome: Mapped[str | None] = mapped_column(Text)  # the operator's words on a cancellation
    videoconference_link: Mapped[str | None] = mapped_column(String(500))
    rescheduled: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The booker's key to their appointment (the links in the e-mails); never shown to anyone else.
    cancel_token: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    draft_expiration: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()

    calendar = relationship("Calendar")
