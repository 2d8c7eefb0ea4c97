"""An external register reports the number of each stage through the API (and reads what waits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import CALL_FAILED, CALL_PENDING, Application, ProtocolRegistration, ServiceCallRow, Tenant, User
from webapp.services.common import localtime, policy
from webapp.services.common.errors import FieldProblem, NotFound, TransitionNotAllowed, ValidationFailed
from webapp.services.common.uow import unit_of_work

from ._call_results import complete_call
from ._protocol import STAGES, Stage, registration_for_call, registrations


@dataclass(frozen=True)
class StageReport:
    protocol_number: Any
    registered_at: Any
    protocol_document_id: Any = None
    protocol_folder_number: Any = None
    protocol_folder_code: Any = None


def _report_result(report: StageReport) -> dict[str, Any]:
    problems = []
    number = report.protocol_number
    if not isinstance(number, str) or not number.strip():
        problems.append(FieldProblem("/protocol_number", "Campo obbligatorio", "required"))
    moment = report.registered_at
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            moment = None
    if not isinstance(moment, datetime):
        problems.append(FieldProblem("/registered_at", "Data e ora della registrazione obbligatorie "
                                     "(ISO 8601).", "required"))
    if problems:
        raise ValidationFailed(problems)
    assert isinstance(number, str) and isinstance(moment, datetime)
    return {"protocol_number": number.strip(), "protocolled_at": localtime.aware(moment).isoformat(),
            "protocol_document_id": report.protocol_document_id,
            "protocol_folder_number": report.protocol_folder_number,
            "protocol_folder_code": report.protocol_folder_code}


def pending_call(app: Application, operation: str) -> ServiceCallRow | None:
    return db.session.scalar(select(ServiceCallRow).where(
        ServiceCallRow.application_id == app.id, ServiceCallRow.operation == operation,
        ServiceCallRow.status.in_((CALL_PENDING, CALL_FAILED))))


def stage_named(stage: str) -> Stage:
    found = STAGES.get(stage)
    if found is None:
        raise NotFound(f"Fase di protocollo '{stage}' sconosciuta.")
    return found


def list_registrations(tenant: Tenant, user: User, app_id: Any) -> list[ProtocolRegistration]:
    """The registrations of an application, numbered or waiting (staff only: the register's view)."""
    app = policy.get_application(user, tenant, app_id)
    policy.require_staff(user)
    return registrations(app)


def _complete(app: Application, row: ServiceCallRow, result: dict[str, Any], actor: User) -> None:
    if not complete_call(app, row, result, actor):
        raise TransitionNotAllowed("La pratica non è in attesa di questa registrazione.",
                                   application_status=app.status)


def report_stage(tenant: Tenant, user: User, app_id: Any, stage_name: str, report: StageReport
                 ) -> ProtocolRegistration:
    """An external register (an operator's or the register's own account) gives the number of a stage."""
    stage = stage_named(stage_name)
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id, lock=True)
        policy.require_staff(user)
        result = _report_result(report)
        row = pending_call(app, stage.operation)
        if row is None:
            raise TransitionNotAllowed(f"La pratica non è in attesa della protocollazione «{stage.subject}».",
                                       application_status=app.status)
        _complete(app, row, result, user)
        registration = registration_for_call(row.id)
        assert registration is not None
    return registration
