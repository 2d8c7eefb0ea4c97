"""Back-office endpoints of the API: private notes, the operators' list, offices."""

from __future__ import annotations

from flask import Response, jsonify, request
from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict

from webapp.api import params
from webapp.api.blueprint import bp
from webapp.api.context import current_user, json_body, load, tenant
from webapp.api.schemas import MESSAGE_TEXT, AttachmentInSchema, MessageSchema, shared
from webapp.api.schemas_answers import BackofficeParametersSchema, BackofficeRowSchema, OfficeSchema
from webapp.services import applications, people, screens
from webapp.services.applications import INTERNAL
from webapp.services.common import statuses
from webapp.services.common.errors import Forbidden


class NoteInSchema(Schema):
    message = fields.String(required=True, metadata=MESSAGE_TEXT)
    attachments = fields.List(fields.Nested(AttachmentInSchema))


def _require_staff() -> None:
    if not current_user().is_staff:
        raise Forbidden("Riservato agli operatori dell'ente.")


@bp.get("/applications/<app_id>/notes")
def list_notes(app_id: str) -> Response:
    """Private notes: operators only; the citizen never sees them."""
    _require_staff()
    rows = [m for m in applications.list_messages(tenant(), current_user(), app_id) if m.visibility == INTERNAL]
    return jsonify(shared(MessageSchema, many=True).dump(rows))


@bp.post("/applications/<app_id>/notes")
def post_note(app_id: str) -> Response:
    _require_staff()
    body = load(shared(NoteInSchema), json_body())
    note = applications.post_message(tenant(), current_user(), app_id,
                                      applications.message_for({**body, "visibility": INTERNAL}))
    response = jsonify(shared(MessageSchema).dump(note))
    response.status_code = 201
    return response


# The page's filters, strictly: the page falls back to a default on a value it cannot use, an API
# client is told (400) instead.
LIST_QUERY: tuple[params.Param, ...] = (
    params.Text("q", "Applicant name, fiscal code or application id"),
    params.Text("service", "Service slug or uuid"),
    params.Whole("status", "Status code", low=0, high=max(statuses.LABELS)),
    params.Choice("handling", "office: my office's; mine: held by me; waiting: nobody holds them yet",
                  choices=tuple(screens.HANDLING)),
    params.Choice("period", "Of the latest status change (Rome days); custom: from/to",
                  choices=tuple(screens.PERIODS)),
    params.Day("from", "period=custom: first day"),
    params.Day("to", "period=custom: last day"),
    params.Choice("sort", "Sort column (default latest_status_change_at)", choices=screens.SORTABLE),
    params.Choice("dir", "Sort direction (default desc)", choices=("asc", "desc")),
    params.Whole("offset", "How many matches to skip", low=0, high=10**7, default=0),
    params.Whole("limit", "Page size", low=1, high=100, default=20),
)


@bp.get("/backoffice/applications")
def backoffice_applications() -> Response:
    """The back-office list with the same search, filters and sorting as the page (no drafts)."""
    _require_staff()
    values = params.read_all(LIST_QUERY)
    limit, offset = values["limit"], values["offset"]
    args = MultiDict(request.args)
    args["page"] = str(offset // limit + 1)
    query = screens.parse_query(args, limit)
    page = screens.list_page(tenant(), current_user(), query)
    parameters = shared(BackofficeParametersSchema).dump({"offset": offset, "limit": limit, **query.args(page=1)})
    return jsonify({"meta": {"count": page.total, "parameter": parameters},
                    "data": shared(BackofficeRowSchema, many=True).dump(page.rows)})


@bp.get("/user-groups")
def offices() -> Response:
    """Offices (CORE's user groups), for assigning an application to an office."""
    _require_staff()
    return jsonify(shared(OfficeSchema, many=True).dump(people.list_offices(tenant())))
