"""Opening hours and closures on a calendar's page (enabled operators and administrators), and the
free days and slots they produce through the public API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Flask

from tests.backoffice.conftest import add_staff, csrf, logged_in
from tests.webapp.calendars import CLOSED_IN_DAYS, open_every_day
from webapp.extensions import db
from webapp.models import Calendar, Closure, OpeningHour

URP = "Ufficio Relazioni con il Pubblico"
THIS_YEAR_END = date(date.today().year, 12, 31)


def _calendar_id(app: Flask) -> Any:
    with app.app_context():
        return db.session.scalar(db.select(Calendar.id).where(Calendar.title == URP))


def _hours(app: Flask) -> list[tuple[str, list[int], time, time]]:
    with app.app_context():
        rows = db.session.scalars(db.select(OpeningHour).order_by(OpeningHour.name))
        return [(h.name, h.days_of_week, h.begin_hour, h.end_hour) for h in rows]


def _post(client: Any, path: str, form: dict[str, Any]) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, "/demo/backoffice/calendari"), **form})


def _hour_form(**changes: Any) -> dict[str, Any]:
    form = {"name": "Pomeriggi", "start_date": date.today().isoformat(), "end_date": THIS_YEAR_END.isoformat(),
            "days_of_week": ["2", "4"], "begin_hour": "14:30", "end_hour": "16:30", "meeting_minutes": "20",
            "interval_minutes": "10", "meeting_queue": "2"}
    form.update(changes)
    return form


def test_enabled_operator_adds_edits_and_deletes_an_opening_hour(app):
    calendar_id = _calendar_id(app)
    base = f"/demo/backoffice/calendari/{calendar_id}"
    operatore = logged_in(app, "operatore")
    assert "Mattine" in operatore.get(base).get_data(as_text=True)  # the demo's weekday mornings
    bad = _post(operatore, base + "/orari/nuovo", _hour_form(name="", days_of_week=[], end_hour="14:00",
                                                             end_date=f"{date.today().year + 1}-06-30"))
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Correggi 4 errori" in page
    assert "Un orario vale al massimo fino al 31/12" in page
    clash = _post(operatore, base + "/orari/nuovo", _hour_form(days_of_week=["1"], begin_hour="11:00"))
    assert clash.status_code == 400 and "Si sovrappone all&#39;orario «Mattine" in clash.get_data(as_text=True)
    assert [h[0] for h in _hours(app)] == [f"Mattine {date.today().year}"]  # nothing saved
    assert _post(operatore, base + "/orari/nuovo", _hour_form()).status_code == 302
    assert ("Pomeriggi", [2, 4], time(14, 30), time(16, 30)) in _hours(app)
    with app.app_context():
        hour_id = db.session.scalar(db.select(OpeningHour.id).where(OpeningHour.name == "Pomeriggi"))
    assert _post(operatore, f"{base}/orari/{hour_id}", _hour_form(days_of_week=["2"])).status_code == 302
    assert ("Pomeriggi", [2], time(14, 30), time(16, 30)) in _hours(app)
    assert _post(operatore, f"{base}/orari/{hour_id}/elimina", {}).status_code == 302
    assert "Pomeriggi" not in [h[0] for h in _hours(app)]


def test_closures_and_who_may_change_them(app):
    calendar_id = _calendar_id(app)
    base = f"/demo/backoffice/calendari/{calendar_id}"
    add_staff(app, "estraneo")
    outsider = logged_in(app, "estraneo")
    assert _post(outsider, base + "/chiusure", {"starts_at": "2030-08-15T00:00", "ends_at": "2030-08-16T00:00"}
                 ).status_code == 302
    assert _post(outsider, base + "/orari/nuovo", _hour_form()).status_code == 302
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Closure))
    assert len(_hours(app)) == 1  # the outsider changed nothing

    admin = logged_in(app, "admin")
    wrong = _post(admin, base + "/chiusure", {"starts_at": "2030-08-16T00:00", "ends_at": "2030-08-15T00:00"})
    assert "La fine della chiusura deve seguirne l&#39;inizio." in admin.get(wrong.headers["Location"]).get_data(
        as_text=True)
    assert _post(admin, base + "/chiusure", {"starts_at": "2030-08-15T00:00", "ends_at": "2030-08-16T00:00",
                                             "reason": "Ferragosto"}).status_code == 302
    with app.app_context():
        closure = db.session.scalar(db.select(Closure).where(Closure.reason == "Ferragosto"))
        assert closure.starts_at.astimezone(UTC) == datetime(2030, 8, 14, 22, 0, tzinfo=UTC)  # Rome summer time
        assert db.session.scalar(db.select(db.func.count()).select_from(Closure)) == before + 1
    assert "Ferragosto" in admin.get(base).get_data(as_text=True)
    assert _post(admin, f"{base}/chiusure/{closure.id}/elimina", {}).status_code == 302
    assert "Ferragosto" not in admin.get(base).get_data(as_text=True)


def test_public_api_gives_free_days_and_slots(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    days = client.get(f"/demo/api/calendars/{calendar_id}/availabilities").get_json()
    assert len(days) == 30  # the bookable window: from tomorrow (24-hour notice) to 30 days from now
    closed = (date.today() + timedelta(days=CLOSED_IN_DAYS)).isoformat()
    assert {"date": closed, "available": False} in days
    free = client.get(f"/demo/api/calendars/{calendar_id}/availabilities?available=true").get_json()
    assert closed not in [d["date"] for d in free] and all(d["available"] for d in free)
    day = (date.today() + timedelta(days=3)).isoformat()
    slots = client.get(f"/demo/api/calendars/{calendar_id}/availabilities/{day}").get_json()
    assert [(s["start_time"], s["end_time"], s["slots_available"]) for s in slots] == [
        ("09:00", "09:30", 3), ("09:30", "10:00", 3)]
    assert client.get(f"/demo/api/calendars/{calendar_id}/availabilities/{closed}").get_json() == []
    [hour] = client.get(f"/demo/api/calendars/{calendar_id}/opening-hours").get_json()
    assert hour["begin_hour"] == "09:00" and hour["days_of_week"] == [1, 2, 3, 4, 5, 6, 7]
    assert client.get(f"/demo/api/calendars/{calendar_id}/availabilities/31-12-2027").status_code == 400
    assert client.get(f"/demo/api/calendars/{calendar_id}/availabilities?from_time=2027-01-01&to_time=2029-01-01"
                      ).status_code == 400
