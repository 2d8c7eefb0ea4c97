"""The building blocks of the OpenAPI document: standard errors and headers, references, answers,
parameters and operations, used by the table of operations (openapi_paths) and the document (openapi)."""

from __future__ import annotations

from typing import Any

from webapp.api import params
from webapp.api.context import VERSION_TAG

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
