"""Booking an appointment (ui.md §3.6, opencity-model.md section e): the five steps without login,
the draft that holds a place, capacity under concurrency, the e-mail with its iCalendar file,
cancellation within the allowed days, moderation, and the office's actions."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from icalendar import Calendar as ICalendar

from tests.backoffice.conftest import csrf as staff_csrf
from tests.backoffice.conftest import logged_in
from tests.citizen.helpers import MARIO, csrf, login
from tests.webapp.calendars import open_every_day
from webapp.extensions import db
from webapp.models import Meeting, OpeningHour, OutboxMessage, Tenant
from webapp.models.calendars import APPROVED, CANCELLED, DONE, PENDING
from webapp.services import appointments
from webapp.services.common.errors import Conflict
from webapp.services.jobs import sweep

BASE = "/demo/prenota-appuntamento"
DAY = date.today() + timedelta(days=10)


def _slot(calendar_id: Any, start: str = "09:00") -> str:
    """The radio value of a slot on DAY (inside an app context)."""
    return f"{DAY.isoformat()}|{start}|{_hour_id(calendar_id)}"


def _hour_id(calendar_id: Any) -> str:
    return str(db.session.scalar(db.select(OpeningHour.id).where(OpeningHour.calendar_id == calendar_id)))


def _book(app: Flask, client: Any, calendar_id: Any, *, start: str = "09:00", email: str = "anna@example.it") -> Any:
    """The five steps; returns the last response (the redirect to the appointment page)."""
    page = client.get(f"{BASE}/{calendar_id}", query_string={"giorno": DAY.isoformat()}).get_data(as_text=True)
    assert "Appuntamenti disponibili" in page
    token = csrf(client, f"{BASE}/{calendar_id}?giorno={DAY.isoformat()}")
    with app.app_context():
        slot = _slot(calendar_id, start)
    held = client.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot, "service": "contributo"})
    assert held.status_code == 302 and "/dettagli" in held.headers["Location"], held.get_data(as_text=True)[:300]
    client.post(f"{BASE}/dettagli", data={"csrf_token": token, "service": "contributo",
                                          "user_message": "Informazioni sul contributo"})
    client.post(f"{BASE}/richiedente", data={"csrf_token": token, "name": "Anna", "surname": "Bianchi",
                                             "email": email, "phone_number": "+39 333 1111111"})
    return client.post(f"{BASE}/conferma", data={"csrf_token": token})


def _meetings(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        return [(m.status, m.email) for m in db.session.scalars(db.select(Meeting).order_by(Meeting.created_at))]


def test_anonymous_booking_through_the_five_steps(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    offices = client.get(BASE).get_data(as_text=True)
    assert "Ufficio Relazioni con il Pubblico" in offices and 'name="ufficio"' in offices
    chosen = client.get(BASE, query_string={"ufficio": str(calendar_id), "tutti": "1"})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(f"{BASE}/{calendar_id}")
    token = csrf(client, f"{BASE}/{calendar_id}")
    with app.app_context():
        slot = _slot(calendar_id)
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
    assert _meetings(app) == [(APPROVED, "anna@example.it")]
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
        slot = _slot(calendar_id)
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
        hour_id = _hour_id(calendar_id)
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
        slot = _slot(calendar_id)
    client.post(f"{BASE}/{calendar_id}", data={"csrf_token": token, "slot": slot})
    page = client.get(f"{BASE}/richiedente").get_data(as_text=True)
    assert 'value="Mario"' in page and 'value="Rossi"' in page and 'value="mario.rossi@example.it"' in page


def test_cancelling_within_the_allowed_days_and_not_after(app):
    calendar_id = open_every_day(app)
    client = app.test_client()
    link = _book(app, client, calendar_id).headers["Location"].split("?")[0]
    token = csrf(client, link)
    assert client.post(link + "/disdici", data={"csrf_token": token}).status_code == 302
    assert "Appuntamento disdetto" in client.get(link).get_data(as_text=True)
    assert _meetings(app)[0][0] == CANCELLED
    late = _book(app, client, calendar_id, start="09:30").headers["Location"].split("?")[0]
    with app.app_context():  # move it to tomorrow: inside the three days that cannot be cancelled
        meeting = db.session.scalar(db.select(Meeting).where(Meeting.status == APPROVED))
        meeting.from_time = datetime.now(UTC) + timedelta(days=1)
        meeting.to_time = meeting.from_time + timedelta(minutes=30)
        db.session.commit()
    page = client.get(late).get_data(as_text=True)
    assert "Puoi disdire fino a 3 giorni prima" in page and "/disdici" not in page
    assert client.post(late + "/disdici", data={"csrf_token": token}).status_code == 302
    assert sorted(s for s, _e in _meetings(app)) == [APPROVED, CANCELLED]


def test_moderated_calendar_waits_for_the_office(app):
    calendar_id = open_every_day(app, moderated=True)
    client = app.test_client()
    link = _book(app, client, calendar_id).headers["Location"]
    assert "Appuntamento richiesto" in client.get(link).get_data(as_text=True)
    assert _meetings(app)[0][0] == PENDING
    operatore = logged_in(app, "operatore")  # enabled for the URP calendar
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    listed = operatore.get(agenda, query_string={"dal": DAY.isoformat()}).get_data(as_text=True)
    assert "Anna Bianchi" in listed and "Da confermare" in listed
    with app.app_context():
        meeting_id = db.session.scalar(db.select(Meeting.id))
    token = staff_csrf(operatore, agenda)
    assert operatore.post(f"{agenda}/{meeting_id}/approve", data={"csrf_token": token}).status_code == 302
    assert _meetings(app)[0][0] == APPROVED
    refused = operatore.post(f"{agenda}/{meeting_id}/approve", data={"csrf_token": token})
    assert "non può cambiare così" in operatore.get(refused.headers["Location"]).get_data(as_text=True)
    with app.app_context():  # an appointment is marked done once it has begun
        meeting = db.session.get(Meeting, meeting_id)
        meeting.from_time = datetime.now(UTC) - timedelta(minutes=30)
        meeting.to_time = datetime.now(UTC)
        db.session.commit()
    assert operatore.post(f"{agenda}/{meeting_id}/done", data={"csrf_token": token, "confirm": "1"}).status_code == 302
    assert _meetings(app)[0][0] == DONE
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
    _book(app, client, calendar_id, email="mario.rossi@example.it")
    page = client.get("/demo/area-personale/appuntamenti").get_data(as_text=True)
    assert "Ufficio Relazioni con il Pubblico" in page and "Confermato" in page
    other = app.test_client()
    login(other, "VRDGPP85M41F205X")
    assert "Non hai appuntamenti" in other.get("/demo/area-personale/appuntamenti").get_data(as_text=True)


def test_an_opening_hour_with_future_appointments_cannot_be_deleted(app):
    calendar_id = open_every_day(app)
    _book(app, app.test_client(), calendar_id)
    with app.app_context():
        hour_id = _hour_id(calendar_id)
    admin = logged_in(app, "admin")
    page = f"/demo/backoffice/calendari/{calendar_id}"
    refused = admin.post(f"{page}/orari/{hour_id}/elimina", data={"csrf_token": staff_csrf(admin, page)})
    assert "ha 1 appuntamenti futuri: spostali o annullali" in admin.get(refused.headers["Location"]).get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(OpeningHour, hour_id) is not None


def test_booking_from_an_application_links_it_once(app, api):
    from tests.webapp.helpers import submitted

    calendar_id = open_every_day(app)
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    detail = client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    assert "Nessun appuntamento collegato a questa pratica." in detail
    assert f"pratica={app_id}" in detail
    offices = client.get(BASE, query_string={"pratica": app_id, "servizio": "contributo"}).get_data(as_text=True)
    assert f"collegato alla tua pratica «Richiesta di contributo economico» n. {app_id}" in offices
    _book(app, client, calendar_id, email="mario.rossi@example.it")
    detail = client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    assert "Confermato" in detail.split('id="h-appuntamenti"')[1].split("</section>")[0]
    assert "Prenota un appuntamento per questa pratica" not in detail  # one active appointment per application
    client.get(BASE, query_string={"pratica": app_id})
    second = _book(app, client, calendar_id, start="09:30", email="mario.rossi@example.it")
    assert "/riepilogo" in second.headers["Location"]
    assert "La pratica ha già un appuntamento attivo" in client.get(second.headers["Location"]).get_data(
        as_text=True)
    tab = logged_in(app, "operatore").get(f"/demo/backoffice/pratiche/{app_id}/appuntamenti")
    assert tab.status_code == 200 and "Confermato" in tab.get_data(as_text=True)


def test_someone_elses_application_is_never_linked(app, api):
    from tests.webapp.helpers import submitted

    calendar_id = open_every_day(app)
    app_id = submitted(api, "contributo")  # Mario's
    client = app.test_client()
    login(client, "VRDGPP85M41F205X")
    offices = client.get(BASE, query_string={"pratica": app_id}).get_data(as_text=True)
    assert "collegato alla tua pratica" not in offices
    _book(app, client, calendar_id)
    with app.app_context():
        assert db.session.scalar(db.select(Meeting.application_id)) is None


def test_a_booking_limit_per_period_counts_the_booker_by_email(app):
    calendar_id = open_every_day(app)
    with app.app_context():
        from webapp.models import Calendar

        calendar = db.session.get(Calendar, calendar_id)
        calendar.max_bookings, calendar.booking_period = 1, "year"
        db.session.commit()
    client = app.test_client()
    assert "/demo/appuntamenti/" in _book(app, client, calendar_id).headers["Location"]
    second_browser = app.test_client()
    again = _book(app, second_browser, calendar_id, start="09:30")  # same e-mail
    assert "/riepilogo" in again.headers["Location"]
    assert "Hai già 1 appuntamenti in questo anno" in second_browser.get(again.headers["Location"]).get_data(
        as_text=True)
    other = _book(app, app.test_client(), calendar_id, start="09:30", email="bruno@example.it")
    assert "/demo/appuntamenti/" in other.headers["Location"]  # someone else may still book
    assert sorted(e for _s, e in _meetings(app) if _s == APPROVED) == ["anna@example.it", "bruno@example.it"]


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


def test_withdrawing_the_application_cancels_its_future_appointment(app, api):
    from tests.webapp.helpers import act, submitted

    calendar_id = open_every_day(app)
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    client.get(BASE, query_string={"pratica": app_id})
    link = _book(app, client, calendar_id, email="mario.rossi@example.it").headers["Location"].split("?")[0]
    act(api, app_id, "withdraw", MARIO)
    page = client.get(link).get_data(as_text=True)
    assert "Annullato" in page and "La pratica è stata ritirata." in page
    with app.app_context():
        subjects = [m.subject for m in db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "mario.rossi@example.it"))]
    assert any(s.endswith("appuntamento annullato") for s in subjects)
    slots = client.get(f"/demo/api/calendars/{calendar_id}/availabilities/{DAY.isoformat()}").get_json()
    assert slots[0]["slots_available"] == 3  # the place is free again


def test_approving_the_application_confirms_its_pending_appointment(app, api):
    from tests.webapp.helpers import act, submitted

    calendar_id = open_every_day(app, moderated=True)
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    client.get(BASE, query_string={"pratica": app_id})
    _book(app, client, calendar_id, email="mario.rossi@example.it")
    assert _meetings(app)[0][0] == PENDING
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso"})
    assert _meetings(app)[0][0] == APPROVED


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
    link = _book(demo, client, calendar_id).headers["Location"]
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
    assert _meetings(app) == []
    _book(app, client, calendar_id)
    with app.app_context():
        meeting_id = db.session.scalar(db.select(Meeting.id))
    other = logged_in(app, "op-altro", tenant="altro")
    agenda = f"/altro/backoffice/calendari/{calendar_id}/appuntamenti"
    assert other.get(agenda).status_code == 404
    token = staff_csrf(other, "/altro/backoffice/calendari")
    assert other.post(f"{agenda}/{meeting_id}/cancel", data={"csrf_token": token}).status_code == 404
    assert _meetings(app)[0][0] == APPROVED  # untouched


def test_booking_from_a_step_presets_the_office_and_leads_back(app, api):
    """From a step of a service: the office handling it preselected, an unknown one refused at the field,
    and the confirmation with what to bring (set in the back office), the office card and the rating."""
    from tests.webapp.helpers import contributo_data, create
    from webapp.models import Office, Service

    calendar_id = open_every_day(app)
    with app.app_context():
        calendar = db.session.get(appointments.Calendar, calendar_id)
        office = db.session.get(Office, calendar.office_id)
        office.services = [*office.services, db.session.scalar(db.select(Service).where(Service.slug == "contributo"))]
        db.session.commit()
    operator = logged_in(app, "operatore")  # enabled for the URP calendar
    form = f"/demo/backoffice/calendari/{calendar_id}"
    with app.app_context():  # the form as shown, checkboxes as a browser sends them
        shown = appointments.form_values(db.session.get(appointments.Calendar, calendar_id))
    values = {k: ("on" if v is True else v) for k, v in shown.items() if v is not False}
    too_long = operator.post(form, data={**values, "csrf_token": staff_csrf(operator, form),
                                         "what_to_bring": "x" * 2001})
    assert too_long.status_code == 400 and "al massimo 2000 caratteri" in too_long.get_data(as_text=True)
    saved = operator.post(form, data={**values, "csrf_token": staff_csrf(operator, form),
                                      "what_to_bring": "Carta d'identità e ISEE"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    app_id = create(api, "contributo", contributo_data())["id"]
    client = app.test_client()
    login(client, MARIO)
    step = f"/demo/pratiche/{app_id}/riepilogo"
    link = re.search(r'href="([^"]+)" data-element="appointment-booking"', client.get(step).get_data(as_text=True))
    assert link, "no booking link on the step"
    start = link.group(1).replace("&amp;", "&")
    assert "servizio=contributo" in start and f"pratica={app_id}" in start
    offices = client.get(start).get_data(as_text=True)
    assert re.search(rf'value="{calendar_id}" checked', offices) and "Ufficio del servizio" in offices
    assert f'href="{step}"' in offices  # the way back to the step, on every booking step
    wrong = client.get(BASE, query_string={"ufficio": "nessuno", "tutti": "1"})
    assert wrong.status_code == 400 and "Scegli l&#39;ufficio presso cui prenotare." in wrong.get_data(as_text=True)
    done = _book(app, client, calendar_id, email="mario.rossi@example.it")
    assert "torna=" in done.headers["Location"]
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Cosa serve" in page and "Carta d&#39;identità e ISEE" in page
    assert 'data-element="office-card"' in page and "Piazza del Municipio 1" in page and "urp@demo.example.it" in page
    assert "dalle 09:00 alle 10:00" in page
    assert 'data-element="feedback"' in page and 'name="flow" value="prenotazione"' in page
    assert f'href="{step}"' in page
    evil = client.get(BASE, query_string={"torna": "https://evil.example/"}).get_data(as_text=True)
    assert "evil.example" not in evil
