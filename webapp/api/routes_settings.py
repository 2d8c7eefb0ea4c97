"""The ente's settings for its administrators: GET and PUT /<tenant>/api/admin/settings. Other staff get 403,
citizens 404 (as the admin services API). Secrets are write-only: the answer says whether one is set."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema, fields

from webapp.api.blueprint import bp
from webapp.api.context import current_user, tenant
from webapp.services import settings
from webapp.services.common.errors import BadRequest
from webapp.services.common.uow import unit_of_work

TEXT_RULES = ("Rich text (HTML): only p, br, strong, em, b, i, u, lists, h2-h4, blockquote, abbr, tables and "
              "links (http, https, mailto, tel) are kept; scripts, styles, event attributes and images are removed.")

FLAGS = {
    "privacy_text_published": "the privacy notice is published (false: shown marked as a draft); publishing "
                              "without a privacy_text of the ente's own keeps the platform's draft as its text",
    "accessibility_text_published": "the accessibility statement is published (false: shown as a draft), as above",
    "pnrr_funded": "the ente's services are PNRR-funded: the footer shows the 'Finanziato dall'Unione europea - "
                   "NextGenerationEU' emblem",
}


class SmtpOutSchema(Schema):
    host = fields.String(required=True, allow_none=True)
    port = fields.Integer(required=True, allow_none=True)
    username = fields.String(required=True, allow_none=True)
    security = fields.String(required=True, allow_none=True, metadata={"enum": ["starttls", "ssl", "none", None]})
    password_set = fields.Boolean(required=True, metadata={"description": "a password is stored (never shown)"})


class SmtpInSchema(Schema):
    host = fields.String(allow_none=True, metadata={"description": "empty or null: the platform's mail server"})
    port = fields.Integer(allow_none=True)
    username = fields.String(allow_none=True)
    security = fields.String(allow_none=True, metadata={"enum": ["starttls", "ssl", "none"]})
    password = fields.String(allow_none=True, load_only=True,
                             metadata={"description": "write-only: replaces the stored one; empty or null removes it"})


def _plain_fields(required: bool) -> dict[str, Any]:
    made: dict[str, Any] = {}
    for key, kind in settings.PLAIN.items():
        meta: dict[str, Any] = {}
        if kind == "rich":
            meta["description"] = TEXT_RULES
        elif kind == "url":
            meta["format"] = "uri"
        elif kind == "email":
            meta["format"] = "email"
        elif kind == "service":
            meta["description"] = "the slug of one of the ente's services (its page is the link)"
        if kind == "flag":
            made[key] = fields.Boolean(required=required, allow_none=not required, metadata={"description": FLAGS[key]})
            continue
        made[key] = fields.String(required=required, allow_none=key != "name", metadata=meta)
    return made


EnteSettingsSchema = Schema.from_dict({
    **_plain_fields(True),
    "smtp": fields.Nested(SmtpOutSchema, required=True),
    "app_io_services": fields.List(fields.String(), required=True,
                                   metadata={"description": "the services with an App IO key (never shown)"}),
    "email_templates": fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                                   metadata={"description": "the ente's e-mail texts, keyed "
                                                            "<template>[.<status>].<language>"}),
    "logo": fields.Boolean(required=True, metadata={"description": "a logo is set (GET /<tenant>/logo)"}),
}, name="EnteSettings")

EnteSettingsInSchema = Schema.from_dict({
    **_plain_fields(False),
    "smtp": fields.Nested(SmtpInSchema, allow_none=True, metadata={"description": "null: no own mail server"}),
    "app_io_keys": fields.Dict(keys=fields.String(), values=fields.String(allow_none=True), metadata={
        "description": "write-only: service slug -> its App IO key; empty or null removes it"}),
    "email_templates": fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "replaces all the ente's texts; an empty text gives the platform's back"}),
}, name="EnteSettingsIn")


@bp.get("/admin/settings")
def get_settings() -> Response:
    settings.require_admin(current_user(), tenant())
    return jsonify(settings.public_view(tenant()))


@bp.put("/admin/settings")
def put_settings() -> Response:
    body = request.get_json(silent=True)
    user = current_user()
    settings.require_admin(user, tenant())
    if not isinstance(body, dict):
        raise BadRequest("Il corpo della richiesta deve essere un oggetto JSON.")
    with unit_of_work():
        settings.update_settings(tenant(), user, body)
    return jsonify(settings.public_view(tenant()))
