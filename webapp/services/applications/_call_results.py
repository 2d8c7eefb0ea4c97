"""What a finished service call does to its application: the process resumes with the call's result.

Shared by the worker that ran the call and by the callbacks of external systems that answer later
(a protocol register), so both resume the process the same way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

import engine
from webapp.extensions import db
from webapp.models import CALL_CANCELLED, CALL_DONE, CALL_FAILED, CALL_PENDING, Application, ServiceCallRow, User
from webapp.services.common.errors import TransitionNotAllowed

from ._process import persist, restore
from ._protocol import record_number


def _apply_protocol_data(app: Application, row: ServiceCallRow, result: dict[str, Any]) -> None:
    operation = row.operation
    if not operation.startswith("protocol.") or not result.get("protocol_number"):
        return
    record_number(app, row, result)  # first: a number already used this year stops everything here
    entry = {"operation": operation, **{k: v for k, v in result.items() if v is not None}}
    app.protocol_numbers = [*app.protocol_numbers, entry]
    if operation == "protocol.register_application":
        app.protocol_number = result["protocol_number"]
        app.protocol_document_id = result.get("protocol_document_id")


def complete_call(app: Application, row: ServiceCallRow, result: dict[str, Any], actor: User | None) -> bool:
    """Resume the process with `result`; False when the task no longer waits (late or duplicate)."""
    if row.detached:
        row.status, row.result, row.completed_at = CALL_DONE, result, datetime.now(UTC)
        return True
    instance = restore(app)
    wait = instance.complete_service_call(row.task_id, result)
    row.completed_at = datetime.now(UTC)
    if wait is None:
        row.status = CALL_CANCELLED
        return False
    row.status, row.result = CALL_DONE, result
    _apply_protocol_data(app, row, result)
    persist(app, instance, wait, actor, row.operation.replace(".", "_"))
    return True


# The error code a failed call throws into its process: an error boundary event on the service task with this
# errorCode (or with none: it catches every error) takes the path the diagram models instead of an incident.
CALL_FAILED_CODE = "SERVICE_CALL_FAILED"


def call_failed(app: Application, row: ServiceCallRow) -> bool:
    """A call out of attempts: True when an error boundary of the process caught it (the process moved on)."""
    if row.detached:
        return False
    instance = restore(app)
    try:
        wait = instance.throw_error(row.task_id, CALL_FAILED_CODE, {"operation": row.operation})
    except engine.EngineError:  # the error path itself failed: the incident says so
        return False
    if wait is None:
        return False
    row.status = CALL_CANCELLED
    persist(app, instance, wait, None, row.operation.replace(".", "_") + "_failed")
    return True


def apply_external_result(app: Application, operation: str, result: dict[str, Any], actor: User) -> None:
    """An external system (e.g. a protocol register) reports the outcome of a pending call."""
    row = db.session.scalar(select(ServiceCallRow).where(
        ServiceCallRow.application_id == app.id, ServiceCallRow.operation == operation,
        ServiceCallRow.status.in_((CALL_PENDING, CALL_FAILED))))
    if row is None or not complete_call(app, row, result, actor):
        raise TransitionNotAllowed("La pratica non è in attesa di questa registrazione.",
                                   application_status=app.status)
