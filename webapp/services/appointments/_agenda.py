"""The office's agenda of a calendar: list the appointments, move one, book one taken by phone, send the
videoconference link, and mark them approved, refused, done, missed or cancelled, telling the booker."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, or_

from webapp.extensions import db
from webapp.models import Calendar, Meeting, Tenant, User
from webapp.models.calendars import APPROVED, CANCELLED, DONE, DRAFT, MISSED, PENDING, REFUSED
from webapp.services.common import localtime, policy
from webapp.services.common.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from webapp.services.common.tenancy import get_scoped, parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _availability, _notices, _opening_hours
from ._meetings import apply_applicant, free_slot, locked_calendar
from ._notices import STATUS_LABELS

BOOKER_EVENTS = {"approve": "approved", "refuse": "refused", "cancel": "cancelled"}  # what the booker is told
# operator action -> (statuses it applies to, resulting status)
OPERATOR_ACTIONS = {"approve": ((PENDING,), APPROVED), "refuse": ((PENDING,), REFUSED),
                    "done": ((APPROVED,), DONE), "missed": ((APPROVED,), MISSED),
                    "cancel": ((PENDING, APPROVED), CANCELLED)}


def list_meetings(tenant: Tenant, calendar: Calendar, status: int | None, search: str,
                  from_day: date) -> list[Meeting]:
    query = scoped(Meeting, tenant).where(Meeting.calendar_id == calendar.id, Meeting.status != DRAFT,
                                          Meeting.from_time >= _availability.stored(from_day, time.min))
    if status is not None:
        query = query.where(Meeting.status == status)
    text = search.strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(func.lower(Meeting.name).like(pattern), func.lower(Meeting.surname).like(pattern),
                                func.lower(Meeting.fiscal_code).like(pattern)))
    return list(db.session.scalars(query.order_by(Meeting.from_time).limit(500)))


def _require_runner(user: User, calendar: Calendar) -> None:
    if not policy.can_edit_calendar(user, calendar):
        raise Forbidden("Gestiscono gli appuntamenti gli operatori abilitati al calendario.")


def _parse_slot(value: str) -> tuple[date, str, str]:
    """The radio value "YYYY-MM-DD|HH:MM|<opening hour id>" of a slot."""
    day_text, _sep, rest = value.partition("|")
    start, _sep, hour_id = rest.partition("|")
    day = localtime.parse_day(day_text)
    if day is None:
        raise ValidationFailed([FieldProblem("/slot", "Scegli uno degli orari disponibili.", "required")])
    return day, start, hour_id


def reschedule(tenant: Tenant, user: User, meeting_id: Any, slot_value: str, message: str,
               now: datetime) -> Meeting:
    """*Sposta*: the office moves an appointment to another free slot and tells the citizen; moving a
    pending appointment confirms it (rule e.4). The calendar file's SEQUENCE goes up."""
    day, start, hour_id = _parse_slot(slot_value)
    with unit_of_work():
        meeting = get_scoped(Meeting, tenant, meeting_id)
        _require_runner(user, meeting.calendar)
        if meeting.status not in (PENDING, APPROVED):
            raise Conflict(f"Un appuntamento «{STATUS_LABELS[meeting.status]}» non si può spostare.")
        locked = locked_calendar(tenant, meeting.calendar_id)
        slot = free_slot(_opening_hours.office_slots(locked, day, now, meeting.id), start, hour_id)
        meeting.from_time = _availability.stored(day, slot.start)
        meeting.to_time = _availability.stored(day, slot.end)
        meeting.opening_hour_id = parse_uuid(hour_id)
        meeting.rescheduled += 1
        meeting.status = APPROVED
        meeting.motivation_outcome = message.strip()[:2000] or None
        _notices.tell_booker(tenant, meeting, "moved")
        _notices.tell_operators(tenant, meeting, "Appuntamento spostato", "changed")
    return meeting


def book_for_citizen(tenant: Tenant, user: User, calendar_id: Any, slot_value: str, form: dict[str, Any],
                     now: datetime) -> Meeting:
    """*Crea appuntamento* (phone bookings): the office may ignore notice and horizon, never capacity.
    Name, e-mail and reason are required; the appointment is confirmed at once."""
    _require_runner(user, get_scoped(Calendar, tenant, calendar_id))
    day, start, hour_id = _parse_slot(slot_value)
    details = str(form.get("user_message") or "").strip()
    if not details:
        raise ValidationFailed([FieldProblem("/user_message", "Il motivo è obbligatorio.", "required")])
    with unit_of_work():
        locked = locked_calendar(tenant, calendar_id)
        slot = free_slot(_opening_hours.office_slots(locked, day, now), start, hour_id)
        meeting = Meeting(tenant_id=tenant.id, calendar_id=locked.id, opening_hour_id=parse_uuid(hour_id),
                          status=APPROVED, cancel_token=secrets.token_urlsafe(32), user_message=details[:2000],
                          from_time=_availability.stored(day, slot.start),
                          to_time=_availability.stored(day, slot.end))
        db.session.add(meeting)
        db.session.flush()
        apply_applicant(meeting, form)
        _notices.tell_booker(tenant, meeting, "booked")
    return meeting


def get_meeting(tenant: Tenant, calendar: Calendar, meeting_id: Any) -> Meeting:
    meeting = get_scoped(Meeting, tenant, meeting_id)
    if meeting.calendar_id != calendar.id or meeting.status == DRAFT:
        raise NotFound("Appuntamento non trovato.")
    return meeting


def set_video_link(tenant: Tenant, user: User, meeting_id: Any, url: str) -> Meeting:
    """*Link videoconferenza*: an https address, sent to the citizen at once (empty removes it)."""
    with unit_of_work():
        meeting = get_scoped(Meeting, tenant, meeting_id)
        _require_runner(user, meeting.calendar)
        if meeting.status not in (PENDING, APPROVED):
            raise Conflict(f"Un appuntamento «{STATUS_LABELS[meeting.status]}» non può cambiare così.")
        link = url.strip()
        if link and (not re.fullmatch(r"https://[^\s<>\"]{4,490}", link)):
            raise ValidationFailed([FieldProblem("/videoconference_link", "Indica un indirizzo che inizi con https://.",
                                                 "format")])
        meeting.videoconference_link = link or None
        if link:
            _notices.tell_booker(tenant, meeting, "video")
    return meeting


def action_refusal(meeting: Meeting, action: str, now: datetime) -> str | None:
    """Why the office may not run `action` on the appointment now, or None; the agenda offers only the
    actions without a refusal. Whether it took place can be told only once it has begun."""
    allowed_from, _result = OPERATOR_ACTIONS.get(action, ((), None))
    if meeting.status not in allowed_from:
        return f"Un appuntamento «{STATUS_LABELS[meeting.status]}» non può cambiare così."
    if action in ("done", "missed") and now < localtime.aware(meeting.from_time):
        return "Un appuntamento si segna come avvenuto o non avvenuto solo dopo l'orario di inizio."
    return None


def available_actions(meeting: Meeting, now: datetime) -> list[str]:
    return [action for action in OPERATOR_ACTIONS if action_refusal(meeting, action, now) is None]


def operator_action(tenant: Tenant, user: User, meeting_id: Any, action: str, message: str,
                    now: datetime) -> Meeting:
    with unit_of_work():
        meeting = get_scoped(Meeting, tenant, meeting_id)
        _require_runner(user, meeting.calendar)
        refusal = action_refusal(meeting, action, now)
        if refusal:
            raise Conflict(refusal)
        meeting.status = OPERATOR_ACTIONS[action][1]
        if action == "cancel":
            meeting.motivation_outcome = message.strip()[:2000] or None
        if action in BOOKER_EVENTS:
            _notices.tell_booker(tenant, meeting, BOOKER_EVENTS[action])
        if action == "cancel":
            _notices.tell_operators(tenant, meeting, "Appuntamento annullato", "cancelled")
    return meeting
