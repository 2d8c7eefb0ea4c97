"""Small helpers shared by the back-office views."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, g, request
from flask_babel import gettext
from werkzeug.datastructures import FileStorage

from webapp.services.common import statuses
from webapp.services.common.errors import ValidationFailed
from webapp.services.common.tenancy import Tenant
from webapp.services.common.uploads import Upload
from webapp.services.people import User
from webapp.views.backoffice.blueprint import bp
from webapp.views.web import render_status_label, safe_return

bp.add_app_template_filter(render_status_label, "bo_status")


@bp.app_template_filter("bo_event")
def event_label(event: str) -> str:
    return gettext(statuses.event_label(event))


def tenant() -> Tenant:
    return g.tenant


def staff() -> User:
    return g.staff


def uploads(name: str = "attachments") -> list[Upload]:
    files: list[FileStorage] = request.files.getlist(name)
    return [Upload(f.filename or "allegato", f.read()) for f in files if f and f.filename]


def version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


def field_errors(error: ValidationFailed) -> list[tuple[str, str]]:
    """[(field id, message)] for the error summary; pointers like "/message" become "message"."""
    return [(problem.pointer.strip("/").replace("/", "-"), problem.message) for problem in error.errors]


def safe_next(target: str | None, default: str) -> str:
    """Only a path inside this tenant's back office (never another host)."""
    return safe_return(target, f"/{tenant().slug}/backoffice/", default)


VIEWER_SCRIPT = "vendor/bpmn/process-viewer.js"


def viewer_available() -> bool:
    """The read-only process viewer ships as a built asset; without it pages show the path as a list alone."""
    return Path(current_app.static_folder or "", VIEWER_SCRIPT).is_file()
