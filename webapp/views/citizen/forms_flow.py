"""The multi-step form: first step of a new application, each step of a draft, preview, summary, submit."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import applications
from webapp.services.applications import SUMMARY, StepPage
from webapp.services.common.errors import TransitionNotAllowed
from webapp.views.citizen._common import citizen_required, me, posted_version
from webapp.views.citizen.blueprint import bp


def _action() -> str:
    return "save" if request.form.get("action") == "save" else "next"


def _render_step(page: StepPage, status: int = 200) -> tuple[str, int]:
    return render_template("citizen/step.html", page=page), status


def _error_status(page: StepPage) -> int:
    return 400 if page.unknown else 422


@bp.route("/servizi/<slug>/domanda", methods=["GET", "POST"])
@citizen_required
def new_application(slug: str) -> tuple[str, int] | Response:
    if request.method == "GET":
        return _render_step(applications.new_application_page(g.tenant, me(), slug))
    app, page = applications.start_application(g.tenant, me(), slug, request.form, request.files, _action())
    if page is not None:
        return _render_step(page, _error_status(page))
    assert app is not None
    return _after_save(app.id, app.last_compiled_step or SUMMARY)


def _after_save(app_id: object, target: str) -> Response:
    if _action() == "save":
        flash(_("Richiesta salvata come bozza: puoi riprenderla quando vuoi dalla tua area personale."), "success")
    return redirect(_target_url(app_id, target))


def _target_url(app_id: object, target: str) -> str:
    if target == SUMMARY:
        return url_for("citizen.summary", app_id=app_id)
    return url_for("citizen.step", app_id=app_id, step_id=target)


@bp.route("/pratiche/<app_id>/passi/<step_id>", methods=["GET", "POST"])
@citizen_required
def step(app_id: str, step_id: str) -> tuple[str, int] | Response:
    try:
        if request.method == "GET":
            page = applications.step_page(g.tenant, me(), app_id, step_id)
            if not applications.is_reachable(page):
                return redirect(_target_url(app_id, applications.resume_target(page.app)))  # type: ignore[arg-type]
            return _render_step(page)
        app, failed = applications.save_step(g.tenant, me(), app_id, step_id, request.form, request.files,
                                              _action(), posted_version())
    except TransitionNotAllowed:
        return redirect(url_for("citizen.application", app_id=app_id))
    if failed is not None:
        return _render_step(failed, _error_status(failed))
    return _after_save(app.id, app.last_compiled_step or SUMMARY)


@bp.post("/pratiche/<app_id>/passi/<step_id>/anteprima")
@citizen_required
def step_preview(app_id: str, step_id: str) -> str:
    """htmx: the conditional sections for the values typed so far; nothing is saved."""
    page = applications.preview_step(g.tenant, me(), app_id, step_id, request.form)
    return render_template("citizen/_conditional.html", page=page)


@bp.get("/pratiche/<app_id>/riprendi")
@citizen_required
def resume(app_id: str) -> Response:
    try:
        app = applications.get_draft(g.tenant, me(), app_id)
    except TransitionNotAllowed:
        return redirect(url_for("citizen.application", app_id=app_id))
    return redirect(_target_url(app.id, applications.resume_target(app)))


@bp.get("/pratiche/<app_id>/riepilogo")
@citizen_required
def summary(app_id: str) -> str | Response:
    try:
        app, groups, steps = applications.summary(g.tenant, me(), app_id)
    except TransitionNotAllowed:
        return redirect(url_for("citizen.application", app_id=app_id))
    if not steps[-1].reachable:
        return redirect(_target_url(app.id, applications.resume_target(app)))
    return render_template("citizen/summary.html", app=app, groups=groups, steps=steps)


@bp.post("/pratiche/<app_id>/invia")
@citizen_required
def submit(app_id: str) -> Response:
    app = applications.submit(g.tenant, me(), app_id, posted_version())
    return redirect(url_for("citizen.sent", app_id=app.id))


@bp.get("/pratiche/<app_id>/inviata")
@citizen_required
def sent(app_id: str) -> str:
    detail = applications.sent_page(g.tenant, me(), app_id)
    # A follow-up's submission is its own flow in the ratings' statistics.
    return render_template("citizen/sent.html", app=detail, receipt=applications.submission_receipt(detail),
                           flow="seguito" if detail.follow_up_kind else "invio")
