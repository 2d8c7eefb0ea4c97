"""Marshmallow schemas: the API's payloads, and the source of its OpenAPI document."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import url_for
from marshmallow import Schema, fields, validate

from webapp.services import jobs, outbound
from webapp.services.applications import MAX_MESSAGE_CHARS, Application, is_overdue
from webapp.services.catalogue import Service
from webapp.services.common import statuses
from webapp.services.common.localtime import aware


class UtcDateTime(fields.DateTime):
    """A moment with its offset, as `date-time` promises: the demo's SQLite hands back naive UTC ones."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        text = super()._serialize(aware(value) if value is not None else None, attr, obj, **kwargs)
        return None if text is None else str(text)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, description: str = "") -> dict[str, Any]:
    """Metadata for a computed field: an array of a named schema."""
    meta: dict[str, Any] = {"type": "array", "items": _ref(name)}
    return {**meta, "description": description} if description else meta


class FieldErrorSchema(Schema):
    pointer = fields.String(required=True, metadata={"description": "JSON pointer to the field, e.g. /data/email"})
    message = fields.String(required=True)
    code = fields.String(required=True, metadata={"example": "required"})


class ErrorSchema(Schema):
    """Every error answer. Some carry one more field: the ones listed after `errors`."""

    type = fields.String(required=True, metadata={"enum": ["error", "validation_error"]})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    description = fields.String(metadata={"description": "absent in validation errors"})
    errors = fields.List(fields.Nested(FieldErrorSchema), validate=validate.Length(max=50),
                         metadata={"description": "validation errors: the field problems (at most 50)"})
    application_status = fields.Integer(allow_none=True,
                                        metadata={"description": "409: the application's status code"})
    operator = fields.String(metadata={"description": "409 on assign: who already holds the application"})
    current_version = fields.Integer(metadata={"description": "409 on a stale version: the current one"})
    retry_after = fields.Integer(metadata={"description": "429: seconds to wait (also the Retry-After header)"})


class AuthRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    otp = fields.String(load_only=True, validate=validate.Length(max=40), metadata={
        "description": "staff with the second factor: the authenticator app's code (or a recovery code)"})


class TokenSchema(Schema):
    token = fields.String(required=True)


class ServiceSchema(Schema):
    id = fields.UUID(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(allow_none=True)
    version = fields.Function(lambda s: s.current_version.version, metadata={"type": "integer"})
    description = fields.Function(lambda s: (s.current_version.manifest.get("texts") or {}).get("description"),
                                  metadata={"type": "string", "nullable": True})
    texts = fields.Function(lambda s: s.current_version.manifest.get("texts") or {}, metadata={"type": "object"})
    options = fields.Function(lambda s: s.current_version.options, metadata={"type": "object"})
    max_response_time = fields.Function(
        lambda s: (s.current_version.options or {}).get("max_response_time"),
        metadata={"type": "integer", "nullable": True,
                  "description": "days within which an application is concluded, from its receipt"})


class FormStepSchema(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    field_names = fields.List(fields.String(), required=True, data_key="fields")


class FormUiSchema(Schema):
    steps = fields.List(fields.Nested(FormStepSchema), required=True)
    widgets = fields.Dict(required=True)
    help = fields.Dict(required=True)


class ServiceFormSchema(Schema):
    title = fields.String(required=True)
    schema = fields.Dict(required=True, metadata={"description": "the form's JSON Schema"})
    ui = fields.Nested(FormUiSchema, required=True)


class CalendarSchema(Schema):
    id = fields.UUID(required=True)
    title = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["time_fixed_slots", "time_variable_slots"]})
    office_id = fields.UUID(allow_none=True)
    location = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    rolling_days = fields.Integer(metadata={"description": "Bookable horizon in days"})
    minimum_scheduling_notice = fields.Integer(metadata={"description": "Hours"})
    allow_cancel_days = fields.Integer()
    drafts_duration = fields.Integer(metadata={"description": "Seconds a booking in progress holds its slot"})
    drafts_duration_increment = fields.Integer(metadata={"description": "Extra seconds while a payment is due"})
    is_moderated = fields.Boolean()
    allow_overlaps = fields.Boolean()


HOUR = {"pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "09:30"}  # office hours, as the pages show them


class OpeningHourSchema(Schema):
    id = fields.UUID(required=True)
    calendar_id = fields.UUID(required=True)
    name = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    days_of_week = fields.List(fields.Integer(), metadata={"description": "ISO weekdays, 1 = Monday"})
    begin_hour = fields.Time(format="%H:%M", metadata=HOUR)
    end_hour = fields.Time(format="%H:%M", metadata=HOUR)
    meeting_minutes = fields.Integer()
    interval_minutes = fields.Integer()
    meeting_queue = fields.Integer(metadata={"description": "Parallel meetings per slot"})
    is_moderated = fields.Boolean()


class LinkSchema(Schema):
    action = fields.String(required=True)
    description = fields.String(required=True)
    url = fields.String(required=True)


ACTION_LABELS = {
    "submit": "Invia",
    "assign": "Prendi in carico / assegna",
    "accept": "Approva",
    "reject": "Rigetta",
    "request-integration": "Richiedi integrazioni",
    "accept-integration": "Accetta integrazioni",
    "cancel-integration": "Rifiuta integrazioni",
    "withdraw": "Ritira pratica",
    "register": "Registra protocollo",
    "complete-payment": "Registra pagamento",
}


def _links(app: Application, actions: Sequence[str]) -> list[dict[str, Any]]:
    # url_for fills the tenant from the request (webapp.api's url_defaults).
    return [
        {"action": action, "description": ACTION_LABELS[action],
         "url": url_for("api.transition", app_id=app.id, action=action)}
        for action in actions
    ]


class ApplicationSchema(Schema):
    id = fields.UUID(required=True)
    service = fields.Function(lambda a: a.service.slug, metadata={"type": "string", "description": "slug"})
    service_id = fields.UUID()
    service_name = fields.Function(lambda a: a.service.name, metadata={"type": "string"})
    service_version = fields.Function(lambda a: a.service_version.version, metadata={"type": "integer"})
    user = fields.UUID(attribute="user_id")
    user_name = fields.String(attribute="applicant_name")
    applicant_fiscal_code = fields.String()
    status = fields.Function(lambda a: str(a.status), metadata={"type": "string", "pattern": "^[0-9]+$",
                                                                 "description": "status code, as text"})
    status_name = fields.Function(lambda a: statuses.app_label(a), metadata={"type": "string"})
    data = fields.Dict()
    created_at = UtcDateTime()
    submitted_at = UtcDateTime(allow_none=True)
    received_at = UtcDateTime(allow_none=True, metadata={"description": "when the ente received it"})
    taken_in_charge_at = UtcDateTime(allow_none=True, metadata={"description": "first taken in charge"})
    due_on = fields.Date(allow_none=True, metadata={
        "description": "latest completion date: the receipt's day plus the service's max_response_time"})
    overdue = fields.Function(lambda a: is_overdue(a), metadata={
        "type": "boolean", "description": "still open past due_on"})
    latest_status_change_at = UtcDateTime()
    protocol_number = fields.String(allow_none=True)
    protocol_document_id = fields.String(allow_none=True)
    protocol_numbers = fields.List(fields.Dict())
    outcome = fields.String(allow_none=True)
    outcome_motivation = fields.String(allow_none=True)
    operator = fields.Function(lambda a: a.operator.full_name if a.operator else None,
                               metadata={"type": "string", "nullable": True})
    office = fields.Function(lambda a: a.office.name if a.office else None,
                             metadata={"type": "string", "nullable": True})
    priority = fields.Integer()
    version = fields.Integer(metadata={"description": "send it back as If-Match to detect stale writes"})
    links = fields.Method("get_links", metadata=_list_of("Link", "transitions available to the caller"))
    payment_data = fields.Method("get_payments", metadata=_list_of("Payment", "payments and stamps"))
    incidents = fields.Method("get_incidents", metadata=_list_of("Incident", "failed background calls (staff only)"))

    def get_payments(self, app: Application) -> list[dict[str, Any]]:
        known = _dump_context().payments
        return shared(PaymentSchema, many=True).dump(known if known is not None else outbound.for_application(app))

    def get_incidents(self, app: Application) -> list[dict[str, Any]]:
        return shared(IncidentSchema, many=True).dump(jobs.incidents(app)) if _dump_context().staff else []

    def get_links(self, app: Application) -> list[dict[str, Any]]:
        return _links(app, _dump_context().actions)


class PaymentSchema(Schema):
    id = fields.UUID()
    application = fields.UUID(attribute="application_id")
    kind = fields.String(metadata={"enum": ["pagopa", "bollo"]})
    phase = fields.String(metadata={"enum": ["request", "release"]})
    status = fields.String()
    reason = fields.String()
    amount = fields.Integer(metadata={"description": "cents"})
    notice_number = fields.String(allow_none=True)
    iuv = fields.String(allow_none=True)
    expire_at = UtcDateTime(allow_none=True)
    paid_at = UtcDateTime(allow_none=True)
    stamp_identifier = fields.String(allow_none=True)


class IncidentSchema(Schema):
    id = fields.UUID()
    operation = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    created_at = UtcDateTime()


class ApplicationCreateSchema(Schema):
    service = fields.String(required=True, metadata={"description": "service uuid or slug"})
    data = fields.Dict(load_default=dict)


class ApplicationPatchSchema(Schema):
    data = fields.Dict(required=True)
    version = fields.Integer()


class HistorySchema(Schema):
    status_code = fields.Function(lambda h: str(h.status), metadata={"type": "string", "pattern": "^[0-9]+$"})
    status_name = fields.Function(lambda h: statuses.label(h.status), metadata={"type": "string"})
    event = fields.String()
    user = fields.String(attribute="actor_name")
    actor_type = fields.String()
    message = fields.String(attribute="note", allow_none=True)
    message_id = fields.UUID(allow_none=True)
    date = UtcDateTime(attribute="created_at")


class AttachmentInSchema(Schema):
    """A file in base64. Its type is read from the content, not from `mime_type`: one that is not a PDF,
    PNG, JPEG or P7M, or does not match the name's extension, is a 415."""

    name = fields.String(required=True, metadata={"minLength": 1, "description": "file name, with its extension"})
    mime_type = fields.String(metadata={"description": "informative only"})
    file = fields.String(required=True, metadata={"format": "byte", "minLength": 4,
                                                  "description": "the content, base64 (not empty)"})


class AttachmentSchema(Schema):
    id = fields.UUID()
    name = fields.String(attribute="original_filename")
    mime_type = fields.String()
    size = fields.Integer()
    kind = fields.String()
    created_at = UtcDateTime()


class MessageSchema(Schema):
    id = fields.UUID()
    author = fields.String(attribute="author_name")
    subject = fields.String(allow_none=True)
    message = fields.String(attribute="body")
    visibility = fields.String()
    created_at = UtcDateTime()
    attachments = fields.List(fields.Nested(AttachmentSchema))


# What messages.post_message takes: some text that is not only blanks, up to its limit.
# Python's strip() (what the server does) also removes the separators U+001C-U+001F, which JSON Schema's \S
# (ECMA-262) keeps: a text of those alone is empty for the server, so the pattern excludes them too.
MESSAGE_TEXT = {"minLength": 1, "maxLength": MAX_MESSAGE_CHARS, "pattern": r"[^\s\x1c-\x1f]"}


class MessageInSchema(Schema):
    message = fields.String(required=True, metadata=MESSAGE_TEXT)
    subject = fields.String()
    visibility = fields.String(metadata={"enum": ["applicant", "internal"]})
    attachments = fields.List(fields.Nested(AttachmentInSchema))


class TransitionSchema(Schema):
    """The union of the transition bodies; each action reads the fields it needs."""

    message = fields.String(metadata={"description": "required for reject and request-integration"})
    attachments = fields.List(fields.Nested(AttachmentInSchema))
    is_partial = fields.Boolean(metadata={"description": "accept: a partial approval (7100)"})
    # Named apart: a field called `partial` would hide marshmallow's own Schema.partial.
    partial_approval = fields.Boolean(data_key="partial", attribute="partial",
                                      metadata={"description": "accept: same as is_partial"})
    data = fields.Dict(metadata={"description": "submit from 4200: the changed form data"})
    operator_id = fields.UUID(metadata={"description": "assign: to this operator"})
    office_id = fields.UUID(metadata={"description": "assign: to this office (only)"})
    take_over = fields.Boolean(metadata={"description": "assign in 4000: take over from the holder"})
    messages = fields.List(fields.UUID(), allow_none=True, metadata={"description": "accept-integration"})
    payment = fields.Dict(metadata={"description": "accept: a deferred pagoPA payment {amount (cents), reason}"})
    stamps = fields.List(fields.Dict(), metadata={"description": "accept: stamps to provide [{reason, amount}]"})
    visibility = fields.String(metadata={"description": "complete-payment: internal (note) or applicant (message)"})
    protocol_number = fields.String(metadata={"description": "register"})
    protocol_document_id = fields.String()
    protocol_folder_number = fields.String()
    protocol_folder_code = fields.String()
    version = fields.Integer()


class ProtocolReportSchema(Schema):
    """What a register reports for one stage: its number and the moment it registered the document."""

    protocol_number = fields.String(required=True, metadata={"minLength": 1, "maxLength": 64,
                                                             "description": "the register's number"})
    registered_at = fields.AwareDateTime(required=True, metadata={
        "description": "when the register registered it, with its offset; its year (in Rome) is the number's"})
    protocol_document_id = fields.String(metadata={"maxLength": 128})
    protocol_folder_number = fields.String()
    protocol_folder_code = fields.String()


class ProtocolRegistrationSchema(Schema):
    """One registration: the stage, its own document (download it at /applications/{id}/attachments/{document})
    and, once registered, the number and date."""

    id = fields.UUID()
    stage = fields.String(metadata={"enum": ["application", "integration_request", "integration_answer", "outcome",
                                             "withdrawal"]})
    direction = fields.String(metadata={"enum": ["in", "out"]})
    handler = fields.String(metadata={"enum": ["builtin", "connector", "external"]})
    document = fields.UUID(attribute="attachment_id", allow_none=True)
    protocol_number = fields.String(attribute="number", allow_none=True)
    registered_at = UtcDateTime(allow_none=True)
    protocol_document_id = fields.String(attribute="document_id", allow_none=True)


S = TypeVar("S", bound=Schema)


@functools.cache
def shared(schema: type[S], *, many: bool = False) -> S:
    """The process's one instance of `schema` (building one costs more than a dump or a load with it): schemas
    keep nothing of a call, so the request threads share them."""
    return schema(many=many)


def service_payload(service: Service) -> dict[str, Any]:
    return shared(ServiceSchema).dump(service)


@dataclass(frozen=True)
class _DumpContext:
    """What one application's dump is told besides the application: the caller's actions, the payments when
    the caller read them already, whether the caller is staff."""

    actions: Sequence[str] = ()
    payments: Sequence[Any] | None = None
    staff: bool = False


# The schema is shared by the threads (`shared`): what each dump is told goes in a context variable, never on it.
_DUMPING: ContextVar[_DumpContext] = ContextVar("application_dump")


def _dump_context() -> _DumpContext:
    return _DUMPING.get(_DumpContext())


def application_payload(app: Application, actions: list[str], *, staff: bool = False,
                        payments: Sequence[Any] | None = None) -> dict[str, Any]:
    token = _DUMPING.set(_DumpContext(actions, payments, staff))
    try:
        return shared(ApplicationSchema).dump(app)
    finally:
        _DUMPING.reset(token)

