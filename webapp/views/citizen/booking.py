"""Prenotazione appuntamento (ui.md §3.6): luogo -> data e orario -> dettagli -> richiedente ->
riepilogo -> conferma. Open to anyone; a logged-in citizen finds their details filled in. The draft
meeting's id lives in the session; the booker's own link (the token) opens the appointment later."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.services import appointments, catalogue
from webapp.services.applications import Application
from webapp.services.appointments import Meeting
from webapp.services.common import localtime, policy, uploads
from webapp.services.common.errors import Conflict, NotFound, ValidationFailed
from webapp.services.people import CITIZEN, User
from webapp.views.citizen._common import safe_next
from webapp.views.citizen.blueprint import bp

STEPS = (("ufficio", "Luogo"), ("orario", "Data e orario"), ("dettagli", "Dettagli appuntamento"),
         ("richiedente", "Richiedente"), ("riepilogo", "Riepilogo"))
DRAFT_KEY = "booking_meeting"
APPLICATION_KEY = "booking_application"
RETURN_KEY = "booking_return"  # the step (or page) the booking started from, to go back to it


def _now() -> datetime:
    return datetime.now(UTC)


def _citizen() -> User | None:
    return current_user if current_user.is_authenticated and current_user.role == CITIZEN else None


def _page(template: str, step: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, steps=STEPS, current=step, back_to=session.get(RETURN_KEY), **context), status


def _draft() -> Meeting | Response:
    """The session's draft, or a redirect to start again with the reason."""
    try:
        return appointments.draft(g.tenant, session.get(DRAFT_KEY), _now())
    except (NotFound, Conflict) as exc:
        session.pop(DRAFT_KEY, None)
        flash(exc.description, "error")
        return redirect(url_for("citizen.booking_office"))


def _linked_application() -> Application | None:
    """The citizen's own application this booking started from, if any (never someone else's)."""
    app_id, citizen = session.get(APPLICATION_KEY), _citizen()
    if not app_id or citizen is None:
        return None
    try:
        return policy.get_application(citizen, g.tenant, app_id)
    except NotFound:
        return None


@bp.get("/prenota-appuntamento")
def booking_office() -> tuple[str, int] | Response:
    """Step 1. Started afresh from a service, a step of its flow or a pratica, it keeps where the citizen
    came from (to go back there) and presets the office handling the service; `tutti` is the way back
    to this step from the next one, keeping all that."""
    if "tutti" not in request.args:
        session.pop(APPLICATION_KEY, None)
        session.pop(RETURN_KEY, None)
        if request.args.get("pratica"):
            session[APPLICATION_KEY] = request.args["pratica"][:64]
        back = safe_next(request.args.get("torna"), "")
        if back:
            session[RETURN_KEY] = back[:500]
    rows = appointments.bookable_calendars(g.tenant)
    service = request.args.get("servizio", "")[:100]
    chosen, errors = request.args.get("ufficio"), {}
    if chosen is not None:
        if chosen in {str(row.id) for row in rows}:
            return redirect(url_for("citizen.booking_slot", calendar_id=chosen, servizio=service or None))
        errors = {"ufficio": _("Scegli l'ufficio presso cui prenotare.")}
    preset = appointments.calendars_for_service(g.tenant, service)
    selected = chosen if chosen and not errors else (str(preset[0].id) if preset else None)
    return _page("citizen/booking/office.html", "ufficio", 400 if errors else 200, calendars=rows, service=service,
                 selected=selected, preset={str(row.id) for row in preset}, errors=errors,
                 linked=_linked_application())


@bp.get("/prenota-appuntamento/<calendar_id>")
def booking_slot(calendar_id: str) -> tuple[str, int]:
    calendar = appointments.get_calendar(g.tenant, calendar_id)
    free_days = [day for day, free in appointments.bookable_days(g.tenant, calendar.id, None, None, _now()) if free]
    chosen = localtime.parse_day(request.args.get("giorno"))
    if chosen not in free_days:
        chosen = free_days[0] if free_days else None
    slots = [s for s in appointments.bookable_slots(g.tenant, calendar.id, chosen, _now()) if s.available] \
        if chosen else []
    return _page("citizen/booking/slot.html", "orario", calendar=calendar, days=free_days, chosen=chosen,
                 slots=slots, service=request.args.get("servizio", ""))


@bp.post("/prenota-appuntamento/<calendar_id>")
def booking_hold(calendar_id: str) -> Response:
    day, _sep, rest = (request.form.get("slot") or "").partition("|")
    start, _sep, hour_id = rest.partition("|")
    try:
        meeting = appointments.hold_slot(g.tenant, calendar_id, date.fromisoformat(day), start, hour_id, _now(),
                                     _citizen())
    except (ValueError, Conflict) as exc:
        flash(exc.description if isinstance(exc, Conflict) else _("Scegli uno degli orari disponibili."), "error")
        return redirect(url_for("citizen.booking_slot", calendar_id=calendar_id, giorno=day or None))
    session[DRAFT_KEY] = str(meeting.id)
    return redirect(url_for("citizen.booking_details", servizio=request.form.get("service") or None))


def _form_step(step: str, template: str, save: Callable[..., Meeting], next_endpoint: str,
               initial: Callable[[Meeting], dict[str, Any]], **context: Any) -> Any:
    """A step that edits the draft: show it, or save the posted values and move on."""
    meeting = _draft()
    if isinstance(meeting, Response):
        return meeting
    if request.method == "GET":
        return _page(template, step, meeting=meeting, values=initial(meeting), errors={}, **context)
    values = request.form.to_dict()
    try:
        save(g.tenant, meeting.id, values, _now())
    except ValidationFailed as exc:
        return _page(template, step, 400, meeting=meeting, values=values, errors=_errors(exc), **context)
    return redirect(url_for(next_endpoint))


@bp.route("/prenota-appuntamento/dettagli", methods=["GET", "POST"])
def booking_details() -> Any:
    return _form_step("dettagli", "citizen/booking/details.html", appointments.save_details,
                      "citizen.booking_applicant",
                      lambda m: {"service": request.args.get("servizio", ""), "user_message": m.user_message},
                      services=catalogue.list_services(g.tenant))


@bp.route("/prenota-appuntamento/richiedente", methods=["GET", "POST"])
def booking_applicant() -> Any:
    return _form_step("richiedente", "citizen/booking/applicant.html", appointments.save_applicant,
                      "citizen.booking_summary",
                      lambda m: {"name": m.name, "surname": m.surname, "email": m.email,
                                 "phone_number": m.phone_number or ""})


@bp.get("/prenota-appuntamento/riepilogo")
def booking_summary() -> Any:
    meeting = _draft()
    if isinstance(meeting, Response):
        return meeting
    return _page("citizen/booking/summary.html", "riepilogo", meeting=meeting)


@bp.post("/prenota-appuntamento/conferma")
def booking_confirm() -> Response:
    meeting = _draft()
    if isinstance(meeting, Response):
        return meeting
    try:
        confirmed = appointments.confirm(g.tenant, meeting.id, _now(), _linked_application())
    except Conflict as exc:
        flash(exc.description, "error")
        return redirect(url_for("citizen.booking_summary"))
    session.pop(DRAFT_KEY, None)
    session.pop(APPLICATION_KEY, None)
    return redirect(url_for("citizen.appointment", token=confirmed.cancel_token, confermato=1,
                            torna=session.pop(RETURN_KEY, None)))


@bp.get("/appuntamenti/<token>")
def appointment(token: str) -> str:
    meeting = appointments.by_token(g.tenant, token)
    return render_template("citizen/booking/appointment.html", meeting=meeting,
                           just_booked="confermato" in request.args,
                           refusal=appointments.cancel_refusal(meeting, _now()),
                           labels=appointments.STATUS_LABELS,
                           office=appointments.office_card(meeting.calendar, localtime.today()),
                           service_slug=appointments.service_slug(meeting),
                           back_to=safe_next(request.args.get("torna"), "") or None)


@bp.get("/appuntamenti/<token>/appuntamento.ics")
def appointment_ics(token: str) -> Response:
    meeting = appointments.by_token(g.tenant, token)
    return uploads.download(appointments.ics(g.tenant, meeting), "text/calendar", "appuntamento.ics")


@bp.post("/appuntamenti/<token>/disdici")
def appointment_cancel(token: str) -> Response:
    try:
        appointments.cancel_by_booker(g.tenant, token, _now())
    except Conflict as exc:
        flash(exc.description, "error")
    else:
        flash(_("Appuntamento disdetto: l'orario è di nuovo disponibile per altri."), "success")
    return redirect(url_for("citizen.appointment", token=token))


def _errors(exc: ValidationFailed) -> dict[str, str]:
    return {problem.pointer.strip("/"): problem.message for problem in exc.errors}
