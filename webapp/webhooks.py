"""Callbacks from outside systems: signed (HMAC), idempotent, 4xx without changes when wrong."""

from __future__ import annotations

from flask import Response, g, jsonify, request

import connectors
from webapp.blueprints import tenant_blueprint
from webapp.services import applications, jobs, outbound
from webapp.services.common.errors import DomainError

bp = tenant_blueprint("webhooks", "webapp.webhooks", "/webhooks")


RECEIPT_BODY_LIMIT = 64 * 1024  # a receipt or a protocol confirmation is a small JSON document


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = RECEIPT_BODY_LIMIT


@bp.post("/protocol")
def protocol_callback() -> Response:
    """An external register confirms a registration we asked for (keyed by our call id)."""
    body = request.get_data(cache=False)
    event = jobs.verify_callback(body, request.headers.get(connectors.SIGNATURE_HEADER))
    return jsonify({"outcome": jobs.receive_protocol_callback(g.tenant, event)})


@bp.post("/pagopa")
def pagopa_receipt() -> Response:
    """A payment receipt: verified, then applied once however many times it arrives."""
    body = request.get_data(cache=False)
    receipt = outbound.verify_receipt(body, request.headers.get(connectors.SIGNATURE_HEADER))
    outcome = applications.receive_receipt(g.tenant, receipt)
    return jsonify({"outcome": outcome})


# The EC-side fault codes (pagoPA's "domino EC" catalogue) for what we refuse; the HTTP status says it too.
RT_FAULTS = {400: "PAA_SINTASSI_XSD", 401: "PAA_SYSTEM_ERROR", 404: "PAA_PAGAMENTO_SCONOSCIUTO",
             422: "PAA_SEMANTICA"}


@bp.post("/pagopa/paSendRT")
def pagopa_pa_send_rt() -> Response:
    """pagoPA's own receipt (SOAP paSendRT / paSendRTV2 to our station): OK once applied and again for a
    resent one; KO with a fault code, and nothing changed, when it is not ours or not right."""
    body = request.get_data(cache=False)
    version, id_pa = "paSendRTV2", ""
    try:
        sent = outbound.verify_pa_send_rt(g.tenant, body, request.headers.get(connectors.payments.RT_KEY_HEADER))
        version, id_pa = sent.version, sent.id_pa
        applications.receive_receipt(g.tenant, sent.receipt, "paSendRT")
    except DomainError as exc:
        answer = connectors.payments.pa_send_rt_response(
            version, fault_code=RT_FAULTS.get(exc.status, "PAA_SYSTEM_ERROR"), fault_string=exc.title,
            id_pa=id_pa, description=exc.description)
        return Response(answer, status=exc.status, mimetype="text/xml")
    return Response(connectors.payments.pa_send_rt_response(version), status=200, mimetype="text/xml")
