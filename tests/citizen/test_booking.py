"""Booking an appointment (ui.md §3.6, opencity-model.md section e): the five steps without login,
the draft that holds a place, capacity under concurrency, the e-mail with its iCalendar file,
cancellation within the allowed days, moderation, and the office's actions."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar as ICalendar

from tests.backoffice.conftest import csrf as staff_csrf
from tests.backoffice.conftest import logged_in
from tests.citizen.booking import BASE, DAY, book, meetings, opening_hour_of, slot_on_day
from tests.citizen.helpers import MARIO, csrf, login
from tests.webapp.calendars import open_every_day
from webapp.extensions import db
from webapp.models import Meeting, OpeningHour, OutboxMessage, Tenant
from webapp.models.calendars import APPROVED, CANCELLED, DONE, PENDING
from webapp.services import appointments
from webapp.services.common.errors import Conflict
from webapp.services.jobs import sweep


def test_anonymous_booking_through_the_five_steps(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    offices = client.get(BASE).get_data(as_text=True)
    assert "Ufficio Relazioni con il Pubblico" in offices and 'name="ufficio"' in offices
    chosen = client.get(BASE, query_string={"ufficio": str(calendar_id), "tutti": "1"})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(f"{BASE}/{calendar_id}")
    token = csrf(client, f"{BASE}/{calendar_id}")
    with app.app_context():
        slot = slot_on_day(calendar_id)
    client.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot})
    empty = client.post(f"{BASE}/dettagli", data={"csrf_token": token, "user_message": " "})
    assert empty.status_code == 400 and "Descrivi il motivo dell&#39;appuntamento." in empty.get_data(as_text=True)
    client.post(f"{BASE}/dettagli", data={"csrf_token": token, "user_message": "Rinnovo carta d'identità"})
    bad = client.post(f"{BASE}/richiedente", data={"csrf_token": token, "name": "Anna", "surname": "",
                                                   "email": "non-una-mail"})
    assert bad.status_code == 400 and "Correggi 2 errori" in bad.get_data(as_text=True)
    client.post(f"{BASE}/richiedente", data={"csrf_token": token, "name": "Anna", "surname": "Bianchi",
                                             "email": "anna@example.it"})
    summary = client.get(f"{BASE}/riepilogo").get_data(as_text=True)
    assert "Rinnovo carta d&#39;identità" in summary and "Anna Bianchi, anna@example.it" in summary
    done = client.post(f"{BASE}/conferma", data={"csrf_token": token})
    assert done.status_code == 302 and "/demo/appuntamenti/" in done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Appuntamento confermato" in page and "Aggiungi al tuo calendario" in page
    assert meetings(app) == [(APPROVED, "anna@example.it")]
    with app.app_context():
        mail = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.recipient == "anna@example.it"))
        assert "Appuntamento confermato" in mail.body and "/demo/appuntamenti/" in mail.body
        [attachment] = mail.payload["attachments"]
    event = ICalendar.from_ical(attachment["content"]).walk("VEVENT")[0]
    assert event.decoded("dtstart").date() == DAY and str(event["dtstart"].params["TZID"]) == "Europe/Rome"
    assert event.decoded("dtstart").strftime("%H:%M") == "09:00"
    ics = client.get(done.headers["Location"].split("?")[0] + "/appuntamento.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    # The place is taken: the 09:00 slot now offers one place fewer.
    slots = client.get(f"/demo/api/calendars/{calendar_id}/availabilities/{DAY.isoformat()}").get_json()
    assert [s["slots_available"] for s in slots] == [2, 3]


def test_a_draft_holds_the_last_place_until_it_expires(app):
    calendar_id = open_every_day(app, queue=1)
    first, second = app.test_client(), app.test_client()
    token = csrf(first, f"{BASE}/{calendar_id}")
    with app.app_context():
        slot = slot_on_day(calendar_id)
    assert first.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot}).status_code == 302
    token2 = csrf(second, f"{BASE}/{calendar_id}")
    refused = second.post(f"{BASE}/{calendar_id}", data={"csrf_token": token2, "slot": slot})
    assert "/dettagli" not in refused.headers["Location"]
    assert "Questo orario non è più disponibile" in second.get(refused.headers["Location"]).get_data(as_text=True)
    with app.app_context():  # ten minutes later nobody finished the first booking
        report = sweep(datetime.now(UTC) + timedelta(minutes=11))
        assert report.drafts_expired == 1
    expired = first.get(f"{BASE}/dettagli")
    assert expired.status_code == 302
    held = second.post(f"{BASE}/{calendar_id}", data={"csrf_token": token2, "slot": slot})
    assert "/dettagli" in held.headers["Location"]  # the freed place is the second booker's now


def test_two_people_racing_for_the_last_place(app):
    calendar_id = open_every_day(app, queue=1)
    with app.app_context():
        hour_id = opening_hour_of(calendar_id)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def attempt() -> None:
        with app.app_context():
            tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
            barrier.wait()
            try:
                appointments.hold_slot(tenant, calendar_id, DAY, "09:30", hour_id, datetime.now(UTC), None)
                outcomes.append("held")
            except Conflict:
                outcomes.append("refused")

    for _round in range(5):
        outcomes.clear()
        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["held", "refused"]
        with app.app_context():
            db.session.execute(db.delete(Meeting))
            db.session.commit()


def test_logged_in_citizen_finds_their_details_filled_in(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    login(client, MARIO)
    token = csrf(client, f"{BASE}/{calendar_id}")
    with app.app_context():
        slot = slot_on_day(calendar_id)
    client.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot})
    page = client.get(f"{BASE}/richiedente").get_data(as_text=True)
    assert 'value="Mario"' in page and 'value="Rossi"' in page and 'value="mario.rossi@example.it"' in page


def test_cancelling_within_the_allowed_days_and_not_after(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    link = book(app, client, calendar_id).headers["Location"].split("?")[0]
    token = csrf(client, link)
    assert client.post(link + "/disdici", data={"csrf_token": token}).status_code == 302
    assert "Appuntamento disdetto" in client.get(link).get_data(as_text=True)
    assert meetings(app)[0][0] == CANCELLED
    late = book(app, client, calendar_id, start="09:30").headers["Location"].split("?")[0]
    with app.app_context():  # move it to tomorrow: inside the three days that cannot be cancelled
        meeting = db.session.scalar(db.select(Meeting).where(Meeting.status == APPROVED))
        meeting.from_time = datetime.now(UTC) + timedelta(days=1)
        meeting.to_time = meeting.from_time + timedelta(minutes=30)
        db.session.commit()
    page = client.get(late).get_data(as_text=True)
    assert "Puoi disdire fino a 3 giorni prima" in page and "/disdici" not in page
    assert client.post(late + "/disdici", data={"csrf_token": token}).status_code == 302
    assert sorted(s for s, _e in meetings(app)) == [APPROVED, CANCELLED]


def test_moderated_calendar_waits_for_the_office(app):
    calendar_id = open_every_day(app, moderated=True)
    client = app.test_client()
    link = book(app, client, calendar_id).headers["Location"]
    assert "Appuntamento richiesto" in client.get(link).get_data(as_text=True)
    assert meetings(app)[0][0] == PENDING
    operatore = logged_in(app, "operatore")  # enabled for the URP calendar
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    listed = operatore.get(agenda, query_string={"dal": DAY.isoformat()}).get_data(as_text=True)
    assert "Anna Bianchi" in listed and "Da confermare" in listed
    with app.app_context():
        meeting_id = db.session.scalar(db.select(Meeting.id))
    token = staff_csrf(operatore, agenda)
    assert operatore.post(f"{agenda}/{meeting_id}/approve", data={"csrf_token": token}).status_code == 302
    assert meetings(app)[0][0] == APPROVED
    refused = operatore.post(f"{agenda}/{meeting_id}/approve", data={"csrf_token": token})
    assert "non può cambiare così" in operatore.get(refused.headers["Location"]).get_data(as_text=True)
    with app.app_context():  # an appointment is marked done once it has begun
        meeting = db.session.get(Meeting, meeting_id)
        meeting.from_time = datetime.now(UTC) - timedelta(minutes=30)
        meeting.to_time = datetime.now(UTC)
        db.session.commit()
    assert operatore.post(f"{agenda}/{meeting_id}/done", data={"csrf_token": token, "confirm": "1"}).status_code == 302
    assert meetings(app)[0][0] == DONE
    with app.app_context():
        subjects = [m.subject for m in db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.recipient == "anna@example.it"))]
    assert any("da confermare" in s for s in subjects) and any("confermato" in s for s in subjects)


@pytest.mark.parametrize("path", ["/demo/appuntamenti/not-a-token", "/demo/appuntamenti/not-a-token/appuntamento.ics"])
def test_unknown_appointment_links_are_not_found(app, path):
    assert app.test_client().get(path).status_code == 404


def test_the_service_page_offers_booking(app):
    open_every_day(app)
    page = app.test_client().get("/demo/servizi/contributo").get_data(as_text=True)
    assert 'data-element="service-booking-access"' in page
    assert re.search(r'action="/demo/prenota-appuntamento"', page)


def test_a_citizens_appointments_in_the_area_personale(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    login(client, MARIO)
    assert "Non hai appuntamenti" in client.get("/demo/area-personale/appuntamenti").get_data(as_text=True)
    book(app, client, calendar_id, email="mario.rossi@example.it")
    page = client.get("/demo/area-personale/appuntamenti").get_data(as_text=True)
    assert "Ufficio Relazioni con il Pubblico" in page and "Confermato" in page
    other = app.test_client()
    login(other, "VRDGPP85M41F205X")
    assert "Non hai appuntamenti" in other.get("/demo/area-personale/appuntamenti").get_data(as_text=True)


def test_an_opening_hour_with_future_appointments_cannot_be_deleted(app):
    calendar_id = open_every_day(app)
    book(app, app.test_client(), calendar_id)
    with app.app_context():
        hour_id = opening_hour_of(calendar_id)
    admin = logged_in(app, "admin")
    page = f"/demo/backoffice/calendari/{calendar_id}"
    refused = admin.post(f"{page}/orari/{hour_id}/elimina", data={"csrf_token": staff_csrf(admin, page)})
    assert "ha 1 appuntamenti futuri: spostali o annullali" in admin.get(refused.headers["Location"]).get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(OpeningHour, hour_id) is not None


def test_a_booking_limit_per_period_counts_the_booker_by_email(app):
    calendar_id = open_every_day(app)
    with app.app_context():
        from webapp.models import Calendar

        calendar = db.session.get(Calendar, calendar_id)
        calendar.max_bookings, calendar.booking_period = 1, "year"
        db.session.commit()
    client = app.test_client()
    assert "/demo/appuntamenti/" in book(app, client, calendar_id).headers["Location"]
    second_browser = app.test_client()
    again = book(app, second_browser, calendar_id, start="09:30")  # same e-mail
    assert "/riepilogo" in again.headers["Location"]
    assert "Hai già 1 appuntamenti in questo anno" in second_browser.get(again.headers["Location"]).get_data(
        as_text=True)
    other = book(app, app.test_client(), calendar_id, start="09:30", email="bruno@example.it")
    assert "/demo/appuntamenti/" in other.headers["Location"]  # someone else may still book
    assert sorted(e for _s, e in meetings(app) if _s == APPROVED) == ["anna@example.it", "bruno@example.it"]


def test_period_bounds():
    from webapp.services.appointments import booking_period_bounds
    from webapp.services.common.localtime import ROME

    def local(bounds):
        return [moment.astimezone(ROME).date() for moment in bounds]

    assert local(booking_period_bounds("week", date(2027, 3, 4))) == [date(2027, 3, 1), date(2027, 3, 8)]
    assert local(booking_period_bounds("month", date(2027, 12, 15))) == [date(2027, 12, 1), date(2028, 1, 1)]
    assert local(booking_period_bounds("year", date(2027, 6, 1))) == [date(2027, 1, 1), date(2028, 1, 1)]
    week = booking_period_bounds("week", date(2027, 3, 4))
    assert all(moment.utcoffset() == timedelta(0) for moment in week)  # stored as UTC


def test_on_the_demos_sqlite_database_times_stay_the_offices(make_app, tmp_path):
    """SQLite keeps no offset: appointments are stored as UTC, so 09:00 in Rome stays 09:00."""
    from webapp.cli import upgrade_database
    from webapp.demo import seed_demo
    from webapp.models import Calendar

    demo = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/demo.sqlite3")
    with demo.app_context():
        upgrade_database()
        seed_demo("demo")
    calendar_id = open_every_day(demo)
    with demo.app_context():
        assert db.session.get(Calendar, calendar_id) is not None
    client = demo.test_client()
    link = book(demo, client, calendar_id).headers["Location"]
    page = client.get(link).get_data(as_text=True)
    assert re.search(r", 09:00</dd>", page), page[page.find("Data e orario"):][:200]
    slots = client.get(f"/demo/api/calendars/{calendar_id}/availabilities/{DAY.isoformat()}").get_json()
    assert [s["slots_available"] for s in slots] == [2, 3]  # the booked place counts on SQLite too


def test_bad_booking_input_is_refused_and_saves_nothing(app):
    from tests.webapp.tenants import make_tenant

    calendar_id = open_every_day(app)
    make_tenant(app, "altro")
    client = app.test_client()
    assert client.get(f"/altro/prenota-appuntamento/{calendar_id}").status_code == 404  # another ente's calendar
    token = csrf(client, f"{BASE}/{calendar_id}")
    for slot, message in (("garbage", "Scegli uno degli orari disponibili."),
                          (f"{DAY.isoformat()}|09:00|{calendar_id}", "Questo orario non è più disponibile"),
                          (f"{DAY.isoformat()}|07:00|", "Questo orario non è più disponibile")):
        refused = client.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot})
        assert "/dettagli" not in refused.headers["Location"]
        assert message in client.get(refused.headers["Location"]).get_data(as_text=True), slot
    assert client.get(f"{BASE}/dettagli").status_code == 302  # no draft in the session
    assert meetings(app) == []
    book(app, client, calendar_id)
    with app.app_context():
        meeting_id = db.session.scalar(db.select(Meeting.id))
    other = logged_in(app, "op-altro", tenant="altro")
    agenda = f"/altro/backoffice/calendari/{calendar_id}/appuntamenti"
    assert other.get(agenda).status_code == 404
    token = staff_csrf(other, "/altro/backoffice/calendari")
    assert other.post(f"{agenda}/{meeting_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert meetings(app)[0][0] == APPROVED  # untouched
