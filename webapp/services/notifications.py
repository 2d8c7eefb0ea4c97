"""Notifications through the transactional outbox: rows commit with the change, delivery comes after."""

from __future__ import annotations

import uuid

from flask import current_app

from webapp.extensions import db
from webapp.models import OutboxMessage
from webapp.services.uow import after_commit

DISPATCHER = "dispatch_outbox"


def queue_email(tenant_id: uuid.UUID, recipient: str, subject: str, body: str, idempotency_key: str,
                application_id: uuid.UUID | None = None) -> OutboxMessage | None:
    """Add an e-mail to the outbox inside the caller's unit of work; delivered after commit, once.

    The idempotency key names what the message is about (e.g. "status:<app>:<n>:citizen"): queueing
    the same key twice keeps the first row only.
    """
    existing = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return None
    row = OutboxMessage(tenant_id=tenant_id, application_id=application_id, channel="email",
                        idempotency_key=idempotency_key, recipient=recipient, subject=subject[:255], body=body)
    db.session.add(row)
    db.session.flush()
    outbox_id = str(row.id)
    after_commit(lambda: current_app.extensions[DISPATCHER](outbox_id))
    return row
