"""The office's side of appointments: phone bookings (Crea appuntamento) that may ignore notice but
never capacity, the agenda's search, and the .ics export."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from icalendar import Calendar as ICalendar

from tests.backoffice.conftest import add_staff, csrf, logged_in
from tests.citizen.booking import book
from tests.citizen.helpers import csrf as citizen_csrf
from tests.webapp.calendars import open_every_day
from webapp.extensions import db
from webapp.models import Meeting, OpeningHour, OutboxMessage, Tenant, User
from webapp.models.calendars import APPROVED, CANCELLED, DONE
from webapp.services import appointments
from webapp.services.appointments import local_day
from webapp.services.common.errors import Conflict

TODAY = date.today()


def _slot(app: Flask, calendar_id: Any, day: date, start: str) -> str:
    with app.app_context():
        hour_id = db.session.scalar(db.select(OpeningHour.id).where(OpeningHour.calendar_id == calendar_id))
    return f"{day.isoformat()}|{start}|{hour_id}"


def _form(app: Flask, calendar_id: Any, day: date, start: str, **changes: Any) -> dict[str, Any]:
    form = {"giorno": day.isoformat(), "slot": _slot(app, calendar_id, day, start), "name": "Luigi",
            "surname": "Neri", "email": "luigi.neri@example.it", "user_message": "Prenotato al telefono"}
    form.update(changes)
    return form


def test_phone_booking_fills_a_slot_even_without_notice_but_not_beyond_capacity(app):
    calendar_id = open_every_day(app, queue=1)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    tomorrow = TODAY + timedelta(days=1)  # inside the 24-hour notice citizens must respect
    page = operatore.get(f"{agenda}/nuovo", query_string={"giorno": tomorrow.isoformat()}).get_data(as_text=True)
    assert "Dalle 09:00 alle 09:30" in page and "1 posto libero" in page
    token = csrf(operatore, agenda)
    missing = operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, tomorrow, "09:00",
                                                                                    email="", user_message="")})
    assert missing.status_code == 400 and "Il motivo è obbligatorio." in missing.get_data(as_text=True)
    assert operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, tomorrow, "09:00")}
                          ).status_code == 302
    full = operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, tomorrow, "09:00")})
    assert full.status_code == 409 and "non è più disponibile" in full.get_data(as_text=True)
    with app.app_context():
        [meeting] = db.session.scalars(db.select(Meeting)).all()
        assert (meeting.status, meeting.name, meeting.email) == (APPROVED, "Luigi", "luigi.neri@example.it")
        assert db.session.scalar(db.select(OutboxMessage.subject).where(
            OutboxMessage.recipient == "luigi.neri@example.it")).endswith("appuntamento confermato")
    listed = operatore.get(agenda, query_string={"dal": TODAY.isoformat(), "q": "neri"}).get_data(as_text=True)
    assert "Luigi Neri" in listed
    assert "Luigi Neri" not in operatore.get(agenda, query_string={"q": "bianchi"}).get_data(as_text=True)


def test_only_enabled_operators_create_and_anyone_on_staff_exports(app):
    calendar_id = open_every_day(app)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    add_staff(app, "estraneo")
    outsider = logged_in(app, "estraneo")
    refused = outsider.post(f"{agenda}/nuovo", data={"csrf_token": csrf(outsider, agenda),
                                                      **_form(app, calendar_id, TODAY + timedelta(days=2), "09:30")})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0
    operatore = logged_in(app, "operatore")
    day = TODAY + timedelta(days=2)
    operatore.post(f"{agenda}/nuovo", data={"csrf_token": csrf(operatore, agenda),
                                            **_form(app, calendar_id, day, "09:30")})
    exported = outsider.get(f"{agenda}.ics", query_string={"dal": TODAY.isoformat()})
    assert exported.mimetype == "text/calendar"
    [event] = ICalendar.from_ical(exported.data).walk("VEVENT")
    assert event.decoded("dtstart").date() == day and event.decoded("dtstart").strftime("%H:%M") == "09:30"
    assert str(event["summary"]) == "Appuntamento – Ufficio Relazioni con il Pubblico"


def test_moving_an_appointment_tells_the_citizen_and_raises_the_sequence(app):
    calendar_id = open_every_day(app, queue=1)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    token = csrf(operatore, agenda)
    first_day, later = TODAY + timedelta(days=2), TODAY + timedelta(days=3)
    operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, first_day, "09:00")})
    operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, later, "09:00",
                                                                          email="altra@example.it")})
    with app.app_context():
        meeting_id = db.session.scalar(db.select(Meeting.id).where(Meeting.email == "luigi.neri@example.it"))
    move = f"{agenda}/{meeting_id}/sposta"
    page = operatore.get(move, query_string={"giorno": later.isoformat()}).get_data(as_text=True)
    assert "Dalle 09:30 alle 10:00" in page and "Dalle 09:00 alle 09:30" not in page  # 09:00 is taken that day
    taken = operatore.post(move, data={"csrf_token": token, "slot": _slot(app, calendar_id, later, "09:00")})
    assert taken.status_code == 409
    same_slot = operatore.post(move, data={"csrf_token": token, "slot": _slot(app, calendar_id, first_day, "09:00"),
                                           "message": "Stesso orario, altro sportello"})
    assert same_slot.status_code == 302  # its own place does not count against it
    moved = operatore.post(move, data={"csrf_token": token, "slot": _slot(app, calendar_id, later, "09:30"),
                                       "message": "L'ufficio è chiuso per formazione"})
    assert moved.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.rescheduled == 2 and local_day(meeting) == later
        mail = db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "luigi.neri@example.it").order_by(OutboxMessage.created_at.desc())).first()
    assert "Appuntamento spostato" in mail.body and "L'ufficio è chiuso per formazione" in mail.body
    event = ICalendar.from_ical(mail.payload["attachments"][0]["content"]).walk("VEVENT")[0]
    assert event.decoded("dtstart").date() == later and event.decoded("dtstart").strftime("%H:%M") == "09:30"
    assert int(event["sequence"]) == 2


def test_a_videoconference_link_reaches_the_citizen(app):
    calendar_id = open_every_day(app)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    token = csrf(operatore, agenda)
    day = TODAY + timedelta(days=2)
    operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, day, "09:00")})
    with app.app_context():
        meeting = db.session.scalar(db.select(Meeting))
        meeting_id, citizen_link = meeting.id, f"/demo/appuntamenti/{meeting.cancel_token}"
    bad = operatore.post(f"{agenda}/{meeting_id}/video", data={"csrf_token": token,
                                                               "videoconference_link": "javascript:alert(1)"})
    assert "Indica un indirizzo che inizi con https://." in operatore.get(bad.headers["Location"]).get_data(
        as_text=True)
    video = "https://meet.example.it/urp-42"
    operatore.post(f"{agenda}/{meeting_id}/video", data={"csrf_token": token, "videoconference_link": video})
    with app.app_context():
        mail = db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "luigi.neri@example.it").order_by(OutboxMessage.created_at.desc())).first()
    assert video in mail.body and "videoconferenza" in mail.subject
    assert f'href="{video}"' in app.test_client().get(citizen_link).get_data(as_text=True)


def test_the_agenda_exports_csv_with_its_filters_and_no_formulas(app):
    calendar_id = open_every_day(app)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    token = csrf(operatore, agenda)
    day = TODAY + timedelta(days=2)
    operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, day, "09:00",
                                                                          user_message="=HYPERLINK(1)")})
    operatore.post(f"{agenda}/nuovo", data={"csrf_token": token, **_form(app, calendar_id, day, "09:30",
                                                                          surname="Verdi", email="v@example.it")})
    text = operatore.get(f"{agenda}.csv", query_string={"dal": TODAY.isoformat(), "q": "neri"}).get_data(as_text=True)
    lines = text.lstrip("\ufeff").strip().split("\r\n")
    assert lines[0].startswith("Data;Dalle;Alle;Nome;Cognome") and len(lines) == 2  # the search applies
    assert f"{day:%d/%m/%Y};09:00;09:30;Luigi;Neri" in lines[1] and ";'=HYPERLINK(1);" in lines[1]


def test_operators_choose_which_booking_emails_they_get(app):
    calendar_id = open_every_day(app)
    operatore = logged_in(app, "operatore")
    settings = "/demo/backoffice/calendari/notifiche"
    assert operatore.get(settings).get_data(as_text=True).count("checked") == 3  # all on by default
    operatore.post(settings, data={"csrf_token": csrf(operatore, settings), "kinds": ["cancelled"]})
    page = operatore.get(settings).get_data(as_text=True)
    assert 'value="cancelled" checked' in page and 'value="new" checked' not in page
    citizen = app.test_client()
    link = book(app, citizen, calendar_id).headers["Location"].split("?")[0]
    with app.app_context():
        to_operator = [m.subject for m in db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "operatore@demo.example.it"))]
    assert not any(s.startswith("Nuovo appuntamento") for s in to_operator)  # switched off
    citizen.post(link + "/disdici", data={"csrf_token": citizen_csrf(citizen, link)})
    with app.app_context():
        to_operator = [m.subject for m in db.session.scalars(db.select(OutboxMessage).where(
            OutboxMessage.recipient == "operatore@demo.example.it"))]
    assert any(s.startswith("Appuntamento disdetto") for s in to_operator)


def _phone_booking(app: Flask, client: Any, calendar_id: Any, day: date, start: str = "09:00") -> Any:
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    booked = client.post(f"{agenda}/nuovo", data={"csrf_token": csrf(client, agenda),
                                                  **_form(app, calendar_id, day, start)})
    assert booked.status_code == 302
    with app.app_context():
        return db.session.scalar(db.select(Meeting.id).order_by(Meeting.created_at.desc()))


def _row(client: Any, agenda: str, day: date, name: str = "Luigi Neri") -> str:
    """The agenda's table row of `name`, listed from `day`."""
    page = client.get(agenda, query_string={"dal": day.isoformat()}).get_data(as_text=True)
    return page.partition(f"<td>{name}")[2].partition("</tr>")[0]


def _begun(app: Flask, meeting_id: Any) -> date:
    """Move the appointment so that it began ten minutes ago; returns its day."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meeting.from_time = datetime.now(UTC) - timedelta(minutes=10)
        meeting.to_time = meeting.from_time + timedelta(minutes=30)
        db.session.commit()
        return local_day(meeting)


def test_the_agenda_offers_done_or_missed_only_once_the_appointment_has_begun(app):
    calendar_id = open_every_day(app)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    meeting_id = _phone_booking(app, operatore, calendar_id, TODAY + timedelta(days=2))
    future = _row(operatore, agenda, TODAY)
    assert "Sposta" in future and "Avvenuto" not in future and "Non avvenuto" not in future
    started = _row(operatore, agenda, _begun(app, meeting_id))
    assert "Avvenuto" in started and "Non avvenuto" in started


def test_done_or_missed_before_the_start_is_refused_with_a_reason(app):
    calendar_id = open_every_day(app)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    meeting_id = _phone_booking(app, operatore, calendar_id, TODAY + timedelta(days=2))
    token = csrf(operatore, agenda)
    refused = operatore.post(f"{agenda}/{meeting_id}/done", data={"csrf_token": token, "confirm": "1"})
    assert refused.status_code == 302
    told = operatore.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Un appuntamento si segna come avvenuto o non avvenuto solo dopo l&#39;orario di inizio." in told
    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        user = db.session.scalar(db.select(User).where(User.username == "operatore"))
        with pytest.raises(Conflict, match="solo dopo l'orario di inizio"):
            appointments.operator_action(tenant, user, meeting_id, "missed", "", datetime.now(UTC))
        assert db.session.get(Meeting, meeting_id).status == APPROVED
    _begun(app, meeting_id)
    done = operatore.post(f"{agenda}/{meeting_id}/done", data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == DONE


def test_cancelling_asks_first_even_without_javascript(app):
    calendar_id = open_every_day(app)
    agenda = f"/demo/backoffice/calendari/{calendar_id}/appuntamenti"
    operatore = logged_in(app, "operatore")
    day = TODAY + timedelta(days=2)
    meeting_id = _phone_booking(app, operatore, calendar_id, day)
    action = f"{agenda}/{meeting_id}/cancel"
    row = _row(operatore, agenda, TODAY)
    trigger = re.search(rf'<a [^>]*href="({action}[^"]*)"[^>]*data-bs-target="#([^"]+)"', row)
    assert trigger, row  # "Annulla" opens a dialog; its link is the same question as a page
    question = operatore.get(html.unescape(trigger.group(1)))
    assert question.status_code == 200 and "L&#39;appuntamento di Luigi Neri del" in question.get_data(as_text=True)
    token = csrf(operatore, agenda)
    bare = operatore.post(action, data={"csrf_token": token, "message": "Ufficio chiuso"})  # not confirmed
    assert bare.status_code == 200 and "Non si potrà tornare indietro." in bare.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).status == APPROVED
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.subject.contains("annullato"))) == 0
    confirmed = operatore.post(action, data={"csrf_token": token, "confirm": "1", "message": "Ufficio chiuso",
                                             "dal": TODAY.isoformat()})
    assert confirmed.status_code == 302 and f"dal={TODAY.isoformat()}" in confirmed.headers["Location"]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert (meeting.status, meeting.motivation_outcome) == (CANCELLED, "Ufficio chiuso")
