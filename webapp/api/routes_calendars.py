"""Public calendar reads (no token, as in CORE): the booking rules a booking client needs.

Which operators run a calendar is back-office business and is not published here.
"""

from __future__ import annotations

from flask import Response, jsonify

from webapp.api import bp
from webapp.api.context import tenant
from webapp.api.schemas import CalendarSchema
from webapp.services import calendars


@bp.get("/calendars")
def list_calendars() -> Response:
    return jsonify(CalendarSchema(many=True).dump(calendars.list_calendars(tenant())))


@bp.get("/calendars/<calendar_id>")
def get_calendar(calendar_id: str) -> Response:
    return jsonify(CalendarSchema().dump(calendars.get_calendar(tenant(), calendar_id)))
