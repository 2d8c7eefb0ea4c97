"""The OpenAPI 3 document, generated from the marshmallow schemas, the query parameters the routes read
(webapp.api.params) and the table of operations in openapi_paths. Served at /<tenant>/api/openapi.json."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, g, jsonify

from webapp.api import (
    routes_admin,
    routes_backoffice,
    routes_payments,
    routes_settings,
    routes_tasks,
    schemas,
    schemas_answers,
)
from webapp.api.blueprint import bp
from webapp.api.openapi_parts import ERRORS, HEADERS, json_content, ref
from webapp.api.openapi_paths import paths

DESCRIPTION = """\
Servizi digitali del Comune, compatibile con le API di OpenCity (Stanza del Cittadino).

Authentication: `POST /auth` with a username and password gives a JWT; send it as `Authorization: Bearer
<token>`. Catalogue and calendar reads are public. Moments are RFC 3339 date-times with their offset
(UTC). Text in bodies and parameters never contains NUL characters (a 400). Errors share one shape
(`Error`); validation errors list their field problems in `errors`. A method an address does not take
is a 405 with an `Allow` header."""

# Each error status, once: what it means across the API (operations add their own cases in summaries).
# --- The document --------------------------------------------------------------------------

SCHEMAS = {
    **{name: getattr(schemas, f"{name}Schema") for name in (
        "Error", "FieldError", "Attachment", "AttachmentIn", "AuthRequest", "Token", "Service", "ServiceForm",
        "Link", "Payment", "Incident", "Application", "ApplicationCreate", "ApplicationPatch", "History",
        "Transition", "Message", "MessageIn", "Calendar", "OpeningHour", "ProtocolReport",
        "ProtocolRegistration")},
    **{name: getattr(schemas_answers, f"{name}Schema") for name in (
        "ApplicationList", "BackofficeRow", "BackofficeList", "Office", "AvailableDay", "Slot", "CheckoutUrl")},
    "NoteIn": routes_backoffice.NoteInSchema,
    "Checkout": routes_payments.CheckoutSchema,
    "Stamp": routes_payments.StampSchema,
    "Task": routes_tasks.TaskSchema,
    "TaskList": routes_tasks.TaskListSchema,
    "TaskCompletion": routes_tasks.TaskCompletionSchema,
    "Draft": routes_admin.DraftSchema,
    "Published": routes_admin.PublishedSchema,
    "Version": routes_admin.VersionSchema,
    "DefinitionProblems": routes_admin.DefinitionProblemsSchema,
    "DefinitionProblem": routes_admin.DefinitionProblemSchema,
    "EnteSettings": routes_settings.EnteSettingsSchema,
    "EnteSettingsIn": routes_settings.EnteSettingsInSchema,
    "SmtpOut": routes_settings.SmtpOutSchema,
    "SmtpIn": routes_settings.SmtpInSchema,
}


def _schema_name(schema: Any) -> str:
    """Nested schemas are named as registered (FieldError, not FieldError1)."""
    cls = schema if isinstance(schema, type) else type(schema)
    for name, registered in SCHEMAS.items():
        if registered is cls:
            return name
    return cls.__name__.removesuffix("Schema")


@cache
def document(tenant_slug: str) -> dict[str, Any]:

    spec = APISpec(title="Servizi digitali API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   servers=[{"url": f"/{tenant_slug}/api"}], info={"description": DESCRIPTION})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    for name, schema in SCHEMAS.items():
        if name not in spec.components.schemas:  # a nested one is registered by its first user
            spec.components.schema(name, schema=schema)
    for code, (name, text) in ERRORS.items():
        error: dict[str, Any] = {"description": text, "content": json_content(ref("Error"))}
        if code == 429:
            error["headers"] = {"Retry-After": {"$ref": "#/components/headers/Retry-After"}}
        spec.components.response(name, error)
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    for path, (path_params, operations) in paths().items():
        spec.path(path=path, operations=operations, parameters=path_params or None)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(g.tenant.slug))
