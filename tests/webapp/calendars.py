"""The demo URP calendar opened every day for the next two months, whatever today's date is, so
booking tests do not depend on the seeded weekday hours or on the time of year."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask

from webapp.extensions import db
from webapp.models import Calendar, Closure, OpeningHour
from webapp.services.common.uow import unit_of_work

URP = "Ufficio Relazioni con il Pubblico"
CLOSED_IN_DAYS = 5  # one closed day inside the window


def open_every_day(app: Flask, *, queue: int = 3, moderated: bool = False) -> Any:
    """Two 30-minute slots (09:00, 09:30) a day with `queue` places; day today+5 closed. Returns the id."""
    with app.app_context(), unit_of_work():
        calendar = db.session.scalar(db.select(Calendar).where(Calendar.title == URP))
        calendar.opening_hours.clear()
        calendar.closures.clear()
        calendar.is_moderated = moderated
        calendar.opening_hours.append(OpeningHour(
            tenant_id=calendar.tenant_id, name="Sempre", start_date=date.today(),
            end_date=date.today() + timedelta(days=60), days_of_week=[1, 2, 3, 4, 5, 6, 7], begin_hour=time(9),
            end_hour=time(10), meeting_minutes=30, interval_minutes=0, meeting_queue=queue, is_moderated=False))
        day = date.today() + timedelta(days=CLOSED_IN_DAYS)
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        calendar.closures.append(Closure(tenant_id=calendar.tenant_id, reason="Chiuso",
                                         starts_at=midnight - timedelta(hours=3), ends_at=midnight + timedelta(days=1)))
        return calendar.id
