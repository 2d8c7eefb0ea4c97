"""Booking steps the citizen's booking tests share: a slot on DAY of a calendar open every day, the five
steps, the appointments stored."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask

from tests.citizen.helpers import csrf
from webapp.extensions import db
from webapp.models import Meeting, OpeningHour

BASE = "/demo/prenota-appuntamento"
DAY = date.today() + timedelta(days=10)


def slot_on_day(calendar_id: Any, start: str = "09:00") -> str:
    """The radio value of a slot on DAY (inside an app context)."""
    return f"{DAY.isoformat()}|{start}|{opening_hour_of(calendar_id)}"


def opening_hour_of(calendar_id: Any) -> str:
    return str(db.session.scalar(db.select(OpeningHour.id).where(OpeningHour.calendar_id == calendar_id)))


def book(app: Flask, client: Any, calendar_id: Any, *, start: str = "09:00", email: str = "anna@example.it") -> Any:
    """The five steps; returns the last response (the redirect to the appointment page)."""
    page = client.get(f"{BASE}/{calendar_id}", query_string={"giorno": DAY.isoformat()}).get_data(as_text=True)
    assert "Appuntamenti disponibili" in page
    token = csrf(client, f"{BASE}/{calendar_id}?giorno={DAY.isoformat()}")
    with app.app_context():
        slot = slot_on_day(calendar_id, start)
    held = client.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot, "service": "contributo"})
    assert held.status_code == 302 and "/dettagli" in held.headers["Location"], held.get_data(as_text=True)[:300]
    client.post(f"{BASE}/dettagli", data={"csrf_token": token, "service": "contributo",
                                          "user_message": "Informazioni sul contributo"})
    client.post(f"{BASE}/richiedente", data={"csrf_token": token, "name": "Anna", "surname": "Bianchi",
                                             "email": email, "phone_number": "+39 333 1111111"})
    return client.post(f"{BASE}/conferma", data={"csrf_token": token})


def meetings(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        return [(m.status, m.email) for m in db.session.scalars(db.select(Meeting).order_by(Meeting.created_at))]
