"""Appointments (*appuntamenti*) as the booker makes them: hold a slot as a draft, fill the booker's
details, confirm, cancel; and appointments that follow their application. The office's side is `_agenda`.

Capacity (rule e.2) is checked with the calendar row locked, so two people cannot take the last place.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select

from webapp.extensions import db
from webapp.models import Application, Calendar, Meeting, Service, StatusChange, Tenant, User
from webapp.models.calendars import APPROVED, CANCELLED, DRAFT, PENDING, REFUSED
from webapp.services.common import localtime, statuses
from webapp.services.common.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from webapp.services.common.tenancy import get_scoped, parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _availability, _notices, _opening_hours

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def locked_calendar(tenant: Tenant, calendar_id: Any) -> Calendar:
    calendar = get_scoped(Calendar, tenant, calendar_id)
    db.session.execute(select(Calendar.id).where(Calendar.id == calendar.id).with_for_update())
    return calendar


def hold_slot(tenant: Tenant, calendar_id: Any, day: date, start: str, opening_hour_id: str, now: datetime,
              user: User | None) -> Meeting:
    """Choosing a slot creates a DRAFT that holds the place for the calendar's draft duration."""
    with unit_of_work():
        calendar = locked_calendar(tenant, calendar_id)
        slot = free_slot(_opening_hours.slots_of(calendar, day, now), start, opening_hour_id)
        meeting = Meeting(
            tenant_id=tenant.id, calendar_id=calendar.id, opening_hour_id=parse_uuid(opening_hour_id),
            user_id=user.id if user else None, status=DRAFT, cancel_token=secrets.token_urlsafe(32),
            from_time=_availability.stored(day, slot.start),
            to_time=_availability.stored(day, slot.end),
            draft_expiration=now + timedelta(seconds=calendar.drafts_duration))
        if user is not None:  # once only: a logged-in booker's details come from the identity
            meeting.name, meeting.surname = user.name, user.family_name
            meeting.email, meeting.phone_number, meeting.fiscal_code = user.email or "", user.phone, user.fiscal_code
        db.session.add(meeting)
    return meeting


def draft(tenant: Tenant, meeting_id: Any, now: datetime) -> Meeting:
    """The booker's draft (its id lives in their session); expired or unknown: start again."""
    meeting = db.session.get(Meeting, parse_uuid(meeting_id)) if meeting_id else None
    if meeting is None or meeting.tenant_id != tenant.id or meeting.status != DRAFT:
        raise NotFound("Prenotazione non trovata: ricomincia scegliendo l'ufficio.")
    if _aware(meeting.draft_expiration) <= now:
        raise Conflict("Il tempo per completare la prenotazione è scaduto e l'orario è stato liberato: "
                       "scegline un altro.")
    return meeting


def _aware(moment: datetime | None) -> datetime:
    assert moment is not None
    return localtime.aware(moment)


def save_details(tenant: Tenant, meeting_id: Any, form: dict[str, Any], now: datetime) -> Meeting:
    """Step 3: the reason (a service or free text) and details."""
    with unit_of_work():
        meeting = draft(tenant, meeting_id, now)
        details = str(form.get("user_message") or "").strip()
        if not details:
            raise ValidationFailed([FieldProblem("/user_message", "Descrivi il motivo dell'appuntamento.", "required")])
        service_key = str(form.get("service") or "")
        service = db.session.scalar(scoped(Service, tenant).where(Service.slug == service_key)) if service_key else None
        meeting.user_message, meeting.service_id = details[:2000], service.id if service else None
    return meeting


def save_applicant(tenant: Tenant, meeting_id: Any, form: dict[str, Any], now: datetime) -> Meeting:
    """Step 4: name, surname, e-mail (required), phone."""
    with unit_of_work():
        meeting = draft(tenant, meeting_id, now)
        apply_applicant(meeting, form)
    return meeting


def apply_applicant(meeting: Meeting, form: dict[str, Any]) -> None:
    values = {key: str(form.get(key) or "").strip() for key in ("name", "surname", "email", "phone_number")}
    problems = [FieldProblem(f"/{key}", message, "required") for key, message in
                (("name", "Il nome è obbligatorio."), ("surname", "Il cognome è obbligatorio.")) if not values[key]]
    if not EMAIL.fullmatch(values["email"]):
        problems.append(FieldProblem("/email", "Indica un indirizzo e-mail valido.", "format"))
    if values["phone_number"] and not re.fullmatch(r"\+?[0-9 ]{6,20}", values["phone_number"]):
        problems.append(FieldProblem("/phone_number", "Indica un numero di telefono valido.", "format"))
    if problems:
        raise ValidationFailed(problems)
    meeting.name, meeting.surname = values["name"][:100], values["surname"][:100]
    meeting.email, meeting.phone_number = values["email"][:254].lower(), values["phone_number"][:32] or None


def confirm(tenant: Tenant, meeting_id: Any, now: datetime, application: Application | None = None) -> Meeting:
    """Step 5: the draft becomes an appointment, to be confirmed by an operator when moderated; booked
    from an application's page, it is linked to it (one active appointment per application)."""
    with unit_of_work():
        meeting = draft(tenant, meeting_id, now)
        calendar = locked_calendar(tenant, meeting.calendar_id)
        if not (meeting.user_message and meeting.name and meeting.email):
            raise Conflict("Mancano alcuni dati della prenotazione: completa i passi precedenti.")
        if _over_limit(calendar, meeting, now):
            raise Conflict(f"Hai già {calendar.max_bookings} appuntamenti in questo "
                           f"{PERIOD_NAMES[calendar.booking_period or 'month']} presso {calendar.title}: è il massimo "
                           "consentito.")
        if application is not None:
            if active_for_application(application):
                raise Conflict("La pratica ha già un appuntamento attivo: disdici quello prima di prenotarne un altro.")
            meeting.application_id = application.id
        hour = next((h for h in calendar.opening_hours if h.id == meeting.opening_hour_id), None)
        moderated = calendar.is_moderated or bool(hour and hour.is_moderated)
        meeting.status, meeting.draft_expiration = (PENDING if moderated else APPROVED), None
        _notices.tell_booker(tenant, meeting, "booked")
        _notices.tell_operators(tenant, meeting, "Nuovo appuntamento", "new")
    return meeting


PERIOD_NAMES = {"week": "settimana", "month": "mese", "year": "anno"}


def booking_period_bounds(kind: str, day: date) -> tuple[datetime, datetime]:
    """The week (from Monday), month or year that contains `day`, in the office's time zone."""
    if kind == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    elif kind == "year":
        first, last = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    else:
        first = day.replace(day=1)
        last = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return _availability.stored(first, time.min), _availability.stored(last, time.min)


def _over_limit(calendar: Calendar, meeting: Meeting, now: datetime) -> bool:
    """Rule e.8: the booker (by fiscal code when known, else e-mail) already holds the maximum."""
    if not calendar.max_bookings:
        return False
    start, end = booking_period_bounds(calendar.booking_period or "month", local_day(meeting))
    same_booker = (Meeting.fiscal_code == meeting.fiscal_code) if meeting.fiscal_code else (
        func.lower(Meeting.email) == meeting.email.lower())
    held = db.session.scalar(select(func.count()).select_from(Meeting).where(
        Meeting.calendar_id == calendar.id, Meeting.id != meeting.id, same_booker,
        Meeting.from_time >= start, Meeting.from_time < end,
        or_(Meeting.status.in_((PENDING, APPROVED)), (Meeting.status == DRAFT) & (Meeting.draft_expiration > now))))
    return bool(held and held >= calendar.max_bookings)


def service_slug(meeting: Meeting) -> str | None:
    """The service the appointment is about (its reason), if one: the rating at its end counts for it."""
    service = db.session.get(Service, meeting.service_id) if meeting.service_id else None
    return service.slug if service else None


def by_token(tenant: Tenant, token: str) -> Meeting:
    meeting = db.session.scalar(scoped(Meeting, tenant).where(Meeting.cancel_token == token)) if token else None
    if meeting is None or meeting.status == DRAFT:
        raise NotFound("Appuntamento non trovato.")
    return meeting


def cancel_refusal(meeting: Meeting, now: datetime) -> str | None:
    """Why the booker may not cancel now (rule e.6), or None."""
    if meeting.status not in (PENDING, APPROVED):
        return "Questo appuntamento non è più attivo."
    deadline = _aware(meeting.from_time) - timedelta(days=meeting.calendar.allow_cancel_days)
    if now >= deadline:
        return (f"Puoi disdire fino a {meeting.calendar.allow_cancel_days} giorni prima dell'appuntamento: ora "
                "contatta l'ufficio.")
    return None


def cancel_by_booker(tenant: Tenant, token: str, now: datetime) -> Meeting:
    with unit_of_work():
        meeting = by_token(tenant, token)
        refusal = cancel_refusal(meeting, now)
        if refusal:
            raise Conflict(refusal)
        meeting.status = CANCELLED
        _notices.tell_booker(tenant, meeting, "cancelled")
        _notices.tell_operators(tenant, meeting, "Appuntamento disdetto", "cancelled")
    return meeting


def expire_drafts(now: datetime) -> int:
    """The sweep frees the places of drafts nobody completed (rule e.3)."""
    with unit_of_work():
        result = db.session.execute(delete(Meeting).where(Meeting.status == DRAFT, Meeting.draft_expiration < now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def for_application(app: Application) -> list[Meeting]:
    query = select(Meeting).where(Meeting.application_id == app.id, Meeting.status != DRAFT)
    return list(db.session.scalars(query.order_by(Meeting.from_time)))


def active_for_application(app: Application) -> bool:
    return any(m.status in (PENDING, APPROVED) for m in for_application(app))


# What an application's new status does to its future appointments (opencity-model.md, "Linked appointments").
_FOLLOW = {
    statuses.WITHDRAW: ((PENDING, APPROVED), CANCELLED, "cancelled", "La pratica è stata ritirata."),
    statuses.REVOKED: ((PENDING, APPROVED), CANCELLED, "cancelled", "La pratica è stata annullata."),
    statuses.PAYMENT_ERROR: ((PENDING, APPROVED), REFUSED, "refused", "Il pagamento della pratica non è riuscito."),
    statuses.CANCELLED: ((PENDING, APPROVED), REFUSED, "refused", "La pratica è stata rifiutata."),
    statuses.COMPLETE: ((PENDING,), APPROVED, "approved", None),
    statuses.PARTIALLY_COMPLETE: ((PENDING,), APPROVED, "approved", None),
}


def follow_application(app: Application, now: datetime) -> int:
    """Inside the caller's unit of work: withdrawn or annulled -> future appointments cancelled; payment
    refused or application rejected -> refused; approved -> pending ones confirmed. Returns how many."""
    rule = _FOLLOW.get(app.status)
    if rule is None:
        return 0
    applies_to, result, event, reason = rule
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None
    changed = 0
    for meeting in for_application(app):
        if meeting.status in applies_to and _aware(meeting.from_time) > now:
            meeting.status = result
            if reason:
                meeting.motivation_outcome = reason
            _notices.tell_booker(tenant, meeting, event)
            changed += 1
    return changed


def of_citizen(tenant: Tenant, user: User) -> list[Meeting]:
    """The appointments a logged-in citizen booked, latest first (drafts are not appointments yet)."""
    query = scoped(Meeting, tenant).where(Meeting.user_id == user.id, Meeting.status != DRAFT)
    return list(db.session.scalars(query.order_by(Meeting.from_time.desc()).limit(200)))


def free_slot(slots: list[_availability.Slot], start: str, hour_id: str) -> _availability.Slot:
    """The chosen slot (start "HH:MM" in that opening hour), if it still has a place."""
    slot = next((s for s in slots if s.start.strftime("%H:%M") == start and s.opening_hour_id == hour_id), None)
    if slot is None or not slot.available:
        raise Conflict("Questo orario non è più disponibile: scegline un altro.")
    return slot


def local_day(meeting: Meeting) -> date:
    return localtime.local(meeting.from_time).date()


def on_application_status_changed(app: Application, *, previous_status: int | None,
                                  changes: Sequence[StatusChange]) -> None:
    """Receiver of `signals.application_status_changed`: the application's appointments follow it."""
    if app.status != previous_status:
        follow_application(app, datetime.now(UTC))
