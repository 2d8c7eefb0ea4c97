"""Calendari: list and search (every operator), create and delete (administrators), edit (enabled)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import appointments, people
from webapp.services.appointments import FLAGS, NOTICE_HOURS, TYPES, Calendar, Meeting, OpeningHour
from webapp.services.common import formatting, localtime, policy, tabular, uploads
from webapp.services.common.errors import Conflict, Forbidden, ValidationFailed
from webapp.views.backoffice._common import field_errors, staff, tenant
from webapp.views.backoffice._confirm import Confirmation, confirmation_page, confirmed
from webapp.views.backoffice.blueprint import bp


def _form() -> dict[str, Any]:
    """Every field, checkboxes included (absent = off), so an edit can switch a flag off."""
    form: dict[str, Any] = {key: value for key, value in request.form.items() if key != "csrf_token"}
    form["operators"] = request.form.getlist("operators")
    form.update({flag: flag in request.form for flag in FLAGS})
    return form


def _render(calendar: Calendar | None, values: dict[str, Any], errors: list[tuple[str, str]],
            status: int = 200) -> tuple[str, int]:
    editable = calendar is None or policy.can_edit_calendar(staff(), calendar)
    current, expired = appointments.split_by_expiry(calendar, localtime.today()) if calendar else ([], [])
    return render_template(
        "backoffice/calendar_form.html", section="calendars", calendar=calendar, values=values, errors=errors,
        editable=editable, types=TYPES, notice_hours=NOTICE_HOURS, offices=people.list_offices(tenant()),
        staff_members=appointments.staff_members(tenant()), current_hours=current, expired_hours=expired,
    ), status


@bp.get("/calendari", endpoint="calendars")
def calendars_list() -> str:
    search = (request.args.get("q") or "")[:100]
    rows = appointments.list_calendars(tenant(), search)
    offices = {office.id: office.name for office in people.list_offices(tenant())}
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
        return _render(None, appointments.form_values(None), [])
    try:
        created = appointments.create_calendar(tenant(), staff(), _form())
    except ValidationFailed as exc:
        return _render(None, _form(), field_errors(exc), 400)
    flash(_("Calendario «%(title)s» creato.", title=created.title), "success")
    return redirect(url_for("backoffice.calendars"))


@bp.route("/calendari/<calendar_id>", methods=["GET", "POST"])
def calendar_edit(calendar_id: str) -> Any:
    calendar = appointments.get_calendar(tenant(), calendar_id)
    if request.method == "GET":
        return _render(calendar, appointments.form_values(calendar), [])
    try:
        appointments.update_calendar(tenant(), staff(), calendar_id, _form())
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
        title = appointments.delete_calendar(tenant(), staff(), calendar_id)
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
        calendar = appointments.editable_calendar(tenant(), staff(), calendar_id)
    except Forbidden as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id))
    hour = appointments.get_hour(calendar, hour_id) if hour_id else None
    if request.method == "GET":
        return _render_hour(calendar, hour, appointments.hour_values(hour, localtime.today()), [])
    try:
        saved = appointments.save_hour(tenant(), staff(), calendar_id, hour_id, _hour_form(), localtime.today())
    except ValidationFailed as exc:
        return _render_hour(calendar, hour, _hour_form(), field_errors(exc), 400)
    flash(_("Orario «%(name)s» salvato.", name=saved.name), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#orari")


@bp.post("/calendari/<calendar_id>/orari/<hour_id>/elimina")
def opening_hour_delete(calendar_id: str, hour_id: str) -> Response:
    try:
        name = appointments.delete_hour(tenant(), staff(), calendar_id, hour_id, datetime.now(UTC))
    except (Conflict, Forbidden) as exc:
        flash(exc.description, "error")
    else:
        flash(_("Orario «%(name)s» eliminato.", name=name), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#orari")


@bp.post("/calendari/<calendar_id>/chiusure")
def closure_add(calendar_id: str) -> Any:
    try:
        appointments.add_closure(tenant(), staff(), calendar_id, request.form.to_dict())
    except (Forbidden, ValidationFailed) as exc:
        flash(" ".join(message for _field, message in field_errors(exc)) if isinstance(exc, ValidationFailed)
              else exc.description, "error")
    else:
        flash(_("Periodo di chiusura aggiunto."), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#chiusure")


@bp.post("/calendari/<calendar_id>/chiusure/<closure_id>/elimina")
def closure_delete(calendar_id: str, closure_id: str) -> Response:
    try:
        appointments.delete_closure(tenant(), staff(), calendar_id, closure_id)
    except Forbidden as exc:
        flash(exc.description, "error")
    else:
        flash(_("Periodo di chiusura eliminato."), "success")
    return redirect(url_for("backoffice.calendar_edit", calendar_id=calendar_id) + "#chiusure")


# --- Appuntamenti: the calendar's agenda as a list, with the office's actions ---


# Final acts: the appointment cannot change after them (and refusing or cancelling tells the booker).
CONFIRMED_ACTIONS = ("refuse", "cancel", "done", "missed")


def _day_arg(name: str) -> date:
    """A day from the query or the form; today when missing or not a date."""
    return localtime.parse_day(request.values.get(name)) or localtime.today()


def _agenda(calendar: Calendar) -> tuple[date, int | None, str, list[Meeting]]:
    """The agenda's filters from the query (from a day, status, name or fiscal code) and its rows."""
    from_day = _day_arg("dal")
    raw_status = request.args.get("stato", "")
    status = int(raw_status) if raw_status.isdigit() and int(raw_status) in appointments.STATUS_LABELS else None
    search = (request.args.get("q") or "")[:100]
    return from_day, status, search, appointments.list_meetings(tenant(), calendar, status, search, from_day)


@bp.get("/calendari/<calendar_id>/appuntamenti.csv")
def calendar_meetings_csv(calendar_id: str) -> Response:
    _from_day, _status, _search, rows = _agenda(appointments.get_calendar(tenant(), calendar_id))
    return Response(tabular.csv_text(appointments.csv_rows(rows)), mimetype="text/csv",
                    headers={"Content-Disposition": uploads.content_disposition("appuntamenti.csv")})


@bp.get("/calendari/<calendar_id>/appuntamenti")
def calendar_meetings(calendar_id: str) -> str:
    calendar = appointments.get_calendar(tenant(), calendar_id)
    from_day, status, search, rows = _agenda(calendar)
    now = datetime.now(UTC)
    return render_template("backoffice/meetings.html", section="calendars", calendar=calendar, rows=rows,
                           from_day=from_day, status=status, q=search, labels=appointments.STATUS_LABELS,
                           row_actions=lambda meeting: appointments.available_actions(meeting, now),
                           confirmed_actions=CONFIRMED_ACTIONS,
                           confirmation=lambda meeting, action: _meeting_confirmation(calendar, meeting, action,
                                                                                      from_day),
                           editable=policy.can_edit_calendar(staff(), calendar))


def _meeting_confirmation(calendar: Calendar, meeting: Meeting, action: str, from_day: date) -> Confirmation:
    who, when = f"{meeting.name} {meeting.surname}", formatting.datetime_text(meeting.from_time)
    title, text = {
        "cancel": (_("Annulla l'appuntamento"), _(
            "L'appuntamento di %(who)s del %(when)s sarà annullato e la persona riceverà un'e-mail con il tuo "
            "messaggio. Non si potrà tornare indietro.", who=who, when=when)),
        "refuse": (_("Rifiuta l'appuntamento"), _(
            "La richiesta di appuntamento di %(who)s per il %(when)s sarà rifiutata e la persona riceverà "
            "un'e-mail. Non si potrà tornare indietro.", who=who, when=when)),
        "done": (_("Segna come avvenuto"), _(
            "L'appuntamento di %(who)s del %(when)s risulterà avvenuto e non si potrà più modificare.",
            who=who, when=when)),
        "missed": (_("Segna come non avvenuto"), _(
            "L'appuntamento di %(who)s del %(when)s risulterà non avvenuto (la persona non si è presentata) e "
            "non si potrà più modificare.", who=who, when=when)),
    }[action]
    ids: dict[str, Any] = {"calendar_id": calendar.id, "meeting_id": meeting.id, "action": action}
    day = from_day.isoformat()
    return Confirmation(
        title=title, text=text, submit=title, action=url_for("backoffice.meeting_action", **ids),
        page=url_for("backoffice.meeting_action", **ids, dal=day),
        back=url_for("backoffice.calendar_meetings", calendar_id=calendar.id, dal=day),
        fields={"dal": day}, danger=action in ("cancel", "refuse"),
        message_label=_("Messaggio per il cittadino (facoltativo)") if action == "cancel" else None)


def _meeting_refusal(calendar: Calendar, meeting: Meeting, action: str) -> str | None:
    """Why the question need not be asked: the act is not allowed to this person or not now."""
    if not policy.can_edit_calendar(staff(), calendar):
        return _("Gestiscono gli appuntamenti gli operatori abilitati al calendario.")
    return appointments.action_refusal(meeting, action, datetime.now(UTC))


@bp.route("/calendari/<calendar_id>/appuntamenti/<meeting_id>/<action>", methods=["GET", "POST"])
def meeting_action(calendar_id: str, meeting_id: str, action: str) -> Any:
    """The office's actions on an appointment; the final ones act only from their confirmation."""
    calendar = appointments.get_calendar(tenant(), calendar_id)
    meeting = appointments.get_meeting(tenant(), calendar, meeting_id)
    agenda = url_for("backoffice.calendar_meetings", calendar_id=calendar_id, dal=request.values.get("dal") or None)
    if request.method == "GET" or (action in CONFIRMED_ACTIONS and not confirmed()):
        refusal = _meeting_refusal(calendar, meeting, action)
        if refusal or action not in CONFIRMED_ACTIONS:
            if refusal:
                flash(refusal, "error")
            return redirect(agenda)
        return confirmation_page(_meeting_confirmation(calendar, meeting, action, _day_arg("dal")), "calendars")
    try:
        appointments.operator_action(tenant(), staff(), meeting.id, action, request.form.get("message") or "",
                                 datetime.now(UTC))
    except (Conflict, Forbidden) as exc:
        flash(exc.description, "error")
    else:
        flash(_("Appuntamento aggiornato."), "success")
    return redirect(agenda)


@bp.get("/calendari/<calendar_id>/appuntamenti.ics")
def calendar_meetings_ics(calendar_id: str) -> Response:
    calendar = appointments.get_calendar(tenant(), calendar_id)
    rows = appointments.list_meetings(tenant(), calendar, None, "", _day_arg("dal"))
    return uploads.download(appointments.calendar_ics(tenant(), calendar, rows), "text/calendar",
                            "appuntamenti.ics")


@bp.route("/calendari/<calendar_id>/appuntamenti/nuovo", methods=["GET", "POST"])
def meeting_new(calendar_id: str) -> Any:
    """*Crea appuntamento* for a citizen who phoned: any free slot of the chosen day, no notice needed."""
    calendar = appointments.get_calendar(tenant(), calendar_id)
    if not policy.can_edit_calendar(staff(), calendar):
        flash(_("Gestiscono gli appuntamenti gli operatori abilitati al calendario."), "error")
        return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id))
    day = _day_arg("giorno")
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        try:
            appointments.book_for_citizen(tenant(), staff(), calendar_id, request.form.get("slot") or "",
                                      request.form.to_dict(), datetime.now(UTC))
        except ValidationFailed as exc:
            errors, status = field_errors(exc), 400
        except Conflict as exc:
            errors, status = [("slot", exc.description)], 409
        else:
            flash(_("Appuntamento creato: il cittadino riceverà la conferma per e-mail."), "success")
            return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id, dal=day.isoformat()))
    slots = [slot for slot in appointments.office_slots(calendar, day, datetime.now(UTC)) if slot.available]
    return render_template("backoffice/meeting_form.html", section="calendars", calendar=calendar, day=day,
                           slots=slots, values=request.form, errors=errors), status


@bp.route("/calendari/<calendar_id>/appuntamenti/<meeting_id>/sposta", methods=["GET", "POST"])
def meeting_move(calendar_id: str, meeting_id: str) -> Any:
    """*Sposta*: pick another free slot of any day and write the citizen a message."""
    calendar = appointments.get_calendar(tenant(), calendar_id)
    meeting = appointments.get_meeting(tenant(), calendar, meeting_id)
    day = _day_arg("giorno") if request.values.get("giorno") else appointments.local_day(meeting)
    errors: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        try:
            moved = appointments.reschedule(tenant(), staff(), meeting_id, request.form.get("slot") or "",
                                        request.form.get("message") or "", datetime.now(UTC))
        except ValidationFailed as exc:
            errors, status = field_errors(exc), 400
        except (Conflict, Forbidden) as exc:
            errors, status = [("slot", exc.description)], 409
        else:
            flash(_("Appuntamento spostato: il cittadino riceverà un'e-mail con il nuovo orario."), "success")
            return redirect(url_for("backoffice.calendar_meetings", calendar_id=calendar_id,
                                    dal=appointments.local_day(moved).isoformat()))
    slots = [s for s in appointments.office_slots(calendar, day, datetime.now(UTC), meeting.id) if s.available]
    return render_template("backoffice/meeting_move.html", section="calendars", calendar=calendar, meeting=meeting,
                           day=day, slots=slots, values=request.form, errors=errors), status


@bp.post("/calendari/<calendar_id>/appuntamenti/<meeting_id>/video")
def meeting_video(calendar_id: str, meeting_id: str) -> Response:
    try:
        appointments.set_video_link(tenant(), staff(), meeting_id, request.form.get("videoconference_link") or "")
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
        appointments.set_notifications(staff(), set(request.form.getlist("kinds")))
        flash(_("Impostazioni delle notifiche salvate."), "success")
        return redirect(url_for("backoffice.calendar_notifications"))
    return render_template("backoffice/calendar_notifications.html", section="calendars",
                           chosen={kind for kind in appointments.NOTIFICATION_KINDS
                                   if appointments.wants(staff(), kind)})
