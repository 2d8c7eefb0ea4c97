"""Public calendar reads (no token, as in CORE): the booking rules, opening hours and the free days
and slots a booking client needs. Which operators run a calendar is not published here."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, jsonify, request

from webapp.api import bp
from webapp.api.context import tenant
from webapp.api.schemas import CalendarSchema, OpeningHourSchema
from webapp.services import calendar_hours, calendars
from webapp.services.errors import BadRequest


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise BadRequest(f"'{name}' deve essere una data AAAA-MM-GG.") from exc


@bp.get("/calendars")
def list_calendars() -> Response:
    return jsonify(CalendarSchema(many=True).dump(calendars.list_calendars(tenant())))


@bp.get("/calendars/<calendar_id>")
def get_calendar(calendar_id: str) -> Response:
    return jsonify(CalendarSchema().dump(calendars.get_calendar(tenant(), calendar_id)))


@bp.get("/calendars/<calendar_id>/opening-hours")
def list_opening_hours(calendar_id: str) -> Response:
    calendar = calendars.get_calendar(tenant(), calendar_id)
    return jsonify(OpeningHourSchema(many=True).dump(calendar.opening_hours))


@bp.get("/calendars/<calendar_id>/availabilities")
def availabilities(calendar_id: str) -> Response:
    """Days in [from_time, to_time] (default: the bookable window); `available=true` keeps free ones."""
    days = calendar_hours.bookable_days(tenant(), calendar_id, _date(request.args.get("from_time"), "from_time"),
                                        _date(request.args.get("to_time"), "to_time"), datetime.now(UTC))
    only_free = request.args.get("available") == "true"
    return jsonify([{"date": day.isoformat(), "available": free} for day, free in days if free or not only_free])


@bp.get("/calendars/<calendar_id>/availabilities/<day>")
def day_slots(calendar_id: str, day: str) -> Response:
    chosen = _date(day, "date")
    assert chosen is not None
    slots = calendar_hours.bookable_slots(tenant(), calendar_id, chosen, datetime.now(UTC))
    only_free = request.args.get("available") == "true"
    return jsonify([{"date": slot.day.isoformat(), "start_time": slot.start.strftime("%H:%M"),
                     "end_time": slot.end.strftime("%H:%M"), "slots_available": slot.available,
                     "opening_hour": slot.opening_hour_id, "availability": slot.available > 0}
                    for slot in slots if slot.available or not only_free])
