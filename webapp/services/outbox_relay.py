"""Delivering outbox rows: at least once from here, exactly once at the receiver thanks to Message-ID."""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import OutboxMessage, Tenant
from webapp.models.outbox import FAILED, PENDING, SENT
from webapp.services.tenancy import scoped
from webapp.services.uow import unit_of_work

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def message_id(row: OutboxMessage) -> str:
    """Stable per idempotency key: a resent copy carries the same Message-ID, so receivers dedupe it."""
    digest = hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@{current_app.config['MAIL_SENDER'].partition('@')[2] or 'localhost'}>"


def build_email(row: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_SENDER"]
    mail["To"] = row.recipient
    mail["Subject"] = row.subject
    mail["Message-ID"] = message_id(row)
    mail["Date"] = formatdate(localtime=False)
    mail.set_content(row.body)
    return mail


def _send_smtp(row: OutboxMessage) -> None:
    with smtplib.SMTP(current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"], timeout=10) as smtp:
        smtp.send_message(build_email(row))


def deliver(outbox_id: str) -> str:
    """'sent', 'skipped' (already sent or unknown), 'retry' or 'failed'. The row lock keeps two relays apart."""
    with unit_of_work():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == uuid.UUID(outbox_id))
                                .with_for_update(skip_locked=True))
        if row is None or row.status != PENDING:
            return "skipped"
        try:
            if current_app.config["MAIL_BACKEND"] == "smtp":
                _send_smtp(row)
        except (OSError, smtplib.SMTPException) as exc:
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.status = FAILED if row.attempts >= MAX_ATTEMPTS else PENDING
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
