"""The back office's blueprint: /<tenant>/backoffice/..., for staff only (but the login pages)."""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.blueprints import tenant_blueprint
from webapp.services import appointments
from webapp.services.common import policy, statuses
from webapp.views.web import load_tenant_and_visitor

bp = tenant_blueprint("backoffice", "webapp.views.backoffice", "/backoffice", loader=load_tenant_and_visitor)

PUBLIC_ENDPOINTS = frozenset({"backoffice.login", "backoffice.forgot_password", "backoffice.reset_password",
                              "backoffice.login_code", "backoffice.login_enrol"})


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
            "can_view_workshop": bool(staff and policy.can_view_workshop(staff, g.tenant)),
            "can_edit_settings": bool(staff and policy.can_edit_settings(staff)),
            "operation_label": lambda op: gettext(statuses.operation_label(op)),
            "meeting_labels": appointments.STATUS_LABELS}
