"""What appointments say to people: the booker's and the operators' e-mails, the iCalendar files,
the CSV of an agenda, and each operator's choice of booking e-mails."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime

from flask import current_app
from icalendar import Calendar as ICalendar
from icalendar import Event
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Calendar, Meeting, Tenant, User, operator_calendars
from webapp.models.calendars import APPROVED, CANCELLED, DONE, DRAFT, MISSED, PENDING, REFUSED
from webapp.services import outbound
from webapp.services.common import formatting, localtime, tabular
from webapp.services.common.uow import unit_of_work

STATUS_LABELS = {PENDING: "Da confermare", APPROVED: "Confermato", REFUSED: "Rifiutato", MISSED: "Non avvenuto",
                 DONE: "Avvenuto", CANCELLED: "Annullato", DRAFT: "In corso di prenotazione"}
CSV_HEADER = ["Data", "Dalle", "Alle", "Nome", "Cognome", "Codice fiscale", "E-mail", "Telefono", "Motivo",
              "Stato"]


def csv_rows(rows: list[Meeting]) -> Iterator[list[str]]:
    """The agenda as spreadsheet rows, header first; cells safe from formula injection."""
    yield CSV_HEADER
    for meeting in rows:
        yield [tabular.safe_cell(value) for value in (
            formatting.date_text(meeting.from_time), formatting.time_text(meeting.from_time),
            formatting.time_text(meeting.to_time), meeting.name,
            meeting.surname, meeting.fiscal_code or "", meeting.email, meeting.phone_number or "",
            meeting.user_message, STATUS_LABELS[meeting.status])]




def _event(tenant: Tenant, meeting: Meeting) -> Event:
    cancelled = meeting.status in (CANCELLED, REFUSED)
    event = Event()
    event.add("uid", f"{meeting.id}@{tenant.slug}")
    event.add("sequence", meeting.rescheduled)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", localtime.local(meeting.from_time))
    event.add("dtend", localtime.local(meeting.to_time))
    event.add("summary", f"Appuntamento – {meeting.calendar.title}")
    if meeting.calendar.location:
        event.add("location", meeting.calendar.location)
    event.add("description", meeting.user_message)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _icalendar(method: str | None) -> ICalendar:
    cal = ICalendar()
    cal.add("prodid", "-//Servizi digitali//Appuntamenti//IT")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    return cal


def ics(tenant: Tenant, meeting: Meeting) -> bytes:
    """A single-event iCalendar (RFC 5545), Europe/Rome, stable UID; METHOD CANCEL once cancelled."""
    cal = _icalendar("CANCEL" if meeting.status in (CANCELLED, REFUSED) else "REQUEST")
    cal.add_component(_event(tenant, meeting))
    return bytes(cal.to_ical())


def calendar_ics(tenant: Tenant, calendar: Calendar, rows: list[Meeting]) -> bytes:
    """*Esporta .ics*: the agenda's confirmed, pending and past appointments."""
    cal = _icalendar(None)
    cal.add("x-wr-calname", calendar.title)
    for meeting in rows:
        if meeting.status in (PENDING, APPROVED, DONE, MISSED):
            cal.add_component(_event(tenant, meeting))
    return bytes(cal.to_ical())


def _when(meeting: Meeting) -> str:
    return f"{formatting.date_text(meeting.from_time)} alle {formatting.time_text(meeting.from_time)}"


def tell_booker(tenant: Tenant, meeting: Meeting, event: str) -> None:
    if not meeting.calendar.notify_citizens or not meeting.email:
        return
    link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/{tenant.slug}/appuntamenti/{meeting.cancel_token}"
    what = {"booked": ("Appuntamento da confermare" if meeting.status == PENDING else "Appuntamento confermato"),
            "approved": "Appuntamento confermato", "refused": "Appuntamento non disponibile",
            "moved": "Appuntamento spostato", "video": "Link per l'appuntamento in videoconferenza",
            "cancelled": "Appuntamento annullato"}[event]
    lines = [f"Gentile {meeting.name} {meeting.surname},", "",
             f"{what}: {meeting.calendar.title}, {_when(meeting)}."]
    if meeting.calendar.location:
        lines.append(f"Dove: {meeting.calendar.location}.")
    if event == "booked" and meeting.status == PENDING:
        lines.append("L'ufficio confermerà l'appuntamento: riceverai un'altra e-mail.")
    if meeting.videoconference_link and meeting.status in (PENDING, APPROVED):
        lines.append(f"Partecipa in videoconferenza: {meeting.videoconference_link}")
    if meeting.motivation_outcome and event in ("cancelled", "moved"):
        lines += ["", meeting.motivation_outcome]
    lines += ["", f"Dettagli, file per il tuo calendario e disdetta: {link}", "", tenant.name]
    outbound.queue_email(tenant.id, meeting.email, f"{tenant.name}: {what.lower()}", "\n".join(lines),
                              f"meeting:{meeting.id}:{event}:{meeting.status}:{meeting.rescheduled}:"
                              f"{hashlib.sha256((meeting.videoconference_link or '').encode()).hexdigest()[:16]}",
                              payload={"attachments": [{"filename": "appuntamento.ics", "mime_type": "text/calendar",
                                                        "content": ics(tenant, meeting).decode()}]})


NOTIFICATION_KINDS = ("new", "changed", "cancelled")


def wants(user: User, kind: str) -> bool:
    """An operator's choice for one kind of booking e-mail (all on until they say otherwise)."""
    return bool((user.calendar_notifications or {}).get(kind, True))


def set_notifications(user: User, chosen: set[str]) -> None:
    with unit_of_work():
        user.calendar_notifications = {kind: kind in chosen for kind in NOTIFICATION_KINDS}


def tell_operators(tenant: Tenant, meeting: Meeting, what: str, kind: str) -> None:
    """The enabled operators who want this kind of e-mail, unless the calendar's owner switched them off."""
    if not meeting.calendar.notify_operators:
        return
    query = select(User).join(operator_calendars, operator_calendars.c.user_id == User.id).where(
        operator_calendars.c.calendar_id == meeting.calendar_id, User.email.is_not(None))
    for operator in db.session.scalars(query):
        if not wants(operator, kind):
            continue
        outbound.queue_email(
            tenant.id, operator.email or "", f"{what}: {meeting.calendar.title}",
            f"{what} il {_when(meeting)} ({meeting.calendar.title}).\n\n{meeting.user_message}\n",
            f"meeting-operator:{meeting.id}:{kind}:{meeting.status}:{meeting.rescheduled}:{operator.id}")
