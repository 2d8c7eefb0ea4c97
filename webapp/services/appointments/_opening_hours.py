"""Opening hours (*orari di apertura*) and closures (*periodi di chiusura*) of a calendar: edited by
the calendar's enabled operators and by administrators; read by anyone through the availability."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select, true

from webapp.extensions import db
from webapp.models import Calendar, Closure, Meeting, OpeningHour, Tenant, User
from webapp.models.calendars import APPROVED, DRAFT, HOLDING, PENDING
from webapp.services.common import localtime
from webapp.services.common.errors import BadRequest, Conflict, FieldProblem, NotFound, ValidationFailed
from webapp.services.common.uow import unit_of_work

from . import _availability
from ._calendars import editable_calendar, get_calendar

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
# field -> (lowest, highest), minutes or places
LIMITS = {"meeting_minutes": (5, 480), "interval_minutes": (0, 240), "meeting_queue": (1, 50)}


def hour_values(hour: OpeningHour | None, today: date) -> dict[str, Any]:
    """What the form shows: an opening hour, or Monday-Friday 9-12 in 30-minute slots until year end."""
    if hour is None:
        return {"name": "", "start_date": today.isoformat(), "end_date": date(today.year, 12, 31).isoformat(),
                "days_of_week": ["1", "2", "3", "4", "5"], "begin_hour": "09:00", "end_hour": "12:00",
                "meeting_minutes": "30", "interval_minutes": "0", "meeting_queue": "1", "is_moderated": False}
    return {"name": hour.name, "start_date": hour.start_date.isoformat(), "end_date": hour.end_date.isoformat(),
            "days_of_week": [str(d) for d in hour.days_of_week], "begin_hour": hour.begin_hour.strftime("%H:%M"),
            "end_hour": hour.end_hour.strftime("%H:%M"), "meeting_minutes": str(hour.meeting_minutes),
            "interval_minutes": str(hour.interval_minutes), "meeting_queue": str(hour.meeting_queue),
            "is_moderated": hour.is_moderated}


def _date(form: dict[str, Any], field: str, problems: list[FieldProblem]) -> date | None:
    day = localtime.parse_day(form.get(field))
    if day is None:
        problems.append(FieldProblem(f"/{field}", "Indica una data valida.", "format"))
    return day


def _time(form: dict[str, Any], field: str, problems: list[FieldProblem]) -> time | None:
    try:
        return time.fromisoformat(str(form.get(field) or ""))
    except ValueError:
        problems.append(FieldProblem(f"/{field}", "Indica un orario valido (ore:minuti).", "format"))
        return None


def _number(form: dict[str, Any], field: str, problems: list[FieldProblem]) -> int:
    low, high = LIMITS[field]
    raw = str(form.get(field, "")).strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        problems.append(FieldProblem(f"/{field}", f"Indica un numero intero tra {low} e {high}.", "range"))
        return low
    return int(raw)


def _checked_hour(calendar: Calendar, form: dict[str, Any], current: OpeningHour | None,
                  today: date) -> dict[str, Any]:
    problems: list[FieldProblem] = []
    name = str(form.get("name") or "").strip()
    if not name:
        problems.append(FieldProblem("/name", "Il nome è obbligatorio.", "required"))
    start, end = _date(form, "start_date", problems), _date(form, "end_date", problems)
    if start and end and end < start:
        problems.append(FieldProblem("/end_date", "La data di fine precede quella di inizio.", "range"))
    elif end and end > date(today.year, 12, 31):
        problems.append(FieldProblem("/end_date", f"Un orario vale al massimo fino al 31/12/{today.year}: "
                                     "per l'anno prossimo aggiungine uno nuovo.", "range"))
    raw_days = {str(d) for d in form.get("days_of_week") or []}
    weekdays = sorted(int(d) for d in raw_days if d.isdigit() and int(d) in WEEKDAYS)
    if not weekdays or len(weekdays) != len(raw_days):
        problems.append(FieldProblem("/days_of_week", "Scegli almeno un giorno della settimana.", "required"))
    begin, finish = _time(form, "begin_hour", problems), _time(form, "end_hour", problems)
    if begin and finish and finish <= begin:
        problems.append(FieldProblem("/end_hour", "L'orario di chiusura deve seguire quello di apertura.", "range"))
    numbers = {field: _number(form, field, problems) for field in LIMITS}
    values = {"name": name[:200], "start_date": start, "end_date": end, "days_of_week": weekdays,
              "begin_hour": begin, "end_hour": finish, "is_moderated": form.get("is_moderated") in (True, "1", "on"),
              **numbers}
    if not problems and not calendar.allow_overlaps:
        clash = _overlapping(calendar, values, current)
        if clash is not None:
            problems.append(FieldProblem("/begin_hour", f"Si sovrappone all'orario «{clash.name}»: il calendario non "
                                         "ammette sovrapposizioni.", "overlap"))
    if problems:
        raise ValidationFailed(problems)
    return values


def _overlapping(calendar: Calendar, values: dict[str, Any], current: OpeningHour | None) -> OpeningHour | None:
    for other in calendar.opening_hours:
        if current is not None and other.id == current.id:
            continue
        if (other.start_date <= values["end_date"] and values["start_date"] <= other.end_date
                and set(other.days_of_week) & set(values["days_of_week"])
                and other.begin_hour < values["end_hour"] and values["begin_hour"] < other.end_hour):
            return other
    return None


def get_hour(calendar: Calendar, hour_id: Any) -> OpeningHour:
    for hour in calendar.opening_hours:
        if str(hour.id) == str(hour_id):
            return hour
    raise NotFound("Orario di apertura non trovato.")


def save_hour(tenant: Tenant, user: User, calendar_id: Any, hour_id: Any | None, form: dict[str, Any],
              today: date) -> OpeningHour:
    """Create (hour_id None) or change an opening hour."""
    with unit_of_work():
        calendar = editable_calendar(tenant, user, calendar_id)
        hour = get_hour(calendar, hour_id) if hour_id is not None else None
        values = _checked_hour(calendar, form, hour, today)
        if hour is None:
            hour = OpeningHour(tenant_id=tenant.id, calendar_id=calendar.id, **values)
            calendar.opening_hours.append(hour)
        else:
            for key, value in values.items():
                setattr(hour, key, value)
    return hour


def delete_hour(tenant: Tenant, user: User, calendar_id: Any, hour_id: Any, now: datetime) -> str:
    """Refused while future meetings use it (rule e.7): move or cancel them first."""
    with unit_of_work():
        calendar = editable_calendar(tenant, user, calendar_id)
        hour = get_hour(calendar, hour_id)
        booked = db.session.scalar(select(func.count()).select_from(Meeting).where(
            Meeting.opening_hour_id == hour.id, Meeting.status.in_((PENDING, APPROVED)), Meeting.from_time >= now))
        if booked:
            raise Conflict(f"L'orario «{hour.name}» ha {booked} appuntamenti futuri: spostali o annullali prima "
                           "di eliminarlo.")
        calendar.opening_hours.remove(hour)
        return hour.name


def _moment(form: dict[str, Any], field: str, problems: list[FieldProblem]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(form.get(field) or "")).replace(tzinfo=localtime.ROME).astimezone(UTC)
    except ValueError:
        problems.append(FieldProblem(f"/{field}", "Indica data e ora valide.", "format"))
        return None


def add_closure(tenant: Tenant, user: User, calendar_id: Any, form: dict[str, Any]) -> Closure:
    with unit_of_work():
        calendar = editable_calendar(tenant, user, calendar_id)
        problems: list[FieldProblem] = []
        starts, ends = _moment(form, "starts_at", problems), _moment(form, "ends_at", problems)
        if starts and ends and ends <= starts:
            problems.append(FieldProblem("/ends_at", "La fine della chiusura deve seguirne l'inizio.", "range"))
        reason = str(form.get("reason") or "").strip()
        if len(reason) > 200:
            problems.append(FieldProblem("/reason", "Il motivo può avere al massimo 200 caratteri.", "maxLength"))
        if problems:
            raise ValidationFailed(problems)
        closure = Closure(tenant_id=tenant.id, calendar_id=calendar.id, starts_at=starts, ends_at=ends,
                          reason=reason or None)
        calendar.closures.append(closure)
    return closure


def delete_closure(tenant: Tenant, user: User, calendar_id: Any, closure_id: Any) -> None:
    with unit_of_work():
        calendar = editable_calendar(tenant, user, calendar_id)
        closure = next((c for c in calendar.closures if str(c.id) == str(closure_id)), None)
        if closure is None:
            raise NotFound("Periodo di chiusura non trovato.")
        calendar.closures.remove(closure)


def split_by_expiry(calendar: Calendar, today: date) -> tuple[list[OpeningHour], list[OpeningHour]]:
    """(current, expired): the back office lists expired ones apart (*Scaduti*)."""
    hours = list(calendar.opening_hours)
    return [h for h in hours if h.end_date >= today], [h for h in hours if h.end_date < today]



MAX_RANGE_DAYS = 366


def busy_intervals(calendar: Calendar, first: date, last: date, now: datetime,
                   exclude: Any = None) -> list[tuple[datetime, datetime]]:
    """Meetings holding a place between the two days (but `exclude`, a meeting being moved); a draft
    past its expiry holds nothing."""
    start = _availability.stored(first, time.min)
    end = _availability.stored(last + timedelta(days=1), time.min)
    rows = db.session.execute(select(Meeting.from_time, Meeting.to_time).where(
        Meeting.calendar_id == calendar.id, Meeting.status.in_(HOLDING), Meeting.from_time < end,
        Meeting.to_time > start, Meeting.id != exclude if exclude else true(),
        or_(Meeting.status != DRAFT, Meeting.draft_expiration > now)))
    return [(localtime.aware(begin), localtime.aware(finish)) for begin, finish in rows]


def bookable_days(tenant: Tenant, calendar_id: Any, first: date | None, last: date | None,
                  now: datetime) -> list[tuple[date, bool]]:
    """Days and whether each has a free place; by default the calendar's whole bookable window."""
    calendar = get_calendar(tenant, calendar_id)
    window = _availability.Window.of(calendar, now)
    first = first or window.earliest.date()
    last = last or window.latest.date()
    if last < first or (last - first).days > MAX_RANGE_DAYS:
        raise BadRequest(f"Intervallo di date non valido (al massimo {MAX_RANGE_DAYS} giorni).")
    return _availability.days(calendar, calendar.opening_hours, calendar.closures, first, last, window,
                             busy_intervals(calendar, first, last, now))


def slots_of(calendar: Calendar, day: date, now: datetime) -> list[_availability.Slot]:
    return _availability.slots_for_day(calendar, calendar.opening_hours, calendar.closures, day,
                                      _availability.Window.of(calendar, now), busy_intervals(calendar, day, day, now))


def office_slots(calendar: Calendar, day: date, now: datetime, moving: Any = None) -> list[_availability.Slot]:
    """The slots an operator may fill (phone bookings, moves): notice and horizon do not apply."""
    return _availability.slots_for_day(calendar, calendar.opening_hours, calendar.closures, day,
                                      _availability.Window.of(calendar, now, ignore_limits=True),
                                      busy_intervals(calendar, day, day, now, exclude=moving))


def bookable_slots(tenant: Tenant, calendar_id: Any, day: date, now: datetime) -> list[_availability.Slot]:
    return slots_of(get_calendar(tenant, calendar_id), day, now)
