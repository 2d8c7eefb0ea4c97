"""The back office for operators and managers: /<tenant>/backoffice/..."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.services import appointments, jobs, outbound
from webapp.services.common import policy, statuses
from webapp.services.common.tenancy import get_tenant

bp = Blueprint("backoffice", __name__, url_prefix="/<tenant>/backoffice")

PUBLIC_ENDPOINTS = frozenset({"backoffice.login", "backoffice.forgot_password", "backoffice.reset_password"})


@bp.url_value_preprocessor
def _load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.tenant = get_tenant(str((values or {}).pop("tenant", "")))


@bp.url_defaults
def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if "tenant" not in values and "tenant" in g:
        values["tenant"] = g.tenant.slug


@bp.before_request
def _require_staff() -> Response | None:
    """Anonymous visitors go to the login page; citizens (and anyone not staff here) get 403."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("backoffice.login", next=request.full_path.rstrip("?")))
    if not policy.is_back_office_user(current_user, g.tenant):
        abort(403)
    g.staff = current_user._get_current_object()
    return None


@bp.context_processor
def _context() -> dict[str, Any]:
    staff = g.get("staff")
    return {"staff": staff, "can_manage_operators": bool(staff and policy.can_manage_operators(staff)),
            "payments_of": outbound.for_application, "incidents_of": jobs.incidents,
            "operation_label": lambda op: gettext(statuses.operation_label(op)),
            "meetings_of": appointments.for_application, "meeting_labels": appointments.STATUS_LABELS}


from webapp.views.backoffice import (  # noqa: E402
    actions,
    applications,
    auth,
    calendars,
    exports,
    operators,
    services,
    statistics,
)

__all__ = ["actions", "applications", "auth", "bp", "calendars", "exports", "operators", "services",
           "statistics"]
