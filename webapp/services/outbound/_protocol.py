"""The built-in protocol register: gap-free numbers per tenant and year, in our own database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Application, ProtocolCounter, ProtocolRegistration
from webapp.services.common import localtime


def register_document(app: Application, direction: str, kind: str, now: datetime | None = None) -> dict[str, Any]:
    """Assign the next number of the year; the counter row lock serialises concurrent registrations."""
    now = now or datetime.now(UTC)
    year = localtime.local(now).year  # the register's year turns at midnight in Rome, not in UTC
    query = select(ProtocolCounter).where(
        ProtocolCounter.tenant_id == app.tenant_id, ProtocolCounter.year == year
    ).with_for_update()
    counter = db.session.scalar(query)
    if counter is None:
        counter = ProtocolCounter(tenant_id=app.tenant_id, year=year, last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    # A number the ente already has from another register (a service with an external one) is skipped:
    # the database would refuse it, and every retry would ask for it again.
    while db.session.scalar(select(ProtocolRegistration.id).where(
            ProtocolRegistration.tenant_id == app.tenant_id, ProtocolRegistration.year == year,
            ProtocolRegistration.number == f"{year}/{counter.last_number:07d}").limit(1)) is not None:
        counter.last_number += 1
    db.session.flush()
    return {
        "protocol_number": f"{year}/{counter.last_number:07d}",
        "protocol_document_id": str(uuid.uuid4()),
        "protocolled_at": now.isoformat(),
        "direction": direction,
        "kind": kind,
    }
