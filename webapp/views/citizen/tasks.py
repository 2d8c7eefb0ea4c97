"""The citizen's own tasks in a service's process ("Da completare"): a form, like the application's own."""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import screens
from webapp.views.citizen._common import citizen_required, me, posted_version
from webapp.views.citizen.blueprint import bp
from webapp.views.web import submit_task_page


@bp.get("/pratiche/<app_id>/attivita/<task_id>")
@citizen_required
def task(app_id: str, task_id: str) -> str:
    page = screens.task_page(g.tenant, me(), app_id, task_id)
    return render_template("citizen/task.html", page=page, app=page.task.row.application)


@bp.post("/pratiche/<app_id>/attivita/<task_id>")
@citizen_required
def complete_task(app_id: str, task_id: str) -> Response | tuple[str, int]:
    return submit_task_page(me(), app_id, task_id, posted_version(), "citizen/task.html", "citizen.application",
                            _("Fatto: l'ufficio riceverà quanto hai inviato."),
                            url_for("citizen.flow_done", app_id=app_id, flow="attivita"))
