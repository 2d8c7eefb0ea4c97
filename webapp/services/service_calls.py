"""Running the service tasks a process waits for: idempotent, bounded retries, then an incident.

A call runs as prepare (transaction) -> call out (no transaction, no lock held) -> apply (transaction);
see webapp.services.operations. The call id is the idempotency key towards every outside system.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

import connectors
from webapp.extensions import db
from webapp.models import Application, ServiceCallRow, Tenant, User
from webapp.services import workflow
from webapp.services.errors import BadRequest, NotFound, TransitionNotAllowed
from webapp.services.operations import Operation, operation_for
from webapp.services.signatures import require_signature
from webapp.services.tenancy import parse_uuid, scoped
from webapp.services.uow import after_commit, unit_of_work

log = logging.getLogger(__name__)
PENDING, DONE, FAILED, CANCELLED = "pending", "done", "failed", "cancelled"


def _apply_protocol_data(app: Application, operation: str, result: dict[str, Any]) -> None:
    if not operation.startswith("protocol.") or not result.get("protocol_number"):
        return
    entry = {"operation": operation, **{k: v for k, v in result.items() if v is not None}}
    app.protocol_numbers = [*app.protocol_numbers, entry]
    if operation == "protocol.register_application":
        app.protocol_number = result["protocol_number"]
        app.protocol_document_id = result.get("protocol_document_id")


def complete_call(app: Application, row: ServiceCallRow, result: dict[str, Any], actor: User | None) -> bool:
    """Resume the process with `result`; False when the task no longer waits (late or duplicate)."""
    if row.detached:
        row.status, row.result, row.completed_at = DONE, result, datetime.now(UTC)
        return True
    instance = workflow.restore(app)
    wait = instance.complete_service_call(row.task_id, result)
    row.completed_at = datetime.now(UTC)
    if wait is None:
        row.status = CANCELLED
        return False
    row.status, row.result = DONE, result
    _apply_protocol_data(app, row.operation, result)
    workflow.persist(app, instance, wait, actor, row.operation.replace(".", "_"))
    return True


def apply_external_result(app: Application, operation: str, result: dict[str, Any], actor: User) -> None:
    """An external system (e.g. a protocol register) reports the outcome of a pending call."""
    row = db.session.scalar(select(ServiceCallRow).where(
        ServiceCallRow.application_id == app.id, ServiceCallRow.operation == operation,
        ServiceCallRow.status.in_((PENDING, FAILED))))
    if row is None or not complete_call(app, row, result, actor):
        raise TransitionNotAllowed("La pratica non è in attesa di questa registrazione.",
                                   application_status=app.status)


def _locked(call_id: uuid.UUID) -> tuple[ServiceCallRow, Application] | None:
    row = db.session.scalar(select(ServiceCallRow).where(ServiceCallRow.id == call_id).with_for_update())
    if row is None or row.status != PENDING:
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
        operation = operation_for(app, row.operation)
        if operation.call is None:
            complete_call(app, row, operation.apply(app, row, None), None)
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
            complete_call(app, row, operation.apply(app, row, outcome), None)
        return "done"
    except Exception as exc:  # recorded on the call; nothing half-done was committed
        log.warning("service call %s failed: %s", call_id, type(exc).__name__)
        return _record_failure(call_id, exc)


def _is_permanent(exc: Exception) -> bool:
    return isinstance(exc, LookupError | connectors.PermanentError)


def _record_failure(call_id: str, exc: Exception) -> str:
    with unit_of_work():
        row = db.session.get(ServiceCallRow, uuid.UUID(call_id))
        if row is None or row.status != PENDING:
            return "skipped"
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        row.status = FAILED if _is_permanent(exc) or row.attempts >= row.max_attempts else PENDING
        return "failed" if row.status == FAILED else "retry"


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
        if row.status not in (PENDING, FAILED):
            return "duplicate"
        app = db.session.scalar(select(Application).where(Application.id == row.application_id)
                                .with_for_update(of=Application))
        assert app is not None
        result = {"protocol_number": str(event["protocol_number"]),
                  "protocol_document_id": str(event.get("document_id") or ""),
                  "protocolled_at": str(event.get("registered_at") or "")}
        complete_call(app, row, result, None)
    return "applied"


def incidents(app: Application) -> list[ServiceCallRow]:
    return list(db.session.scalars(select(ServiceCallRow).where(ServiceCallRow.application_id == app.id,
                                                                ServiceCallRow.status == FAILED)))


def retry_incident(app: Application, call_id: Any) -> ServiceCallRow:
    """An operator retries a failed call: a fresh set of attempts, sent to a worker after commit."""
    call = parse_uuid(call_id)
    row = None if call is None else db.session.scalar(select(ServiceCallRow).where(
        ServiceCallRow.application_id == app.id, ServiceCallRow.id == call).with_for_update())
    if row is None:
        raise NotFound("Incidente non trovato.")
    if row.status != FAILED:
        raise TransitionNotAllowed("Questa operazione non è in errore.", application_status=app.status)
    row.status, row.attempts, row.last_error = PENDING, 0, None
    db.session.flush()
    after_commit(lambda: workflow.dispatch(str(row.id)))
    return row

