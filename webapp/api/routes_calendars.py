"""Public calendar reads (no token, as in CORE): the booking rules, opening hours and the free days
and slots a booking client needs. Which operators run a calendar is not published here."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, jsonify

from webapp.api import params
from webapp.api.blueprint import bp
from webapp.api.context import tenant
from webapp.api.schemas import CalendarSchema, OpeningHourSchema, shared
from webapp.api.schemas_answers import AvailableDaySchema, SlotSchema
from webapp.services import appointments
from webapp.services.common import localtime
from webapp.services.common.errors import BadRequest

ONLY_FREE = params.Flag("available", "true: only the free ones")
DAYS_QUERY: tuple[params.Param, ...] = (
    params.Day("from_time", "First day (default: the first bookable one)"),
    params.Day("to_time", "Last day (default: the last bookable one)"),
    ONLY_FREE,
)


@bp.get("/calendars")
def list_calendars() -> Response:
    return jsonify(shared(CalendarSchema, many=True).dump(appointments.list_calendars(tenant())))


@bp.get("/calendars/<calendar_id>")
def get_calendar(calendar_id: str) -> Response:
    return jsonify(shared(CalendarSchema).dump(appointments.get_calendar(tenant(), calendar_id)))


@bp.get("/calendars/<calendar_id>/opening-hours")
def list_opening_hours(calendar_id: str) -> Response:
    calendar = appointments.get_calendar(tenant(), calendar_id)
    return jsonify(shared(OpeningHourSchema, many=True).dump(calendar.opening_hours))


@bp.get("/calendars/<calendar_id>/availabilities")
def availabilities(calendar_id: str) -> Response:
    """Days in [from_time, to_time] (default: the bookable window); `available=true` keeps free ones."""
    values = params.read_all(DAYS_QUERY)
    days = appointments.bookable_days(tenant(), calendar_id, values["from_time"], values["to_time"],
                                        datetime.now(UTC))
    return jsonify(shared(AvailableDaySchema, many=True).dump(
        [{"date": day, "available": free} for day, free in days if free or not values["available"]]))


@bp.get("/calendars/<calendar_id>/availabilities/<day>")
def day_slots(calendar_id: str, day: str) -> Response:
    chosen = localtime.parse_day(day)
    if chosen is None:
        raise BadRequest("La data deve essere nella forma AAAA-MM-GG.")
    only_free = params.read_all((ONLY_FREE,))["available"]
    slots = appointments.bookable_slots(tenant(), calendar_id, chosen, datetime.now(UTC))
    return jsonify(shared(SlotSchema, many=True).dump([slot for slot in slots if slot.available or not only_free]))
