"""The workshop's sandbox pages ("Prova il servizio"): start a test run of a draft and walk it.

Administrators start, walk and discard runs; managers may look at the existing ones (no buttons);
everyone else gets a 404, so the section is not advertised.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import workshop
from webapp.services.common.errors import Conflict, Forbidden
from webapp.views.backoffice._common import staff, tenant, viewer_available
from webapp.views.backoffice._confirm import Confirmation, confirmation_page, confirmed
from webapp.views.backoffice.blueprint import bp

BASE = "/gestione-servizi/<slug>/prova"


def _may_view() -> bool:
    if not workshop.can_view(staff(), tenant()):
        abort(404)
    return workshop.can_edit(staff(), tenant())


def _run(slug: str, run_id: str) -> workshop.RunView:
    run = workshop.sandbox_run(tenant(), staff(), run_id)
    if run.slug != slug:
        abort(404)
    return run


@bp.get(BASE)
def workshop_sandbox(slug: str) -> str:
    editable = _may_view()
    runs = workshop.sandbox_runs(tenant(), staff(), slug)
    page = workshop.sandbox_form(tenant(), staff(), slug) if editable else None
    draft = workshop.draft_of(tenant(), slug)
    return render_template("backoffice/workshop/sandbox.html", section="workshop", slug=slug, title=draft.title,
                           page=page, runs=runs, editable=editable)


@bp.post(BASE)
def workshop_sandbox_start(slug: str) -> Response | tuple[str, int]:
    if not _may_view():
        raise Forbidden(_("Solo gli amministratori provano i servizi."))
    run_id, page = workshop.sandbox_start(tenant(), staff(), slug, request.form, request.files)
    if run_id is None:
        runs = workshop.sandbox_runs(tenant(), staff(), slug)
        return render_template("backoffice/workshop/sandbox.html", section="workshop", slug=slug,
                               title=page.title if page else slug, page=page, runs=runs, editable=True), 422
    flash(_("Prova avviata: la domanda è stata inviata come da un cittadino fittizio."), "success")
    return redirect(url_for("backoffice.workshop_sandbox_run", slug=slug, run_id=run_id))


@bp.post(f"{BASE}/anteprima")
def workshop_sandbox_preview(slug: str) -> str:
    """htmx: the main form's fields for the values typed so far (conditional ones appear); nothing starts."""
    if not _may_view():
        raise Forbidden(_("Solo gli amministratori provano i servizi."))
    page = workshop.sandbox_preview(tenant(), staff(), slug, request.form)
    return render_template("backoffice/workshop/_sandbox_fields.html", page=page, slug=slug)


def _render_run(slug: str, run: workshop.RunView, editable: bool, status: int = 200) -> tuple[str, int]:
    return render_template("backoffice/workshop/sandbox_run.html", section="workshop", slug=slug, run=run,
                           editable=editable, viewer=viewer_available() and run.bpmn is not None,
                           discard=_discard_confirmation(slug, run.id)), status


@bp.get(f"{BASE}/<run_id>")
def workshop_sandbox_run(slug: str, run_id: str) -> tuple[str, int]:
    editable = _may_view()
    return _render_run(slug, _run(slug, run_id), editable)


@bp.get(f"{BASE}/<run_id>/processo.bpmn")
def workshop_sandbox_bpmn(slug: str, run_id: str) -> Response:
    _may_view()
    run = _run(slug, run_id)
    if run.bpmn is None:
        abort(404)
    return current_app.response_class(run.bpmn, mimetype="application/xml")


@bp.post(f"{BASE}/<run_id>/attivita/<task_id>")
def workshop_sandbox_task(slug: str, run_id: str, task_id: str) -> Response | tuple[str, int]:
    _may_view()
    _run(slug, run_id)
    try:
        again = workshop.sandbox_complete_task(tenant(), staff(), run_id, task_id, request.form, request.files)
    except Conflict as exc:
        flash(exc.description, "error")
        return redirect(url_for("backoffice.workshop_sandbox_run", slug=slug, run_id=run_id))
    if again is not None:
        return _render_run(slug, again, True, 422)
    flash(_("Attività completata nella prova."), "success")
    return redirect(url_for("backoffice.workshop_sandbox_run", slug=slug, run_id=run_id))


@bp.post(f"{BASE}/<run_id>/scadenze")
def workshop_sandbox_timers(slug: str, run_id: str) -> Response:
    _may_view()
    _run(slug, run_id)
    try:
        workshop.sandbox_fire_timers(tenant(), staff(), run_id)
        flash(_("Termini fatti scadere."), "success")
    except Conflict as exc:
        flash(exc.description, "error")
    return redirect(url_for("backoffice.workshop_sandbox_run", slug=slug, run_id=run_id))


@bp.post(f"{BASE}/<run_id>/messaggi/<name>")
def workshop_sandbox_message(slug: str, run_id: str, name: str) -> Response:
    _may_view()
    _run(slug, run_id)
    try:
        workshop.sandbox_send_message(tenant(), staff(), run_id, name)
        flash(_("Messaggio simulato consegnato."), "success")
    except Conflict as exc:
        flash(exc.description, "error")
    return redirect(url_for("backoffice.workshop_sandbox_run", slug=slug, run_id=run_id))


def _discard_confirmation(slug: str, run_id: str) -> Confirmation:
    action = url_for("backoffice.workshop_sandbox_discard", slug=slug, run_id=run_id)
    return Confirmation(
        title=_("Elimina la prova"), text=_("La prova e il suo registro dei passi saranno eliminati. "
                                           "La bozza del servizio non cambia."),
        submit=_("Elimina la prova"), action=action, page=action,
        back=url_for("backoffice.workshop_sandbox_run", slug=slug, run_id=run_id))


@bp.route(f"{BASE}/<run_id>/elimina", methods=["GET", "POST"])
def workshop_sandbox_discard(slug: str, run_id: str) -> Response | str:
    if not _may_view():
        raise Forbidden(_("Solo gli amministratori eliminano le prove."))
    _run(slug, run_id)
    if not confirmed():  # a bare POST or the link without JavaScript: ask first
        return confirmation_page(_discard_confirmation(slug, run_id), "workshop")
    workshop.sandbox_discard(tenant(), staff(), run_id)
    flash(_("Prova eliminata."), "success")
    return redirect(url_for("backoffice.workshop_sandbox", slug=slug))
