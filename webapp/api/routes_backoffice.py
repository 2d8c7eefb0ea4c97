"""Back-office endpoints of the API (issue 4): private notes, the operators' list, offices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict

from webapp.api import bp
from webapp.api.context import current_user, int_arg, json_body, load, tenant
from webapp.api.schemas import AttachmentInSchema, MessageSchema
from webapp.models import INTERNAL, Application
from webapp.services import backoffice_list, messages, operators
from webapp.services.errors import Forbidden


class NoteInSchema(Schema):
    message = fields.String(required=True)
    attachments = fields.List(fields.Nested(AttachmentInSchema))


def _require_staff() -> None:
    if not current_user().is_staff:
        raise Forbidden("Riservato agli operatori dell'ente.")


@bp.get("/applications/<app_id>/notes")
def list_notes(app_id: str) -> Response:
    """Private notes: operators only; the citizen never sees them."""
    _require_staff()
    rows = [m for m in messages.list_messages(tenant(), current_user(), app_id) if m.visibility == INTERNAL]
    return jsonify(MessageSchema(many=True).dump(rows))


@bp.post("/applications/<app_id>/notes")
def post_note(app_id: str) -> Response:
    _require_staff()
    body = load(NoteInSchema(), json_body())
    note = messages.post_message(tenant(), current_user(), app_id, {**body, "visibility": INTERNAL})
    response = jsonify(MessageSchema().dump(note))
    response.status_code = 201
    return response


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _row(app: Application) -> dict[str, Any]:
    return {
        "id": str(app.id), "service": app.service.slug, "service_name": app.service.name,
        "authentication": app.auth_method, "user_name": app.applicant_name,
        "applicant_fiscal_code": app.applicant_fiscal_code, "submitted_at": _iso(app.submitted_at),
        "latest_status_change_at": _iso(app.latest_status_change_at), "status": str(app.status),
        "operator": app.operator.full_name if app.operator else None,
        "office": app.office.name if app.office else None, "priority": app.priority, "version": app.version,
    }


@bp.get("/backoffice/applications")
def backoffice_applications() -> Response:
    """The back-office list with the same search, filters and sorting as the page (no drafts)."""
    _require_staff()
    limit = int_arg("limit", 20, low=1, high=100)
    offset = int_arg("offset", 0, low=0, high=10**7)
    args = MultiDict(request.args)
    args["page"] = str(offset // limit + 1)
    query = backoffice_list.parse_query(args, limit)
    page = backoffice_list.list_page(tenant(), current_user(), query)
    parameters = {"offset": offset, "limit": limit, **query.args(page=1)}
    return jsonify({"meta": {"count": page.total, "parameter": parameters},
                    "data": [_row(app) for app in page.rows]})


@bp.get("/user-groups")
def offices() -> Response:
    """Offices (CORE's user groups), for assigning an application to an office."""
    _require_staff()
    return jsonify([{"id": str(o.id), "name": o.name} for o in operators.list_offices(tenant())])
