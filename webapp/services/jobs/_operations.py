"""What each service-task operation does, in three steps a worker runs in order:

prepare  (in a transaction)   decide what to send and store it on the call, so a retry sends the same
call     (no transaction)     talk to the outside system through a connector, idempotently
apply    (in a transaction)   record the outcome and return the result the process continues with

Internal operations have only `apply`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import connectors
from webapp.models import Application, ServiceCallRow
from webapp.services import applications, outbound
from webapp.services.common.options import options_of
from webapp.services.common.uploads import Upload, read_stored, store_attachment
from webapp.services.outbound import register_document

from ._receipts import render_receipt

Prepared = dict[str, Any]


@dataclass(frozen=True)
class Operation:
    apply: Callable[[Application, ServiceCallRow, Prepared | None], dict[str, Any]]
    prepare: Callable[[Application, ServiceCallRow], Prepared] | None = None
    call: Callable[[Prepared], Prepared] | None = None


PROTOCOL_KINDS = {
    "protocol.register_application": (connectors.Direction.INBOUND, "application", "Istanza"),
    "protocol.register_integration_request": (
        connectors.Direction.OUTBOUND, "integration", "Richiesta di integrazioni"),
    "protocol.register_integration_answer": (connectors.Direction.INBOUND, "integration", "Integrazioni"),
    "protocol.register_outcome": (connectors.Direction.OUTBOUND, "outcome", "Esito"),
    "protocol.register_withdrawal": (connectors.Direction.INBOUND, "withdrawal", "Ritiro"),
}


def _generate_receipt(app: Application, row: ServiceCallRow, _: Prepared | None) -> dict[str, Any]:
    content = render_receipt(app)
    attachment = store_attachment(app, Upload(f"ricevuta-{app.id}.pdf", content), None, "compiled_form_pdf")
    return {"receipt_id": str(attachment.id)}


def _uses_connector(app: Application) -> bool:
    return options_of(app.service_version).protocol_handler == "connector"


def awaits_register(app: Application, operation: str) -> bool:
    """With `external` the register numbers the document and reports it through the API: no worker
    (nor the sweep that re-sends stale calls) may ever number it in its place."""
    return operation in PROTOCOL_KINDS and applications.handler_of(app) == applications.EXTERNAL


def _protocol_internal(app: Application, row: ServiceCallRow, _: Prepared | None) -> dict[str, Any]:
    direction, kind, _subject = PROTOCOL_KINDS[row.operation]
    return register_document(app, "in" if direction == connectors.Direction.INBOUND else "out", kind)


def _protocol_prepare(app: Application, row: ServiceCallRow) -> Prepared:
    """The registration's own document (opened with the call): the receipt, the outcome letter, ..."""
    _direction, _kind, subject = PROTOCOL_KINDS[row.operation]
    registration = applications.registration_for_call(row.id)
    attachment = registration.attachment if registration is not None else None
    if attachment is None:  # a call from before registrations carried their document
        stage = applications.stage_of(row.operation)
        assert stage is not None
        name, content = applications.render_document(app, stage, row.params or {})
        attachment = store_attachment(app, Upload(name, content), None, "protocol_document")
    return {"subject": f"{subject} – {app.service.name} – pratica {app.id}", "storage_key": attachment.storage_key,
            "file_name": attachment.original_filename, "name": app.applicant_name,
            "fiscal_code": app.applicant_fiscal_code, "call_id": str(row.id)}


def _protocol_call(prepared: Prepared, operation: str) -> Prepared:
    direction, kind, _subject = PROTOCOL_KINDS[operation]
    content = read_stored(prepared["storage_key"])
    document = connectors.ProtocolDocument(
        subject=prepared["subject"], kind=kind,
        main=connectors.DocumentFile(prepared.get("file_name") or "documento.pdf", "application/pdf", content),
        correspondent=connectors.Correspondent(prepared["name"], prepared["fiscal_code"]))
    register = outbound.protocol_register()
    receipt = (register.register_inbound if direction == connectors.Direction.INBOUND
               else register.register_outbound)(document, idempotency_key=prepared["call_id"])
    return {"protocol_number": receipt.protocol_number, "protocol_document_id": receipt.document_id,
            "protocolled_at": receipt.registered_at.isoformat(), "kind": kind}


def _protocol_apply(app: Application, row: ServiceCallRow, outcome: Prepared | None) -> dict[str, Any]:
    if outcome is None:  # a service without an external register: our own numbering
        return _protocol_internal(app, row, None)
    return outcome


# Incidents that only tell the operators something (a refused receipt, a notice annulled on pagoPA by
# someone else, a payment received for a notice closed before): "Riprova" on them means "seen", and closes them.
ACKNOWLEDGED = frozenset({"payment.receipt_refused", "payment.position_invalid", "payment.paid_after_end"})


def _acknowledge(app: Application, row: ServiceCallRow, _: Prepared | None) -> dict[str, Any]:
    return {"acknowledged": True}


def operation_for(app: Application, name: str) -> Operation:
    if name == "documents.generate_receipt":
        return Operation(apply=_generate_receipt)
    if name in PROTOCOL_KINDS:
        if not _uses_connector(app):
            return Operation(apply=_protocol_internal)
        return Operation(apply=_protocol_apply, prepare=_protocol_prepare,
                         call=lambda prepared: _protocol_call(prepared, name))
    if name == "payment.mark_paid":
        return Operation(apply=outbound.apply_marked_paid, prepare=outbound.prepare_mark_paid,
                         call=outbound.mark_paid_on_pagopa)
    if name == "payment.invalidate":
        return Operation(apply=outbound.apply_marked_paid, prepare=outbound.prepare_invalidate,
                         call=outbound.invalidate_on_pagopa)
    if name in ACKNOWLEDGED:
        return Operation(apply=_acknowledge)
    if name == "payment.create_debt_position":
        return Operation(apply=outbound.apply_position, prepare=outbound.prepare_position,
                         call=outbound.create_position)
    raise LookupError(f"nessun connettore per l'operazione {name}")
