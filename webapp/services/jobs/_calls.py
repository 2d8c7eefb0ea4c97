"""Running the service tasks a process waits for: idempotent, bounded retries, then an incident.

A call runs as prepare (transaction) -> call out (no transaction, no lock held) -> apply (transaction);
see webapp.services.operations. The call id is the idempotency key towards every outside system.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from sqlalchemy import select

import connectors
from webapp.extensions import db
from webapp.models import CALL_FAILED, CALL_PENDING, Application, ServiceCallRow, Tenant
from webapp.services import applications
from webapp.services.common.errors import BadRequest, DuplicateProtocolNumber, NotFound, TransitionNotAllowed
from webapp.services.common.signatures import require_signature
from webapp.services.common.tenancy import parse_uuid, scoped
from webapp.services.common.uow import after_commit, unit_of_work

from ._operations import Operation, awaits_register, operation_for

log = logging.getLogger(__name__)


def _locked(call_id: uuid.UUID) -> tuple[ServiceCallRow, Application] | None:
    row = db.session.scalar(select(ServiceCallRow).where(ServiceCallRow.id == call_id).with_for_update())
    if row is None or row.status != CALL_PENDING:
        return None
    app = db.session.scalar(select(Application).where(Application.id == row.application_id)
                            .with_for_update(of=Application))
    assert app is not None
    return row, app


def _prepare(call_id: uuid.UUID) -> tuple[Operation, dict[str, Any] | None] | None:
    """First transaction: internal operations finish here; external ones store what they will send."""
    with unit_of_work():
        locked = _locked(call_id)
        if locked is None:
            return None
        row, app = locked
        if awaits_register(app, row.operation):
            return None  # the external register reports this one through the API
        operation = operation_for(app, row.operation)
        if operation.call is None:
            applications.complete_call(app, row, operation.apply(app, row, None), None)
            return operation, None
        if row.prepared is None and operation.prepare is not None:
            row.prepared = operation.prepare(app, row)
        return operation, dict(row.prepared or {})


def run_service_call(call_id: str) -> str:
    """Run one pending call; returns 'done', 'skipped', 'retry' or 'failed' (an incident)."""
    try:
        key = uuid.UUID(call_id)
        step = _prepare(key)
        if step is None:
            return "skipped"
        operation, prepared = step
        if operation.call is None:
            return "done"
        outcome = operation.call(prepared or {})  # the outside world, with no transaction open
        with unit_of_work():
            locked = _locked(key)
            if locked is None:
                return "skipped"  # another worker finished it meanwhile
            row, app = locked
            applications.complete_call(app, row, operation.apply(app, row, outcome), None)
        return "done"
    except Exception as exc:  # recorded on the call; nothing half-done was committed
        log.warning("service call %s failed: %s", call_id, type(exc).__name__)
        return _record_failure(call_id, exc)


def _is_permanent(exc: Exception) -> bool:
    # A number the ente already used comes back the same on every retry: an incident for the operators at once.
    return isinstance(exc, LookupError | connectors.PermanentError | DuplicateProtocolNumber)


def _record_failure(call_id: str, exc: Exception) -> str:
    with unit_of_work():
        row = db.session.get(ServiceCallRow, uuid.UUID(call_id))
        if row is None or row.status != CALL_PENDING:
            return "skipped"
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.status = CALL_FAILED if _is_permanent(exc) or row.attempts >= row.max_attempts else CALL_PENDING
        if row.status != CALL_FAILED:
            return "retry"
        app = db.session.get(Application, row.application_id)
        if app is not None and applications.call_failed(app, row):
            return "caught"  # the process models this failure (an error boundary): no incident
        return "failed"


def verify_callback(body: bytes, signature: str | None) -> dict[str, Any]:
    require_signature(body, signature, "PROTOCOL_WEBHOOK_SECRET")
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise BadRequest("Notifica non leggibile.") from exc
    if not isinstance(event, dict) or not event.get("protocol_number") or not event.get("idempotency_key"):
        raise BadRequest("Notifica incompleta.")
    return event


def receive_protocol_callback(tenant: Tenant, event: dict[str, Any]) -> str:
    """'applied' or 'duplicate'; a call we never made is a 404 and changes nothing."""
    call_id = parse_uuid(event["idempotency_key"])
    with unit_of_work():
        row = db.session.scalar(scoped(ServiceCallRow, tenant).where(ServiceCallRow.id == call_id)
                                .with_for_update()) if call_id else None
        if row is None or not row.operation.startswith("protocol."):
            raise NotFound("Registrazione sconosciuta.")
        if row.status not in (CALL_PENDING, CALL_FAILED):
            return "duplicate"
        app = db.session.scalar(select(Application).where(Application.id == row.application_id)
                                .with_for_update(of=Application))
        assert app is not None
        result = {"protocol_number": str(event["protocol_number"]),
                  "protocol_document_id": str(event.get("document_id") or ""),
                  "protocolled_at": str(event.get("registered_at") or "")}
        applications.complete_call(app, row, result, None)
    return "applied"


def incidents(app: Application) -> list[ServiceCallRow]:
    return list(db.session.scalars(select(ServiceCallRow).where(ServiceCallRow.application_id == app.id,
                                                                ServiceCallRow.status == CALL_FAILED)))


def retry_incident(app: Application, call_id: Any) -> ServiceCallRow:
    """An operator retries a failed call: a fresh set of attempts, sent to a worker after commit."""
    call = parse_uuid(call_id)
    row = None if call is None else db.session.scalar(select(ServiceCallRow).where(
        ServiceCallRow.application_id == app.id, ServiceCallRow.id == call).with_for_update())
    if row is None:
        raise NotFound("Incidente non trovato.")
    if row.status != CALL_FAILED:
        raise TransitionNotAllowed("Questa operazione non è in errore.", application_status=app.status)
    row.status, row.attempts, row.last_error = CALL_PENDING, 0, None
    db.session.flush()
    after_commit(lambda: applications.dispatch(str(row.id)))
    return row

