"""Calendari: list and search (every operator), create and delete (administrators), edit (enabled)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.models import Calendar
from webapp.services import calendars, operators, policy
from webapp.services.calendars import FLAGS, NOTICE_HOURS, TYPES
from webapp.services.errors import Forbidden, ValidationFailed
from webapp.views.backoffice import bp
from webapp.views.backoffice._common import field_errors, staff, tenant


def _form() -> dict[str, Any]:
    """Every field, checkboxes included (absent = off), so an edit can switch a flag off."""
    form: dict[str, Any] = {key: value for key, value in request.form.items() if key != "csrf_token"}
    form["operators"] = request.form.getlist("operators")
    form.update({flag: flag in request.form for flag in FLAGS})
    return form


def _render(calendar: Calendar | None, values: dict[str, Any], errors: list[tuple[str, str]],
            status: int = 200) -> tuple[str, int]:
    editable = calendar is None or policy.can_edit_calendar(staff(), calendar)
    return render_template(
        "backoffice/calendar_form.html", section="calendars", calendar=calendar, values=values, errors=errors,
        editable=editable, types=TYPES, notice_hours=NOTICE_HOURS, offices=operators.list_offices(tenant()),
        staff_members=calendars.staff_members(tenant()),
    ), status


@bp.get("/calendari", endpoint="calendars")
def calendars_list() -> str:
    search = (request.args.get("q") or "")[:100]
    rows = calendars.list_calendars(tenant(), search)
    offices = {office.id: office.name for office in operators.list_offices(tenant())}
    return render_template("backoffice/calendars.html", section="calendars", rows=rows, q=search,
                           offices_by_id=offices,
                           can_create=policy.can_create_calendars(staff()),
                           can_edit=lambda calendar: policy.can_edit_calendar(staff(), calendar))


@bp.route("/calendari/nuovo", methods=["GET", "POST"])
def calendar_new() -> Any:
    if not policy.can_create_calendars(staff()):
        flash(_("Solo gli amministratori creano i calendari."), "error")
        return redirect(url_for("backoffice.calendars"))
    if request.method == "GET":
        return _render(None, calendars.form_values(None), [])
    try:
        created = calendars.create_calendar(tenant(), staff(), _form())
    except ValidationFailed as exc:
        return _render(None, _form(), field_errors(exc), 400)
    flash(_("Calendario «%(title)s» creato.", title=created.title), "success")
    return redirect(url_for("backoffice.calendars"))


@bp.route("/calendari/<calendar_id>", methods=["GET", "POST"])
def calendar_edit(calendar_id: str) -> Any:
    calendar = calendars.get_calendar(tenant(), calendar_id)
    if request.method == "GET":
        return _render(calendar, calendars.form_values(calendar), [])
    try:
        calendars.update_calendar(tenant(), staff(), calendar_id, _form())
    except ValidationFailed as exc:
        return _render(calendar, _form(), field_errors(exc), 400)
    except Forbidden as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id))
    flash(_("Modifiche salvate."), "success")
    return redirect(url_for("backoffice.calendars"))


@bp.post("/calendari/<calendar_id>/elimina")
def calendar_delete(calendar_id: str) -> Response:
    try:
        title = calendars.delete_calendar(tenant(), staff(), calendar_id)
    except Forbidden as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.calendars"))
    flash(_("Calendario «%(title)s» eliminato.", title=title), "success")
    return redirect(url_for("backoffice.calendars"))
