"""Calendari: every operator lists and searches them; administrators create and delete them;
enabled operators (and administrators) edit them.

Form values arrive as strings (web form or JSON); they are checked here, field by field, so the
web page and the API give the same errors. Durations are stored as the model keeps them (seconds)
and shown as people think of them (minutes, days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from webapp.extensions import db
from webapp.models import STAFF_ROLES, Calendar, Office, OpeningHour, Service, Tenant, User
from webapp.models.calendars import FIXED_SLOTS, VARIABLE_SLOTS
from webapp.models.tenancy import office_services
from webapp.services.common import policy
from webapp.services.common.errors import FieldProblem, Forbidden, ValidationFailed
from webapp.services.common.tenancy import get_scoped, parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

TYPES = (FIXED_SLOTS, VARIABLE_SLOTS)
NOTICE_HOURS = (0, 1, 2, 4, 8, 24, 48, 72, 168, 336, 504, 720)  # the choices CORE offers
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# field -> (lowest, highest) for the whole-number settings, in the units the form shows
RANGES = {"rolling_days": (1, 730), "allow_cancel_days": (0, 60), "drafts_minutes": (1, 120),
          "drafts_increment_days": (0, 30)}
FLAGS = ("is_moderated", "allow_overlaps", "notify_operators", "notify_citizens")
PERIODS = ("week", "month", "year")
WHAT_TO_BRING_MAX = 2000


def list_calendars(tenant: Tenant, search: str = "") -> list[Calendar]:
    query = scoped(Calendar, tenant)
    text = search.strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.outerjoin(Office, Office.id == Calendar.office_id).where(or_(
            func.lower(Calendar.title).like(pattern), func.lower(Calendar.location).like(pattern),
            func.lower(Office.name).like(pattern)))
    return list(db.session.scalars(query.order_by(Calendar.title)))


def bookable_calendars(tenant: Tenant) -> list[Calendar]:
    """Calendars with at least one opening hour: the offices a citizen can book (one query)."""
    has_hours = select(OpeningHour.id).where(OpeningHour.calendar_id == Calendar.id).exists()
    return list(db.session.scalars(scoped(Calendar, tenant).where(has_hours).order_by(Calendar.title)))


def calendars_for_service(tenant: Tenant, service_slug: str) -> list[Calendar]:
    """The bookable calendars of the offices that handle this service: booking from the service presets them."""
    if not service_slug:
        return []
    handled = (select(office_services.c.office_id).join(Service, Service.id == office_services.c.service_id)
               .where(Service.tenant_id == tenant.id, Service.slug == service_slug))
    return [c for c in bookable_calendars(tenant) if c.office_id is not None
            and c.office_id in set(db.session.scalars(handled))]


@dataclass(frozen=True)
class OfficeCard:
    """What the booking's confirmation shows of the office: name, address, opening hours, contacts."""
    name: str
    office: str | None
    address: str | None
    hours: list[tuple[list[int], str, str]]  # (ISO weekdays, from, to) of the hours valid today or later
    email: str | None


def office_card(calendar: Calendar, today: date) -> OfficeCard:
    office = db.session.get(Office, calendar.office_id) if calendar.office_id else None
    hours = sorted({(tuple(h.days_of_week), h.begin_hour.strftime("%H:%M"), h.end_hour.strftime("%H:%M"))
                    for h in calendar.opening_hours if h.end_date >= today})
    return OfficeCard(name=calendar.title, office=office.name if office and office.name != calendar.title else None,
                      address=calendar.location, hours=[(list(days), begin, end) for days, begin, end in hours],
                      email=calendar.contact_email or (office.email if office else None))


def get_calendar(tenant: Tenant, calendar_id: Any) -> Calendar:
    return get_scoped(Calendar, tenant, calendar_id)


def staff_members(tenant: Tenant) -> list[User]:
    query = scoped(User, tenant).where(User.role.in_(STAFF_ROLES))
    return list(db.session.scalars(query.order_by(User.family_name, User.name)))


def form_values(calendar: Calendar | None) -> dict[str, Any]:
    """What the form shows: a calendar's settings, or the defaults for a new one."""
    if calendar is None:
        calendar = Calendar(type=FIXED_SLOTS, rolling_days=30, minimum_scheduling_notice=24, allow_cancel_days=3,
                            drafts_duration=600, drafts_duration_increment=432_000, is_moderated=False,
                            allow_overlaps=False, notify_operators=True, notify_citizens=True)
    values: dict[str, Any] = {
        "title": calendar.title or "", "type": calendar.type, "office_id": str(calendar.office_id or ""),
        "contact_email": calendar.contact_email or "", "location": calendar.location or "",
        "what_to_bring": calendar.what_to_bring or "",
        "rolling_days": str(calendar.rolling_days),
        "minimum_scheduling_notice": str(calendar.minimum_scheduling_notice),
        "allow_cancel_days": str(calendar.allow_cancel_days), "drafts_minutes": str(calendar.drafts_duration // 60),
        "drafts_increment_days": str(calendar.drafts_duration_increment // 86_400),
        "operators": [str(user.id) for user in calendar.operators] if calendar.id else [],
        "max_bookings": str(calendar.max_bookings or ""), "booking_period": calendar.booking_period or "month",
    }
    values.update({flag: bool(getattr(calendar, flag)) for flag in FLAGS})
    return values


def _whole(form: dict[str, Any], field: str, problems: list[FieldProblem]) -> int:
    low, high = RANGES[field]
    raw = str(form.get(field, "")).strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        problems.append(FieldProblem(f"/{field}", f"Indica un numero intero tra {low} e {high}.", "range"))
        return low
    return int(raw)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "on", "true", "yes")


def _checked(tenant: Tenant, form: dict[str, Any], current: Calendar | None) -> dict[str, Any]:
    problems: list[FieldProblem] = []
    title = str(form.get("title") or "").strip()
    if not title:
        problems.append(FieldProblem("/title", "Il titolo è obbligatorio.", "required"))
    elif _title_taken(tenant, title, current):
        problems.append(FieldProblem("/title", "Esiste già un calendario con questo titolo.", "unique"))
    kind = str(form.get("type") or FIXED_SLOTS)
    if kind not in TYPES:
        problems.append(FieldProblem("/type", "Tipo di calendario non valido.", "enum"))
    email = str(form.get("contact_email") or "").strip().lower()
    if email and not EMAIL.fullmatch(email):
        problems.append(FieldProblem("/contact_email", "Indica un indirizzo e-mail valido.", "format"))
    notice = str(form.get("minimum_scheduling_notice", "24")).strip()
    if not notice.isdigit() or int(notice) not in NOTICE_HOURS:
        problems.append(FieldProblem("/minimum_scheduling_notice", "Preavviso minimo non valido.", "enum"))
        notice = "24"
    office = None
    if form.get("office_id"):
        office_id = parse_uuid(form.get("office_id"))
        office = db.session.get(Office, office_id) if office_id else None
        if office is None or office.tenant_id != tenant.id:
            problems.append(FieldProblem("/office_id", "Ufficio sconosciuto.", "enum"))
    wanted = {str(i) for i in form.get("operators") or []}
    members = [user for user in staff_members(tenant) if str(user.id) in wanted]
    if len(members) != len(wanted):
        problems.append(FieldProblem("/operators", "Uno degli operatori indicati non esiste.", "enum"))
    numbers = {field: _whole(form, field, problems) for field in RANGES}
    limit = str(form.get("max_bookings") or "").strip()
    if limit and (not limit.isdigit() or not 1 <= int(limit) <= 100):
        problems.append(FieldProblem("/max_bookings", "Indica un numero intero tra 1 e 100, o lascia vuoto.", "range"))
    period = str(form.get("booking_period") or "month")
    if period not in PERIODS:
        problems.append(FieldProblem("/booking_period", "Periodo non valido.", "enum"))
    what_to_bring = str(form.get("what_to_bring") or "").strip()
    if len(what_to_bring) > WHAT_TO_BRING_MAX:
        problems.append(FieldProblem("/what_to_bring", f"Indica al massimo {WHAT_TO_BRING_MAX} caratteri.",
                                     "maxLength"))
    if problems:
        raise ValidationFailed(problems)
    values: dict[str, Any] = {
        "title": title[:200], "type": kind, "office_id": office.id if office else None,
        "contact_email": email[:254] or None, "location": str(form.get("location") or "").strip()[:300] or None,
        "what_to_bring": what_to_bring or None,
        "rolling_days": numbers["rolling_days"], "minimum_scheduling_notice": int(notice),
        "allow_cancel_days": numbers["allow_cancel_days"], "drafts_duration": numbers["drafts_minutes"] * 60,
        "drafts_duration_increment": numbers["drafts_increment_days"] * 86_400, "operators": members,
        "max_bookings": int(limit) if limit.isdigit() else None, "booking_period": period if limit else None,
    }
    values.update({flag: _flag(form.get(flag)) for flag in FLAGS})
    return values


def _title_taken(tenant: Tenant, title: str, current: Calendar | None) -> bool:
    query = scoped(Calendar, tenant).where(func.lower(Calendar.title) == title.lower())
    if current is not None:
        query = query.where(Calendar.id != current.id)
    return db.session.scalar(query.limit(1)) is not None


def create_calendar(tenant: Tenant, user: User, form: dict[str, Any]) -> Calendar:
    if not policy.can_create_calendars(user):
        raise Forbidden("Solo gli amministratori creano i calendari.")
    with unit_of_work():
        calendar = Calendar(tenant_id=tenant.id, owner_id=user.id, **_checked(tenant, form, None))
        db.session.add(calendar)
    return calendar


def editable_calendar(tenant: Tenant, user: User, calendar_id: Any) -> Calendar:
    calendar = get_calendar(tenant, calendar_id)
    if not policy.can_edit_calendar(user, calendar):
        raise Forbidden("Puoi modificare solo i calendari per cui sei abilitata/o.")
    return calendar


def update_calendar(tenant: Tenant, user: User, calendar_id: Any, form: dict[str, Any]) -> Calendar:
    """Fields not given keep their value (the web form sends every field, checkboxes included)."""
    with unit_of_work():
        calendar = editable_calendar(tenant, user, calendar_id)
        for key, value in _checked(tenant, {**form_values(calendar), **form}, calendar).items():
            setattr(calendar, key, value)
    return calendar


def delete_calendar(tenant: Tenant, user: User, calendar_id: Any) -> str:
    if not policy.can_create_calendars(user):
        raise Forbidden("Solo gli amministratori eliminano i calendari.")
    with unit_of_work():
        calendar = get_calendar(tenant, calendar_id)
        title = calendar.title
        db.session.delete(calendar)
    return title

