"""The OpenAPI 3 document, generated from the marshmallow schemas."""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, g, jsonify

from webapp.api import bp, routes_payments, schemas

ERRORS = {code: {"description": text, "content": {"application/json": {"schema": "Error"}}}
          for code, text in {400: "Invalid input", 401: "No valid token", 403: "Not allowed",
                             404: "Not found (also: another tenant's or citizen's object)",
                             409: "Not allowed in the current status, stale version, or in use",
                             413: "Body too large"}.items()}


def _json(schema: str | dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: dict[str, Any], body: str | None = None, *, secured: bool = True) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": summary, "responses": {**ok, **ERRORS}}
    if body:
        operation["requestBody"] = {"required": True, **_json(body)}
    if secured:
        operation["security"] = [{"bearer": []}]
    return operation


PATHS: dict[str, dict[str, Any]] = {
    "/auth": {"post": _op("Get a JWT", {"200": _json("Token")}, "AuthRequest", secured=False)},
    "/services": {"get": _op("List services", {"200": _json({"type": "array", "items": "Service"})},
                             secured=False)},
    "/services/{id}": {"get": _op("One service (uuid or slug)", {"200": _json("Service")}, secured=False)},
    "/services/{id}/form": {"get": _op("The service's JSON-schema form", {"200": _json({"type": "object"})},
                                       secured=False)},
    "/applications": {
        "get": _op("List applications (filters: service, status, createdAt[after|before], "
                   "updatedAt[...], submittedAt[...], offset, limit<=100)", {"200": _json({"type": "object"})}),
        "post": _op("Create a draft", {"201": _json("Application")}, "ApplicationCreate"),
    },
    "/applications/{id}": {
        "get": _op("One application", {"200": _json("Application")}),
        "patch": _op("Change a draft's data", {"200": _json("Application")}, "ApplicationPatch"),
    },
    "/applications/{id}/history": {"get": _op("Status history", {"200": _json({"type": "array",
                                                                                "items": "History"})})},
    "/applications/{id}/transition/{action}": {"post": _op(
        "submit | assign | request-integration | accept-integration | cancel-integration | accept | "
        "reject | withdraw | register", {"204": {"description": "Done"}}, "Transition")},
    "/applications/{id}/messages": {
        "get": _op("Messages", {"200": _json({"type": "array", "items": "Message"})}),
        "post": _op("Send a message", {"201": _json("Message")}, "MessageIn"),
    },
    "/applications/{id}/attachments": {"post": _op("Upload a form file", {"201": _json("Attachment")},
                                                   "AttachmentIn")},
    # Payments and incidents (issue 5)
    "/payments": {"get": _op("The caller's payments", {"200": _json({"type": "array", "items": "Payment"})})},
    "/applications/{id}/payment": {"get": _op("Payments and stamps of an application",
                                              {"200": _json({"type": "array", "items": "Payment"})})},
    "/payments/{id}/notice.pdf": {"get": _op("The pagoPA notice (avviso di pagamento) as PDF",
                                             {"200": {"description": "PDF", "content": {"application/pdf": {}}}})},
    "/payments/checkout": {"post": _op("Open a pagoPA checkout for 1..5 due notices: {payments: [id]} -> {url}",
                                       {"200": _json({"type": "object"})}, "Checkout")},
    "/payments/{id}/stamp": {"post": _op("Provide a requested marca da bollo {identifier, issued_on}",
                                         {"200": _json("Payment")}, "Stamp")},
    "/applications/{id}/incidents/{call_id}/retry": {"post": _op(
        "Retry a failed background call (operators)", {"202": {"description": "Queued"}})},
    # Back office (issue 4)
    "/applications/{id}/notes": {
        "get": _op("Private notes (operators only; never shown to the citizen)",
                   {"200": _json({"type": "array", "items": "Message"})}),
        "post": _op("Add a private note: {message, attachments[]}", {"201": _json("Message")}, "MessageIn"),
    },
    "/backoffice/applications": {"get": _op(
        "The back-office list (operators): q (applicant name, fiscal code or id), service, status, handling "
        "(office|mine|waiting), period (today|yesterday|this_week|last_week|this_month|last_month|custom with "
        "from/to), sort (latest_status_change_at|submitted_at|created_at|applicant_name|status|priority), "
        "dir (asc|desc), offset, limit<=100; drafts are never listed", {"200": _json({"type": "object"})})},
    "/calendars": {"get": _op("Calendars of the ente's offices", {"200": _json({"type": "array",
                                                                                 "items": "Calendar"})},
                              secured=False)},
    "/calendars/{id}": {"get": _op("One calendar", {"200": _json("Calendar")}, secured=False)},
    "/calendars/{id}/opening-hours": {"get": _op("Its opening hours", {"200": _json({
        "type": "array", "items": "OpeningHour"})}, secured=False)},
    "/calendars/{id}/availabilities": {"get": _op(
        "Days with free slots: [{date, available}]; from_time, to_time (YYYY-MM-DD, default the bookable "
        "window), available=true", {"200": _json({"type": "array", "items": {"type": "object"}})}, secured=False)},
    "/calendars/{id}/availabilities/{date}": {"get": _op(
        "Slots of a day: [{date, start_time, end_time, slots_available, opening_hour, availability}]",
        {"200": _json({"type": "array", "items": {"type": "object"}})}, secured=False)},
    "/user-groups": {"get": _op("Offices of the ente (operators only)",
                                {"200": _json({"type": "array", "items": {"type": "object"}})})},
}


@cache
def _document(tenant_slug: str) -> dict[str, Any]:
    spec = APISpec(title="Servizi digitali API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], servers=[{"url": f"/{tenant_slug}/api"}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    # Nested schemas first: apispec registers them on first use under the same names.
    for name in ("Error", "Attachment", "AttachmentIn", "AuthRequest", "Token", "Service", "Application",
                 "ApplicationCreate", "ApplicationPatch", "History", "Transition", "Message", "MessageIn",
                 "Payment", "Incident", "Calendar", "OpeningHour"):
        spec.components.schema(name, schema=getattr(schemas, f"{name}Schema"))
    spec.components.schema("Checkout", schema=routes_payments.CheckoutSchema)
    spec.components.schema("Stamp", schema=routes_payments.StampSchema)
    for path, operations in PATHS.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(_document(g.tenant.slug))
