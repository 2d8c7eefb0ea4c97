"""Running the service tasks a process waits for: idempotent, bounded retries, then an incident."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Application, ServiceCallRow, User
from webapp.services import workflow
from webapp.services.errors import TransitionNotAllowed
from webapp.services.protocol_register import register_document
from webapp.services.receipts import render_receipt
from webapp.services.uow import unit_of_work
from webapp.services.uploads import Upload, store_attachment

log = logging.getLogger(__name__)

Handler = Callable[[Application, ServiceCallRow], dict[str, Any]]
PROTOCOL_DIRECTIONS = {
    "protocol.register_application": ("in", "application"),
    "protocol.register_integration_request": ("out", "integration_request"),
    "protocol.register_integration_answer": ("in", "integration_answer"),
    "protocol.register_outcome": ("out", "outcome"),
}


def _generate_receipt(app: Application, row: ServiceCallRow) -> dict[str, Any]:
    content = render_receipt(app)
    attachment = store_attachment(app, Upload(f"ricevuta-{app.id}.pdf", content), None, "compiled_form_pdf")
    return {"receipt_id": str(attachment.id)}


def _protocol(app: Application, row: ServiceCallRow) -> dict[str, Any]:
    direction, kind = PROTOCOL_DIRECTIONS[row.operation]
    return register_document(app, direction, kind)


OPERATIONS: dict[str, Handler] = {"documents.generate_receipt": _generate_receipt}
OPERATIONS.update({name: _protocol for name in PROTOCOL_DIRECTIONS})


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
    instance = workflow.restore(app)
    wait = instance.complete_service_call(row.task_id, result)
    row.completed_at = datetime.now(UTC)
    if wait is None:
        row.status = "cancelled"
        return False
    row.status, row.result = "done", result
    _apply_protocol_data(app, row.operation, result)
    workflow.persist(app, instance, wait, actor, row.operation.replace(".", "_"))
    return True


def apply_external_result(app: Application, operation: str, result: dict[str, Any], actor: User) -> None:
    """An external system (e.g. a protocol register) reports the outcome of a pending call."""
    row = db.session.scalar(select(ServiceCallRow).where(
        ServiceCallRow.application_id == app.id, ServiceCallRow.operation == operation,
        ServiceCallRow.status.in_(("pending", "failed"))))
    if row is None or not complete_call(app, row, result, actor):
        raise TransitionNotAllowed("La pratica non è in attesa di questa registrazione.", application_status=app.status)


def run_service_call(call_id: str) -> str:
    """Run one pending call; returns 'done', 'skipped', 'retry' or 'failed' (an incident)."""
    try:
        with unit_of_work():
            query = select(ServiceCallRow).where(ServiceCallRow.id == uuid.UUID(call_id)).with_for_update()
            row = db.session.scalar(query)
            if row is None or row.status not in ("pending",):
                return "skipped"
            app = db.session.scalar(select(Application).where(Application.id == row.application_id)
                                    .with_for_update(of=Application))
            assert app is not None
            handler = OPERATIONS.get(row.operation)
            if handler is None:
                raise LookupError(f"nessun connettore per l'operazione {row.operation}")
            complete_call(app, row, handler(app, row), None)
            return "done"
    except Exception as exc:  # any failure is recorded on the call; nothing half-done was committed
        log.warning("service call %s failed: %s", call_id, type(exc).__name__)
        return _record_failure(call_id, exc)


def _record_failure(call_id: str, exc: Exception) -> str:
    with unit_of_work():
        row = db.session.get(ServiceCallRow, uuid.UUID(call_id))
        if row is None:
            return "skipped"
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        permanent = isinstance(exc, LookupError)
        row.status = "failed" if permanent or row.attempts >= row.max_attempts else "pending"
        return "failed" if row.status == "failed" else "retry"


def pending_call_ids() -> list[str]:
    """Calls still waiting (for a sweep after a crash between commit and enqueue)."""
    rows = db.session.scalars(select(ServiceCallRow.id).where(ServiceCallRow.status == "pending"))
    return [str(r) for r in rows]
