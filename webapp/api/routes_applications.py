"""Applications, their history, transitions, messages and attachments."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for

from webapp.api import params
from webapp.api.blueprint import bp
from webapp.api.context import current_user, expected_version, json_body, load, tenant
from webapp.api.schemas import (
    ApplicationCreateSchema,
    ApplicationPatchSchema,
    AttachmentInSchema,
    AttachmentSchema,
    HistorySchema,
    MessageInSchema,
    MessageSchema,
    ProtocolRegistrationSchema,
    ProtocolReportSchema,
    TransitionSchema,
    application_payload,
    shared,
)
from webapp.services import applications, outbound
from webapp.services.applications import Application
from webapp.services.common import policy, statuses, uploads
from webapp.services.common.uow import unit_of_work

RANGE_FILTERS = {"createdAt": "created_at", "updatedAt": "updated_at", "submittedAt": "submitted_at"}
DIRECTIONS = {"after": "later than this moment", "before": "earlier than this moment"}
LIST_QUERY: tuple[params.Param, ...] = (
    params.Text("service", "Only this service (slug or uuid; an unknown one is a 404)"),
    params.Whole("status", "Only this status code", low=0, high=max(statuses.LABELS)),
    *(params.Moment(f"{name}[{direction}]", f"{column.replace('_', ' ')} {meaning}")
      for name, column in RANGE_FILTERS.items() for direction, meaning in DIRECTIONS.items()),
    params.Whole("offset", "How many matches to skip", low=0, high=10**9, default=0),
    params.Whole("limit", "Page size", low=1, high=100, default=10),
)


def _payload(app: Application) -> dict[str, object]:
    user = current_user()
    payments = outbound.for_application(app)  # read once: the withdraw rule and the list both use them
    return application_payload(app, policy.available_actions(user, app, payments), staff=user.is_staff,
                               payments=payments)


def _filters() -> applications.ListFilters:
    values = params.read_all(LIST_QUERY)
    ranges = tuple((column, direction, values[f"{name}[{direction}]"])
                   for name, column in RANGE_FILTERS.items() for direction in DIRECTIONS
                   if values[f"{name}[{direction}]"] is not None)
    return applications.ListFilters(service=values["service"], status=values["status"], ranges=ranges,
                                    offset=values["offset"], limit=values["limit"])


def _page_link(offset: int, limit: int) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), "offset": offset, "limit": limit}
    return url_for("api.list_applications", _external=False, **args)


@bp.get("/applications")
def list_applications() -> Response:
    filters = _filters()
    rows, count = applications.list_applications(tenant(), current_user(), filters)
    offset, limit = filters.offset, filters.limit
    links = {
        "self": _page_link(offset, limit),
        "prev": _page_link(max(0, offset - limit), limit) if offset > 0 else None,
        "next": _page_link(offset + limit, limit) if offset + limit < count else None,
    }
    return jsonify({"meta": {"count": count, "parameter": {"offset": offset, "limit": limit}},
                    "links": links, "data": [_payload(a) for a in rows]})


@bp.post("/applications")
def create_application() -> Response:
    body = load(shared(ApplicationCreateSchema), json_body())
    app = applications.create_application(tenant(), current_user(), body["service"], body["data"])
    response = jsonify(_payload(app))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_application", app_id=app.id)
    return response


@bp.get("/applications/<app_id>")
def get_application(app_id: str) -> Response:
    app = applications.get_application(tenant(), current_user(), app_id)
    response = jsonify(_payload(app))
    response.headers["ETag"] = f'"{app.version}"'
    return response


@bp.patch("/applications/<app_id>")
def patch_application(app_id: str) -> Response:
    body = load(shared(ApplicationPatchSchema), json_body())
    app = applications.update_draft(tenant(), current_user(), app_id, body["data"], expected_version(body))
    return jsonify(_payload(app))


@bp.get("/applications/<app_id>/history")
def application_history(app_id: str) -> Response:
    rows = applications.history(tenant(), current_user(), app_id)
    return jsonify(shared(HistorySchema, many=True).dump(rows))


@bp.post("/applications/<app_id>/transition/<action>")
def transition(app_id: str, action: str) -> Response:
    body = load(shared(TransitionSchema), json_body(required=False))
    command = applications.command_for(action, body)
    applications.transition(tenant(), current_user(), app_id, command, expected_version(body))
    return Response(status=204)


@bp.get("/applications/<app_id>/protocol")
def list_protocol(app_id: str) -> Response:
    rows = applications.list_registrations(tenant(), current_user(), app_id)
    return jsonify(shared(ProtocolRegistrationSchema, many=True).dump(rows))


@bp.post("/applications/<app_id>/protocol/<stage>")
def report_protocol(app_id: str, stage: str) -> Response:
    """An external register gives the number of one stage's document; the process goes on."""
    body = load(shared(ProtocolReportSchema), json_body())
    registration = applications.report_stage(tenant(), current_user(), app_id, stage, applications.StageReport(
        **{key: body.get(key) for key in ("protocol_number", "registered_at", "protocol_document_id",
                                          "protocol_folder_number", "protocol_folder_code")}))
    return jsonify(shared(ProtocolRegistrationSchema).dump(registration))


@bp.get("/applications/<app_id>/messages")
def list_messages(app_id: str) -> Response:
    rows = applications.list_messages(tenant(), current_user(), app_id)
    return jsonify(shared(MessageSchema, many=True).dump(rows))


@bp.post("/applications/<app_id>/messages")
def post_message(app_id: str) -> Response:
    message = applications.post_message(tenant(), current_user(), app_id,
                                         applications.message_for(load(shared(MessageInSchema), json_body())))
    response = jsonify(shared(MessageSchema).dump(message))
    response.status_code = 201
    return response


@bp.post("/applications/<app_id>/attachments")
def upload_attachment(app_id: str) -> Response:
    """A citizen's file for a form field: returns the id to put in the form data."""
    body = load(shared(AttachmentInSchema), json_body())
    user = current_user()
    with unit_of_work():
        app = policy.get_application(user, tenant(), app_id, lock=True)
        policy.require_owner_draft(user, app)
        attachment = uploads.store_attachment(app, uploads.decode_upload(body), user, "citizen_attachment")
    response = jsonify(shared(AttachmentSchema).dump(attachment))
    response.status_code = 201
    return response


@bp.get("/applications/<app_id>/attachments/<attachment_id>")
def download_attachment(app_id: str, attachment_id: str) -> Response:
    app = applications.get_application(tenant(), current_user(), app_id)
    attachment = uploads.find_attachment(tenant(), app, attachment_id)
    policy.require_attachment_visible(current_user(), attachment)  # before the file is opened
    return uploads.stream_download(uploads.open_attachment(attachment), attachment.mime_type,
                                   attachment.original_filename)
