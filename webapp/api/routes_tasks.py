"""The user tasks of applications' processes: one application's, the caller's inbox, completing one."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from marshmallow import Schema, fields

from webapp.api import params
from webapp.api.blueprint import bp
from webapp.api.context import current_user, expected_version, json_body, load, tenant
from webapp.api.schemas import UtcDateTime, shared
from webapp.api.schemas_answers import ListLinksSchema, ListMetaSchema
from webapp.services import applications

INBOX_QUERY: tuple[params.Param, ...] = (
    params.Text("service", "Only this service (slug or uuid; an unknown one is a 404)"),
    params.Text("office", "Only the work of this office (its code; an unknown one is a 404)"),
    params.Whole("offset", "How many tasks to skip", low=0, high=10**9, default=0),
    params.Whole("limit", "Page size", low=1, high=100, default=20),
)


class TaskSchema(Schema):
    id = fields.UUID(attribute="row.id", required=True, metadata={"description": "the task's id"})
    name = fields.String(attribute="row.bpmn_id", required=True, metadata={"description": "its BPMN id"})
    label = fields.String(attribute="row.label", required=True)
    form = fields.Dict(attribute="schema", required=True, metadata={"description": "the JSON schema of its data"})
    candidate = fields.String(attribute="row.candidate", required=True, metadata={
        "description": "who completes it: cittadino, ufficio, ufficio:<code> or responsabile"})
    status = fields.String(attribute="row.state", required=True, metadata={"enum": ["ready"]})
    actions = fields.List(fields.String(), attribute="row.actions", required=True,
                          metadata={"description": "the choices it offers (one goes in `action`); may be empty"})
    application_id = fields.UUID(attribute="row.application_id", required=True)
    created_at = UtcDateTime(attribute="row.created_at", required=True)


class TaskListSchema(Schema):
    meta = fields.Nested(ListMetaSchema, required=True)
    links = fields.Nested(ListLinksSchema, required=True)
    data = fields.List(fields.Nested(TaskSchema), required=True)


class TaskCompletionSchema(Schema):
    data = fields.Dict(required=True, metadata={"description": "the task form's data"})
    action = fields.String(metadata={"description": "one of the task's `actions`, when it offers some"})
    version = fields.Integer(metadata={"description": "the application's version the caller saw (or If-Match)"})


@bp.get("/applications/<app_id>/tasks")
def application_tasks(app_id: str) -> Response:
    rows = applications.list_tasks(tenant(), current_user(), app_id)
    return jsonify(shared(TaskSchema, many=True).dump(rows))


@bp.post("/applications/<app_id>/tasks/<task_id>")
def complete_task(app_id: str, task_id: str) -> Response:
    body = load(shared(TaskCompletionSchema), json_body())
    applications.complete_task(tenant(), current_user(), app_id, task_id, body["data"], body.get("action"),
                               expected_version(body))
    return Response(status=204)


def _page_link(offset: int, limit: int) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), "offset": offset, "limit": limit}
    return url_for("api.task_inbox", _external=False, **args)


@bp.get("/tasks")
def task_inbox() -> Response:
    values = params.read_all(INBOX_QUERY)
    filters = applications.InboxFilters(service=values["service"], office=values["office"],
                                        offset=values["offset"], limit=values["limit"])
    rows, count = applications.inbox(tenant(), current_user(), filters)
    offset, limit = filters.offset, filters.limit
    links = {"self": _page_link(offset, limit),
             "prev": _page_link(max(0, offset - limit), limit) if offset > 0 else None,
             "next": _page_link(offset + limit, limit) if offset + limit < count else None}
    page = {"meta": {"count": count, "parameter": {"offset": offset, "limit": limit}}, "links": links, "data": rows}
    return jsonify(shared(TaskListSchema).dump(page))
