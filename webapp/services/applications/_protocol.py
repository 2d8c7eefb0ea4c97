"""The protocol registrations of an application: each with its own document, numbered once.

A registration is opened, with its document, when the process asks for it (the service call is
created), so that every register gets the same PDF: our own numbering, a connector's register, or an
external register that downloads it and reports the number through the API. The number is then
written on the registration, where the database keeps it unique in the ente's year.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.extensions import db
from webapp.models import (
    Application,
    Attachment,
    Message,
    ProtocolRegistration,
    ServiceCallRow,
    StatusChange,
    Tenant,
)
from webapp.services.common import formatting, localtime
from webapp.services.common.errors import DuplicateProtocolNumber
from webapp.services.common.letterhead import letterhead_pdf, write_line
from webapp.services.common.options import options_of
from webapp.services.common.uploads import Upload, discard_attachment, store_attachment

from ._messages import INTEGRATION_REQUEST

RECEIPT_KIND = "compiled_form_pdf"  # the application's receipt, made by documents.generate_receipt
DOCUMENT_KIND = "protocol_document"
EXTERNAL = "external"


@dataclass(frozen=True)
class Stage:
    """One kind of registration: the service operation that asks for it and the document's direction."""

    name: str
    operation: str
    direction: str  # "in": the citizen's document; "out": the office's
    subject: str


STAGES = {stage.name: stage for stage in (
    Stage("application", "protocol.register_application", "in", "Istanza"),
    Stage("integration_request", "protocol.register_integration_request", "out", "Richiesta di integrazioni"),
    Stage("integration_answer", "protocol.register_integration_answer", "in", "Integrazioni"),
    Stage("outcome", "protocol.register_outcome", "out", "Esito"),
    Stage("withdrawal", "protocol.register_withdrawal", "in", "Ritiro"),
)}
BY_OPERATION = {stage.operation: stage for stage in STAGES.values()}
OUTCOME_TITLES = {"approved": "accolta", "partially_approved": "accolta parzialmente", "rejected": "respinta"}


def stage_of(operation: str) -> Stage | None:
    return BY_OPERATION.get(operation)


def handler_of(app: Application) -> str:
    return options_of(app.service_version).protocol_handler


def registration_for_call(call_id: uuid.UUID) -> ProtocolRegistration | None:
    return db.session.scalar(select(ProtocolRegistration).where(ProtocolRegistration.call_id == call_id))


def registrations(app: Application) -> list[ProtocolRegistration]:
    return list(db.session.scalars(select(ProtocolRegistration).where(
        ProtocolRegistration.application_id == app.id).order_by(ProtocolRegistration.created_at)))


# --- the documents -------------------------------------------------------------------------------------


def _tenant(app: Application) -> Tenant:
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None
    return tenant


def _facts(pdf: Any, app: Application) -> None:
    for label, value in (("Servizio", app.service.name), ("Numero richiesta", str(app.id)),
                         ("Richiedente", f"{app.applicant_name} ({app.applicant_fiscal_code})"),
                         ("Presentata il", formatting.datetime_text(app.submitted_at) or "-"),
                         ("Protocollo della domanda", app.protocol_number or "-")):
        write_line(pdf, f"{label}: {value}")
    pdf.ln(3)


def _message_lines(pdf: Any, messages: Sequence[Message]) -> None:
    for message in messages:
        write_line(pdf, f"{formatting.datetime_text(message.created_at)} - {message.author_name}", bold=True)
        write_line(pdf, message.body)
        for attachment in message.attachments:
            write_line(pdf, f"Allegato: {attachment.original_filename}")
        pdf.ln(2)


def _integration_request(app: Application) -> Message | None:
    return db.session.scalar(select(Message).where(
        Message.application_id == app.id, Message.subject == INTEGRATION_REQUEST)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))


def _answers(app: Application) -> list[Message]:
    """The applicant's messages since the office's latest request: what they sent as integrations."""
    request = _integration_request(app)
    query = select(Message).where(Message.application_id == app.id, Message.author_id == app.user_id)
    if request is not None:
        query = query.where(Message.created_at >= request.created_at, Message.id != request.id)
    return list(db.session.scalars(query.order_by(Message.created_at, Message.id)))


def _withdrawal_note(app: Application) -> str | None:
    return db.session.scalar(select(StatusChange.note).where(
        StatusChange.application_id == app.id, StatusChange.event == "withdrawn")
        .order_by(StatusChange.id.desc()).limit(1))


def _title(stage: Stage, app: Application, params: dict[str, Any]) -> str:
    if stage.name == "outcome":
        outcome = str(params.get("outcome") or app.outcome or "approved")
        return f"Comunicazione di esito: domanda {OUTCOME_TITLES.get(outcome, outcome)}"
    return {"application": "Istanza", "integration_request": "Richiesta di integrazioni",
            "integration_answer": "Integrazioni del richiedente", "withdrawal": "Ritiro della domanda"}[stage.name]


def render_document(app: Application, stage: Stage, params: dict[str, Any]) -> tuple[str, bytes]:
    """The PDF the register receives for `stage` (the application's own is its receipt, see open_registration)."""
    title = _title(stage, app, params)
    pdf = letterhead_pdf(_tenant(app), title)
    _facts(pdf, app)
    if stage.name == "outcome":
        write_line(pdf, "Motivazione", bold=True)
        write_line(pdf, app.outcome_motivation or "-")
    elif stage.name == "integration_request":
        request = _integration_request(app)
        _message_lines(pdf, [request] if request else [])
    elif stage.name == "integration_answer":
        _message_lines(pdf, _answers(app))
        write_line(pdf, "I dati della domanda aggiornati sono nella pratica.")
    elif stage.name == "withdrawal":
        write_line(pdf, f"Il richiedente ritira la domanda il {formatting.datetime_text(localtime.now())}.")
        note = _withdrawal_note(app)
        if note:
            write_line(pdf, f"Motivazione: {note}")
    names = {"application": "istanza", "integration_request": "richiesta-integrazioni",
             "integration_answer": "integrazioni", "outcome": "esito", "withdrawal": "ritiro"}
    return f"{names[stage.name]}-{app.id}.pdf", bytes(pdf.output())


def submission_receipt(app: Application) -> Attachment | None:
    """The application's receipt (the PDF of the compiled form), once the process has made it."""
    return db.session.scalar(select(Attachment).where(
        Attachment.application_id == app.id, Attachment.kind == RECEIPT_KIND)
        .order_by(Attachment.created_at.desc()).limit(1))


def open_registration(app: Application, row: ServiceCallRow) -> ProtocolRegistration | None:
    """The registration a protocol service call asks for, with its document stored as an attachment."""
    stage = stage_of(row.operation)
    if stage is None:
        return None
    db.session.flush()  # the call's row first: the registration references it, with no relationship to order them
    attachment = submission_receipt(app) if stage.name == "application" else None
    if attachment is None:
        name, content = render_document(app, stage, row.params or {})
        attachment = store_attachment(app, Upload(name, content), None, DOCUMENT_KIND)
    registration = ProtocolRegistration(tenant_id=app.tenant_id, application_id=app.id, call_id=row.id,
                                        stage=stage.name, direction=stage.direction, handler=handler_of(app),
                                        attachment_id=attachment.id)
    db.session.add(registration)
    db.session.flush()
    return registration


def withdrawal_noted(app: Application) -> None:
    """The withdrawal's document is made when its registration opens, before the history row carrying the
    citizen's reason exists (that row is written once the status changes): made again with it."""
    registration = db.session.scalar(select(ProtocolRegistration).where(
        ProtocolRegistration.application_id == app.id, ProtocolRegistration.stage == "withdrawal",
        ProtocolRegistration.number.is_(None)).order_by(ProtocolRegistration.created_at.desc()).limit(1))
    if registration is None:
        return
    name, content = render_document(app, STAGES["withdrawal"], {})
    stale = registration.attachment
    registration.attachment_id = store_attachment(app, Upload(name, content), None, DOCUMENT_KIND).id
    db.session.flush()
    if stale is not None:
        discard_attachment(stale)


# --- the numbers ---------------------------------------------------------------------------------------


def _moment(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return localtime.aware(raw)
    if isinstance(raw, str) and raw:
        try:
            return localtime.aware(datetime.fromisoformat(raw))
        except ValueError:
            pass
    return localtime.now()


def record_number(app: Application, row: ServiceCallRow, result: dict[str, Any]) -> None:
    """Write the register's number on the call's registration; a number the ente already has in that
    year is refused by the database's unique constraint and reported as such (nothing is kept)."""
    stage = stage_of(row.operation)
    number = str(result.get("protocol_number") or "").strip()
    if stage is None or not number:
        return
    registration = registration_for_call(row.id)
    if registration is None:  # a call from before registrations were kept
        registration = open_registration(app, row)
        assert registration is not None
    moment = _moment(result.get("protocolled_at"))
    try:
        with db.session.begin_nested():
            registration.number = number
            registration.year = localtime.local(moment).year  # the register's year turns in Rome
            registration.registered_at = moment
            registration.document_id = str(result.get("protocol_document_id") or "") or None
            db.session.flush()
    except IntegrityError as exc:
        raise DuplicateProtocolNumber(
            f"Il numero di protocollo {number} del {localtime.local(moment).year} è già stato assegnato a un "
            "altro documento dell'ente.", protocol_number=number) from exc
