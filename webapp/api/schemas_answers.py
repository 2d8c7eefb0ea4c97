"""Schemas of the answers that wrap others (list envelopes) or are built by the routes themselves: the
routes dump through them, so what the document says is what is sent."""

from __future__ import annotations

from marshmallow import Schema, fields

from webapp.api.schemas import HOUR, ApplicationSchema, UtcDateTime


class PagingSchema(Schema):
    offset = fields.Integer(required=True)
    limit = fields.Integer(required=True)


class ListMetaSchema(Schema):
    count = fields.Integer(required=True, metadata={"description": "all the matches, not just this page"})
    parameter = fields.Nested(PagingSchema, required=True)


class ListLinksSchema(Schema):
    self = fields.String(required=True)
    prev = fields.String(required=True, allow_none=True)
    next = fields.String(required=True, allow_none=True)


class ApplicationListSchema(Schema):
    meta = fields.Nested(ListMetaSchema, required=True)
    links = fields.Nested(ListLinksSchema, required=True)
    data = fields.List(fields.Nested(ApplicationSchema), required=True)


class BackofficeRowSchema(Schema):
    id = fields.UUID(required=True)
    service = fields.Function(lambda a: a.service.slug, required=True, metadata={"type": "string"})
    service_name = fields.Function(lambda a: a.service.name, required=True, metadata={"type": "string"})
    authentication = fields.String(attribute="auth_method", required=True)
    user_name = fields.String(attribute="applicant_name", required=True)
    applicant_fiscal_code = fields.String(required=True)
    submitted_at = UtcDateTime(required=True, allow_none=True)
    latest_status_change_at = UtcDateTime(required=True)
    status = fields.Function(lambda a: str(a.status), required=True, metadata={"type": "string", "pattern": "^[0-9]+$"})
    operator = fields.Function(lambda a: a.operator.full_name if a.operator else None, required=True,
                               metadata={"type": "string", "nullable": True})
    office = fields.Function(lambda a: a.office.name if a.office else None, required=True,
                             metadata={"type": "string", "nullable": True})
    priority = fields.Integer(required=True)
    version = fields.Integer(required=True)


class BackofficeParametersSchema(PagingSchema):
    """The search as the server understood it: the values it applied."""

    q = fields.String()
    service = fields.String()
    status = fields.Integer()
    handling = fields.String()
    period = fields.String()
    from_ = fields.Date(attribute="from", data_key="from")
    to = fields.Date()
    sort = fields.String(required=True)
    dir = fields.String(required=True)
    fields_ = fields.List(fields.String(), attribute="fields", data_key="fields")


class BackofficeMetaSchema(Schema):
    count = fields.Integer(required=True)
    parameter = fields.Nested(BackofficeParametersSchema, required=True)


class BackofficeListSchema(Schema):
    meta = fields.Nested(BackofficeMetaSchema, required=True)
    data = fields.List(fields.Nested(BackofficeRowSchema), required=True)


class OfficeSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)


class AvailableDaySchema(Schema):
    date = fields.Date(required=True)
    available = fields.Boolean(required=True, metadata={"description": "at least one free place that day"})


class SlotSchema(Schema):
    date = fields.Date(attribute="day", required=True)
    start_time = fields.Time(attribute="start", format="%H:%M", required=True, metadata=HOUR)
    end_time = fields.Time(attribute="end", format="%H:%M", required=True, metadata=HOUR)
    slots_available = fields.Integer(attribute="available", required=True, metadata={"description": "free places"})
    opening_hour = fields.UUID(attribute="opening_hour_id", required=True)
    availability = fields.Function(lambda s: s.available > 0, required=True, metadata={"type": "boolean"})


class CheckoutUrlSchema(Schema):
    url = fields.String(required=True, metadata={"description": "pagoPA checkout page to send the citizen to"})
