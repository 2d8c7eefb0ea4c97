"""Payments through the API: list, notice PDF, checkout of up to 5 notices, stamps; incidents retry."""

from __future__ import annotations

from flask import Response, jsonify, url_for
from marshmallow import Schema, fields, validate

from webapp.api.blueprint import bp
from webapp.api.context import current_user, json_body, load, tenant
from webapp.api.schemas import PaymentSchema, shared
from webapp.services import applications, outbound, screens
from webapp.services.common import policy, uploads


class CheckoutSchema(Schema):
    payments = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=5))


class StampSchema(Schema):
    identifier = fields.String(required=True)
    issued_on = fields.String(required=True, metadata={"description": "AAAA-MM-GG"})


@bp.get("/payments")
def list_payments() -> Response:
    return jsonify(shared(PaymentSchema, many=True).dump(outbound.list_payments(tenant(), current_user())))


@bp.get("/applications/<app_id>/payment")
def application_payments(app_id: str) -> Response:
    app = policy.get_application(current_user(), tenant(), app_id)
    return jsonify(shared(PaymentSchema, many=True).dump(outbound.for_application(app)))


@bp.get("/payments/<payment_id>/notice.pdf")
def notice_pdf(payment_id: str) -> Response:
    payment = outbound.get_payment(tenant(), current_user(), payment_id)
    return uploads.download(outbound.notice_pdf(tenant(), payment), "application/pdf",
                            f"avviso-{payment.notice_number}.pdf")


@bp.get("/payments/<payment_id>/receipt.pdf")
def receipt_pdf(payment_id: str) -> Response:
    payment = outbound.get_payment(tenant(), current_user(), payment_id)
    return uploads.download(outbound.receipt_pdf(tenant(), payment), "application/pdf",
                            f"ricevuta-{payment.notice_number}.pdf")


@bp.post("/payments/checkout")
def checkout() -> Response:
    body = load(shared(CheckoutSchema), json_body())
    back = url_for("api.list_payments", _external=True)
    return jsonify({"url": outbound.checkout_url(tenant(), current_user(), body["payments"], back)})


@bp.post("/payments/<payment_id>/stamp")
def provide_stamp(payment_id: str) -> Response:
    body = load(shared(StampSchema), json_body())
    payment = applications.provide_stamp(tenant(), current_user(), payment_id, body["identifier"],
                                           body["issued_on"])
    return jsonify(shared(PaymentSchema).dump(payment))


@bp.post("/applications/<app_id>/incidents/<call_id>/retry")
def retry_incident(app_id: str, call_id: str) -> Response:
    screens.retry_incident(tenant(), current_user(), app_id, call_id)
    return Response(status=202)
