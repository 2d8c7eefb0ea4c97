"""The process's own tasks in the back office: the Attività inbox, and completing a task's form."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from webapp.services import applications, screens
from webapp.services.common import localtime
from webapp.services.common.errors import DomainError
from webapp.views.backoffice._common import staff, tenant, version
from webapp.views.backoffice.blueprint import bp
from webapp.views.web import submit_task_page

PAGE_SIZE = 25


def _whole(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else default


@bp.get("/attivita")
def tasks() -> str:
    filters = applications.InboxFilters(service=(request.args.get("service") or "")[:100] or None,
                                        offset=_whole("offset", 0), limit=PAGE_SIZE)
    try:
        rows, count = applications.inbox(tenant(), staff(), filters)
    except DomainError:  # an unknown service in the address: the whole inbox instead
        filters = applications.InboxFilters(limit=PAGE_SIZE)
        rows, count = applications.inbox(tenant(), staff(), filters)
    services = [(s.service.slug, s.service.name) for s in screens.enabled_services(tenant(), staff())]
    return render_template("backoffice/tasks.html", section="tasks", rows=rows, count=count, filters=filters,
                           service_options=services, now=localtime.now())


@bp.get("/pratiche/<app_id>/attivita/<task_id>")
def task(app_id: str, task_id: str) -> str:
    page = screens.task_page(tenant(), staff(), app_id, task_id)
    return render_template("backoffice/task.html", section="tasks", page=page, app=page.task.row.application)


@bp.post("/pratiche/<app_id>/attivita/<task_id>")
def complete_task(app_id: str, task_id: str) -> Response | tuple[str, int]:
    return submit_task_page(staff(), app_id, task_id, version(), "backoffice/task.html", "backoffice.application",
                            _("Attività completata."))
