"""Callbacks from outside systems: signed (HMAC), idempotent, 4xx without changes when wrong."""

from __future__ import annotations

from flask import Response, g, jsonify, request

import connectors
from webapp.blueprints import tenant_blueprint
from webapp.services import applications, jobs, outbound

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
