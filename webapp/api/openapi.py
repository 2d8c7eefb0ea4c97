"""The OpenAPI 3 document, generated from the marshmallow schemas, the query parameters the routes read
(webapp.api.params) and the table of operations in openapi_paths. Served at /<tenant>/api/openapi.json."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, g, jsonify

from webapp.api import bp, params, routes_backoffice, routes_payments, schemas, schemas_answers
from webapp.api.context import VERSION_TAG

DESCRIPTION = """\
Servizi digitali del Comune, compatibile con le API di OpenCity (Stanza del Cittadino).

Authentication: `POST /auth` with a username and password gives a JWT; send it as `Authorization: Bearer
<token>`. Catalogue and calendar reads are public. Moments are RFC 3339 date-times with their offset
(UTC). Text in bodies and parameters never contains NUL characters (a 400). Errors share one shape
(`Error`); validation errors list their field problems in `errors`. A method an address does not take
is a 405 with an `Allow` header."""

# Each error status, once: what it means across the API (operations add their own cases in summaries).
ERRORS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Invalid input: not a JSON object, a parameter or field the API does not take "
                        "(validation errors list them in `errors`)"),
    401: ("Unauthorized", "No token, or a token that is invalid, expired or revoked; or wrong credentials"),
    403: ("Forbidden", "The caller may see the object but not do this (e.g. a citizen on an operators' call)"),
    404: ("NotFound", "No such object, or one the caller may not see (another citizen's or tenant's)"),
    409: ("Conflict", "Not allowed in the current status, a stale version, or in use by another request "
                      "(the body tells which: `application_status`, `current_version`, `operator`)"),
    413: ("PayloadTooLarge", "The body, or an attachment in it, is over the size limit"),
    415: ("UnsupportedMediaType", "An attachment's content is not an admitted type (PDF, PNG, JPEG, P7M) or "
                                 "does not match its name"),
    422: ("UnprocessableEntity", "The service's process could not go on; nothing was saved"),
    429: ("TooManyRequests", "Too many failed logins: wait `Retry-After` seconds"),
}
HEADERS: dict[str, dict[str, Any]] = {
    "Location": {"description": "Address of the new object", "schema": {"type": "string"}},
    "ETag": {"description": "The version, for If-Match", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 0}},
    "Content-Disposition": {"description": "attachment, with the file name", "schema": {"type": "string"}},
}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "description": "The version the client saw (from ETag or `version`): an older one is a 409",
            "schema": {"type": "string", "pattern": f"^{VERSION_TAG.pattern}$"}}


# --- Building blocks of the table -----------------------------------------------------------

def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> dict[str, Any]:
    return {"type": "array", "items": ref(name)}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def answer(description: str, schema: dict[str, Any] | None = None, *, headers: tuple[str, ...] = (),
           content: dict[str, Any] | None = None) -> dict[str, Any]:
    """A success response: JSON of `schema`, or other `content`, or nothing."""
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = json_content(schema)
    if content is not None:
        response["content"] = content
    if headers:
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in headers}
    return response


def path_param(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A path parameter; by default a uuid (the server answers 404 to anything else)."""
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema or {"type": "string", "format": "uuid"}}


def operation(summary: str, responses: dict[int, dict[str, Any]], errors: tuple[int, ...] = (), *,
              body: str | None = None, body_required: bool = True, query: tuple[params.Param, ...] = (),
              headers: tuple[dict[str, Any], ...] = (), public: bool = False,
              description: str | None = None) -> dict[str, Any]:
    """One operation: its success responses, the error statuses it can answer, its inputs. A secured one
    can also answer 401 (no valid token); one with a body 400 and 413 (invalid or too large)."""
    codes = set(errors) | ({401} if not public else set()) | ({400, 413} if body else set())
    codes |= {400} if query else set()
    result: dict[str, Any] = {
        "summary": summary,
        "responses": {**{str(code): value for code, value in responses.items()},
                      **{str(code): {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in sorted(codes)}},
    }
    if description:
        result["description"] = description
    inputs = [param.openapi() for param in query] + list(headers)
    if inputs:
        result["parameters"] = inputs
    if body:
        result["requestBody"] = {"required": body_required, "content": json_content(ref(body))}
    if not public:
        result["security"] = [{"bearer": []}]
    return result


# --- The document --------------------------------------------------------------------------

SCHEMAS = {
    **{name: getattr(schemas, f"{name}Schema") for name in (
        "Error", "FieldError", "Attachment", "AttachmentIn", "AuthRequest", "Token", "Service", "ServiceForm",
        "Link", "Payment", "Incident", "Application", "ApplicationCreate", "ApplicationPatch", "History",
        "Transition", "Message", "MessageIn", "Calendar", "OpeningHour")},
    **{name: getattr(schemas_answers, f"{name}Schema") for name in (
        "ApplicationList", "BackofficeRow", "BackofficeList", "Office", "AvailableDay", "Slot", "CheckoutUrl")},
    "NoteIn": routes_backoffice.NoteInSchema,
    "Checkout": routes_payments.CheckoutSchema,
    "Stamp": routes_payments.StampSchema,
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
    from webapp.api.openapi_paths import paths

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
