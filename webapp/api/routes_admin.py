"""The administrators' API for modelled services: import a zip as a draft, publish it, list the versions,
export one as a zip. Staff who are not administrators get 403; citizens get 404 (they are not told it
exists)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from webapp.api import params
from webapp.api.blueprint import bp
from webapp.api.context import current_user, tenant
from webapp.api.schemas import UtcDateTime, shared
from webapp.services import workshop
from webapp.services.common import policy
from webapp.services.common.errors import BadRequest
from webapp.services.common.uow import unit_of_work
from webapp.services.common.uploads import download

EXPORT_QUERY: tuple[params.Param, ...] = (
    params.Whole("version", "The version to export (default: the current one; a service never published "
                            "exports its draft)", low=1, high=10**6, default=None),
)
ZIP = "application/zip"


class DraftSchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": ["draft", "published", "archived"]})
    revision = fields.Integer(required=True, metadata={"description": "bumped by every save of the draft"})
    current_version = fields.Integer(required=True, allow_none=True,
                                     metadata={"description": "the published version citizens apply on"})
    changed = fields.Boolean(required=True, metadata={"description": "the draft differs from that version"})
    files = fields.Method("file_names", required=True, metadata={"description": "the files of the service folder"})

    def file_names(self, draft: workshop.Draft) -> list[str]:
        return sorted(draft.files)


class DefinitionProblemSchema(Schema):
    file = fields.String(required=True, metadata={"description": "the file of the service folder, as service.yaml "
                                                                 "names it; empty when it concerns no one file"})
    element = fields.String(required=True, allow_none=True, metadata={"description": "the BPMN element's id"})
    message = fields.String(required=True)


class DefinitionProblemsSchema(Schema):
    type = fields.String(required=True, metadata={"enum": ["definition_error"]})
    title = fields.String(required=True)
    status = fields.Integer(required=True, metadata={"enum": [422]})
    description = fields.String(required=True)
    errors = fields.List(fields.Nested(DefinitionProblemSchema), required=True)


class PublishedSchema(Schema):
    version = fields.Integer(attribute="version", required=True)


class VersionSchema(Schema):
    version = fields.Integer(required=True)
    published_at = UtcDateTime(required=True)
    published_by = fields.String(required=True, allow_none=True)
    current = fields.Boolean(required=True, metadata={"description": "the version new applications start on"})


def _admin() -> Any:
    user = current_user()
    policy.require_workshop(user, tenant(), edit=True)
    return user


@bp.post("/admin/services/import")
def import_service() -> Response:
    user = _admin()
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest("Manca il file: invialo come campo multipart 'file' (un archivio zip).")
    data = upload.read(workshop.MAX_ZIP_BYTES + 1)
    with unit_of_work():
        draft = workshop.import_zip(tenant(), user, data)
    response = jsonify(shared(DraftSchema).dump(draft))
    response.status_code = 201
    return response


@bp.post("/admin/services/<slug>/publish")
def publish_service(slug: str) -> Response:
    user = _admin()
    with unit_of_work():
        version = workshop.publish(tenant(), user, slug)
        number = version.version
    response = jsonify({"version": number})
    response.status_code = 201
    return response


@bp.get("/admin/services/<slug>/versions")
def service_versions(slug: str) -> Response:
    _admin()
    return jsonify(shared(VersionSchema, many=True).dump(workshop.versions(tenant(), slug)))


@bp.get("/admin/services/<slug>/export")
def export_service(slug: str) -> Response:
    _admin()
    values = params.read_all(EXPORT_QUERY)
    name, content = workshop.export_zip(tenant(), slug, values["version"])
    return download(content, ZIP, name)
