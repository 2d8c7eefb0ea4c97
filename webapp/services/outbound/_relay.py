"""Delivering outbox rows: at least once from here, once at the receiver (stable Message-ID / IO key)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

import connectors
from webapp.extensions import db
from webapp.models import Application, OutboxMessage, Service, Tenant
from webapp.models.outbox import FAILED, PENDING, SENT
from webapp.services.common import ente_settings
from webapp.services.common.statuses import N_
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

from . import _connectors

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# As the demo's mail page names a message's delivery (Babel extracts these: see statuses.N_).
STATUS_LABELS = {PENDING: N_("In attesa di invio"), SENT: N_("Inviata"), FAILED: N_("Non recapitata")}


def _notification(row: OutboxMessage) -> connectors.Notification:
    payment = row.payload.get("payment") if row.payload else None
    return connectors.Notification(
        subject=row.subject, text=row.body, markdown=row.body,
        email=row.recipient if row.channel == "email" else None,
        fiscal_code=row.recipient if row.channel == "app_io" else None,
        payment=connectors.PaymentData(payment["amount"], payment["notice_number"]) if payment else None,
        attachments=tuple(connectors.Attachment(a["filename"], a["mime_type"], a["content"].encode())
                          for a in (row.payload or {}).get("attachments", [])))


def _service_slug(row: OutboxMessage) -> str | None:
    if row.application_id is None:
        return None
    return db.session.scalar(select(Service.slug).join(Application, Application.service_id == Service.id)
                             .where(Application.id == row.application_id))


def _send(row: OutboxMessage) -> None:
    tenant = db.session.get(Tenant, row.tenant_id)
    if row.channel == "app_io":
        channel = _connectors.app_io_channel(ente_settings.app_io_key(tenant, _service_slug(row)))
        result = channel.send(_notification(row), idempotency_key=row.idempotency_key)
        if not result.sent:
            log.info("outbox %s: App IO skipped (%s)", row.id, result.reason)
    elif (email := _connectors.email_channel(tenant)) is not None:
        email.send(_notification(row), idempotency_key=row.idempotency_key)
    # MAIL_BACKEND "capture" (demo): the row itself is the sent mail, readable on the demo mail page


def deliver(outbox_id: str) -> str:
    """'sent', 'skipped' (already sent or unknown), 'retry' or 'failed'. The row lock keeps two relays apart."""
    with unit_of_work():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == uuid.UUID(outbox_id))
                                .with_for_update(skip_locked=True))
        if row is None or row.status != PENDING:
            return "skipped"
        try:
            _send(row)
        except connectors.ConnectorError as exc:
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            permanent = isinstance(exc, connectors.PermanentError)
            row.status = FAILED if permanent or row.attempts >= MAX_ATTEMPTS else PENDING
            log.warning("outbox %s not delivered (attempt %s): %s", outbox_id, row.attempts, type(exc).__name__)
            return "failed" if row.status == FAILED else "retry"
        row.status, row.sent_at = SENT, datetime.now(UTC)
        return "sent"


def recent_emails(tenant: Tenant, limit: int = 100) -> list[OutboxMessage]:
    query = scoped(OutboxMessage, tenant).where(OutboxMessage.channel == "email")
    return list(db.session.scalars(query.order_by(OutboxMessage.created_at.desc()).limit(limit)))


def pending_ids(older_than: datetime | None = None, limit: int = 500) -> list[str]:
    """Rows still to deliver, oldest first (the periodic sweep re-enqueues them after an outage)."""
    query = select(OutboxMessage.id).where(OutboxMessage.status == PENDING).order_by(OutboxMessage.created_at)
    if older_than is not None:
        query = query.where(OutboxMessage.created_at < older_than)
    return [str(i) for i in db.session.scalars(query.limit(limit))]
