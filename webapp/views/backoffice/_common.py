"""Small helpers shared by the back-office views."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, request
from werkzeug.datastructures import FileStorage

from webapp.models import Tenant, User
from webapp.services import statuses
from webapp.services.backoffice_actions import EVENT_LABELS, Upload
from webapp.services.errors import ValidationFailed
from webapp.views.backoffice import bp

ROME = ZoneInfo("Europe/Rome")


@bp.app_template_filter("bo_local_time")
def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ROME).strftime("%d/%m/%Y %H:%M")


@bp.app_template_filter("bo_status")
def status_label(code: int | None) -> str:
    return statuses.label(code)


@bp.app_template_filter("bo_event")
def event_label(event: str) -> str:
    label = EVENT_LABELS.get(event, event.replace("_", " "))
    return label[:1].upper() + label[1:]


def tenant() -> Tenant:
    return g.tenant  # type: ignore[no-any-return]


def staff() -> User:
    return g.staff  # type: ignore[no-any-return]


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
    prefix = f"/{tenant().slug}/backoffice"
    if target and target.startswith(prefix) and not target.startswith("//") and "\\" not in target:
        return target
    return default
