"""The citizen's own tasks in a service's process ("Da completare"): a form, like the application's own."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import screens
from webapp.services.common.errors import DomainError, NotFound, ValidationFailed
from webapp.views.citizen._common import citizen_required, me
from webapp.views.citizen.blueprint import bp


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.get("/pratiche/<app_id>/attivita/<task_id>")
@citizen_required
def task(app_id: str, task_id: str) -> str:
    page = screens.task_page(g.tenant, me(), app_id, task_id)
    return render_template("citizen/task.html", page=page, app=page.task.row.application)


@bp.post("/pratiche/<app_id>/attivita/<task_id>")
@citizen_required
def complete_task(app_id: str, task_id: str) -> Response | tuple[str, int]:
    try:
        screens.submit_task(g.tenant, me(), app_id, task_id, request.form, request.files, _version())
    except ValidationFailed as error:
        page = screens.posted_task(g.tenant, me(), app_id, task_id, request.form, error)
        return render_template("citizen/task.html", page=page, app=page.task.row.application), 422
    except NotFound:
        raise
    except DomainError as error:
        flash(error.description, "error")
        return redirect(url_for("citizen.application", app_id=app_id))
    flash(_("Fatto: l'ufficio riceverà quanto hai inviato."), "success")
    return redirect(url_for("citizen.application", app_id=app_id))
