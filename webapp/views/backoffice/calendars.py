"""Calendari: list and search (every operator), create and delete (administrators), edit (enabled)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.models import Calendar, Meeting, OpeningHour
from webapp.services import (
    calendar_hours,
    calendars,
    exports,
    localtime,
    meeting_notices,
    meetings,
    operators,
    policy,
)
from webapp.services.calendars import FLAGS, NOTICE_HOURS, TYPES
from webapp.services.errors import Conflict, Forbidden, ValidationFailed
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
    current, expired = calendar_hours.split_by_expiry(calendar, localtime.today()) if calendar else ([], [])
    return render_template(
        "backoffice/calendar_form.html", section="calendars", calendar=calendar, values=values, errors=errors,
        editable=editable, types=TYPES, notice_hours=NOTICE_HOURS, offices=operators.list_offices(tenant()),
        staff_members=calendars.staff_members(tenant()), current_hours=current, expired_hours=expired,
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


# --- Opening hours and closures, on the calendar's page ---


def _hour_form() -> dict[str, Any]:
    form: dict[str, Any] = {key: value for key, value in request.form.items() if key != "csrf_token"}
    form["days_of_week"] = request.form.getlist("days_of_week")
    form["is_moderated"] = "is_moderated" in request.form
    return form


def _render_hour(calendar: Calendar, hour: OpeningHour | None, values: dict[str, Any],
                 errors: list[tuple[str, str]], status: int = 200) -> tuple[str, int]:
    return render_template("backoffice/opening_hour_form.html", section="calendars", calendar=calendar,
                           hour=hour, values=values, errors=errors), status


@bp.route("/calendari/<calendar_id>/orari/nuovo", methods=["GET", "POST"], defaults={"hour_id": None})
@bp.route("/calendari/<calendar_id>/orari/<hour_id>", methods=["GET", "POST"])
def opening_hour(calendar_id: str, hour_id: str | None) -> Any:
    try:
        calendar = calendars.editable_calendar(tenant(), staff(), calendar_id)
    except Forbidden as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id))
    hour = calendar_hours.get_hour(calendar, hour_id) if hour_id else None
    if request.method == "GET":
        return _render_hour(calendar, hour, calendar_hours.hour_values(hour, localtime.today()), [])
    try:
        saved = calendar_hours.save_hour(tenant(), staff(), calendar_id, hour_id, _hour_form(), localtime.today())
    except ValidationFailed as exc:
        return _render_hour(calendar, hour, _hour_form(), field_errors(exc), 400)
    flash(_("Orario «%(name)s» salvato.", name=saved.name), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#orari")


@bp.post("/calendari/<calendar_id>/orari/<hour_id>/elimina")
def opening_hour_delete(calendar_id: str, hour_id: str) -> Response:
    try:
        name = calendar_hours.delete_hour(tenant(), staff(), calendar_id, hour_id, datetime.now(UTC))
    except (Conflict, Forbidden) as exc:
        flash(exc.description, "error")
    else:
        flash(_("Orario «%(name)s» eliminato.", name=name), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#orari")


@bp.post("/calendari/<calendar_id>/chiusure")
def closure_add(calendar_id: str) -> Any:
    try:
        calendar_hours.add_closure(tenant(), staff(), calendar_id, request.form.to_dict())
    except (Forbidden, ValidationFailed) as exc:
        flash(" ".join(message for _field, message in field_errors(exc)) if isinstance(exc, ValidationFailed)
              else exc.description, "error")
    else:
        flash(_("Periodo di chiusura aggiunto."), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#chiusure")


@bp.post("/calendari/<calendar_id>/chiusure/<closure_id>/elimina")
def closure_delete(calendar_id: str, closure_id: str) -> Response:
    try:
        calendar_hours.delete_closure(tenant(), staff(), calendar_id, closure_id)
    except Forbidden as exc:
        flash(exc.description, "error")
    else:
        flash(_("Periodo di chiusura eliminato."), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#chiusure")


# --- Appuntamenti: the calendar's agenda as a list, with the office's actions ---


def _day_arg(name: str) -> date:
    """A day from the query or the form; today when missing or not a date."""
    try:
        return date.fromisoformat(request.values.get(name, ""))
    except ValueError:
        return localtime.today()


def _agenda(calendar: Calendar) -> tuple[date, int | None, str, list[Meeting]]:
    """The agenda's filters from the query (from a day, status, name or fiscal code) and its rows."""
    from_day = _day_arg("dal")
    raw_status = request.args.get("stato", "")
    status = int(raw_status) if raw_status.isdigit() and int(raw_status) in meetings.STATUS_LABELS else None
    search = (request.args.get("q") or "")[:100]
    return from_day, status, search, meetings.list_meetings(tenant(), calendar, status, search, from_day)


@bp.get("/calendari/<calendar_id>/appuntamenti.csv")
def calendar_meetings_csv(calendar_id: str) -> Response:
    _from_day, _status, _search, rows = _agenda(calendars.get_calendar(tenant(), calendar_id))
    return Response(exports.csv_text(meeting_notices.csv_rows(rows)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="appuntamenti.csv"'})


@bp.get("/calendari/<calendar_id>/appuntamenti")
def calendar_meetings(calendar_id: str) -> str:
    calendar = calendars.get_calendar(tenant(), calendar_id)
    from_day, status, search, rows = _agenda(calendar)
    return render_template("backoffice/meetings.html", section="calendars", calendar=calendar, rows=rows,
                           from_day=from_day, status=status, q=search, labels=meetings.STATUS_LABELS,
                           actions=meetings.OPERATOR_ACTIONS,
                           editable=policy.can_edit_calendar(staff(), calendar))


@bp.post("/calendari/<calendar_id>/appuntamenti/<meeting_id>/<action>")
def meeting_action(calendar_id: str, meeting_id: str, action: str) -> Response:
    try:
        meetings.operator_action(tenant(), staff(), meeting_id, action, request.form.get("message") or "")
    except (Conflict, Forbidden) as exc:
        flash(exc.description, "error")
    else:
        flash(_("Appuntamento aggiornato."), "success")
    return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id,
                            dal=request.form.get("dal") or None))


@bp.get("/calendari/<calendar_id>/appuntamenti.ics")
def calendar_meetings_ics(calendar_id: str) -> Response:
    calendar = calendars.get_calendar(tenant(), calendar_id)
    rows = meetings.list_meetings(tenant(), calendar, None, "", _day_arg("dal"))
    return Response(meeting_notices.calendar_ics(tenant(), calendar, rows), mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="appuntamenti.ics"'})


@bp.route("/calendari/<calendar_id>/appuntamenti/nuovo", methods=["GET", "POST"])
def meeting_new(calendar_id: str) -> Any:
    """*Crea appuntamento* for a citizen who phoned: any free slot of the chosen day, no notice needed."""
    calendar = calendars.get_calendar(tenant(), calendar_id)
    if not policy.can_edit_calendar(staff(), calendar):
        flash(_("Gestiscono gli appuntamenti gli operatori abilitati al calendario."), "error")
        return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id))
    day = _day_arg("giorno")
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        try:
            meetings.book_for_citizen(tenant(), staff(), calendar_id, request.form.get("slot") or "",
                                      request.form.to_dict(), datetime.now(UTC))
        except ValidationFailed as exc:
            errors, status = field_errors(exc), 400
        except Conflict as exc:
            errors, status = [("slot", exc.description)], 409
        else:
            flash(_("Appuntamento creato: il cittadino riceverà la conferma per e-mail."), "success")
            return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id, dal=day.isoformat()))
    slots = [slot for slot in calendar_hours.office_slots(calendar, day, datetime.now(UTC)) if slot.available]
    return render_template("backoffice/meeting_form.html", section="calendars", calendar=calendar, day=day,
                           slots=slots, values=request.form, errors=errors), status


@bp.route("/calendari/<calendar_id>/appuntamenti/<meeting_id>/sposta", methods=["GET", "POST"])
def meeting_move(calendar_id: str, meeting_id: str) -> Any:
    """*Sposta*: pick another free slot of any day and write the citizen a message."""
    calendar = calendars.get_calendar(tenant(), calendar_id)
    meeting = meetings.get_meeting(tenant(), calendar, meeting_id)
    day = _day_arg("giorno") if request.values.get("giorno") else meetings.local_day(meeting)
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        try:
            moved = meetings.reschedule(tenant(), staff(), meeting_id, request.form.get("slot") or "",
                                        request.form.get("message") or "", datetime.now(UTC))
        except ValidationFailed as exc:
            errors, status = field_errors(exc), 400
        except (Conflict, Forbidden) as exc:
            errors, status = [("slot", exc.description)], 409
        else:
            flash(_("Appuntamento spostato: il cittadino riceverà un'e-mail con il nuovo orario."), "success")
            return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id,
                                    dal=meetings.local_day(moved).isoformat()))
    slots = [s for s in calendar_hours.office_slots(calendar, day, datetime.now(UTC), meeting.id) if s.available]
    return render_template("backoffice/meeting_move.html", section="calendars", calendar=calendar, meeting=meeting,
                           day=day, slots=slots, values=request.form, errors=errors), status


@bp.post("/calendari/<calendar_id>/appuntamenti/<meeting_id>/video")
def meeting_video(calendar_id: str, meeting_id: str) -> Response:
    try:
        meetings.set_video_link(tenant(), staff(), meeting_id, request.form.get("videoconference_link") or "")
    except ValidationFailed as exc:
        flash(" ".join(message for _field, message in field_errors(exc)), "error")
    except (Conflict, Forbidden) as exc:
        flash(exc.description, "error")
    else:
        flash(_("Link videoconferenza salvato e inviato al cittadino."), "success")
    return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id,
                            dal=request.form.get("dal") or None))


@bp.route("/calendari/notifiche", methods=["GET", "POST"])
def calendar_notifications() -> Any:
    """Impostazioni notifiche calendari: which booking e-mails I receive from my calendars."""
    if request.method == "POST":
        meeting_notices.set_notifications(staff(), set(request.form.getlist("kinds")))
        flash(_("Impostazioni delle notifiche salvate."), "success")
        return redirect(url_for("backoffice.calendar_notifications"))
    return render_template("backoffice/calendar_notifications.html", section="calendars",
                           chosen={kind for kind in meeting_notices.NOTIFICATION_KINDS
                                   if meeting_notices.wants(staff(), kind)})
