"""Applications: create and edit drafts, read, list with filters, history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import joinedload

import engine
import forms
from webapp.extensions import db
from webapp.models import CITIZEN, Application, Attachment, StatusChange, Tenant, User
from webapp.services import catalogue, outbound
from webapp.services.common import policy, process_start, statuses
from webapp.services.common.errors import (
    BadRequest,
    FieldProblem,
    Forbidden,
    StaleVersion,
    TransitionNotAllowed,
    ValidationFailed,
)
from webapp.services.common.options import options_of
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

from . import _process

DRAFT_TOLERATED = frozenset({"required", "dependentRequired"})


@dataclass(frozen=True)
class ListFilters:
    service: str | None = None
    status: int | None = None
    ranges: tuple[tuple[str, str, datetime], ...] = ()  # (column, "after"|"before", moment)
    offset: int = 0
    limit: int = 10


def check_version(app: Application, expected: int | None) -> None:
    if expected is not None and expected != app.version:
        raise StaleVersion(
            f"La pratica è stata modificata nel frattempo (versione {app.version}, "
            f"richiesta con la versione {expected}): ricarica e riprova.",
            current_version=app.version,
        )


def validate_data(app_or_none: Application | None, form: forms.Form, data: Any, *, draft: bool) -> None:
    """Field-level errors (JSON pointers) or nothing; a draft may still miss required fields."""
    errors = [e for e in form.validate(data) if not (draft and e.code in DRAFT_TOLERATED)]
    if not errors and isinstance(data, dict):
        errors = _foreign_attachments(app_or_none, form, data)
    if errors:
        raise ValidationFailed([FieldProblem(e.pointer, e.message, e.code) for e in errors])


def _foreign_attachments(app: Application | None, form: forms.Form, data: dict[str, Any]) -> list[Any]:
    """Attachment ids in the data must be files uploaded to this same application."""
    ids = form.attachment_fields(data)
    if not ids:
        return []
    known: set[str] = set()
    if app is not None:
        known = {str(a.id) for a in db.session.scalars(
            db.select(Attachment).where(Attachment.application_id == app.id))}
    return [forms.FieldError("", f"Allegato {ref} sconosciuto per questa pratica.", "attachment")
            for ref in ids if ref not in known]


def create_application(tenant: Tenant, user: User, service_key: str, data: Any) -> Application:
    if user.role != CITIZEN:
        raise Forbidden("Le pratiche si creano a nome di un cittadino.")
    with unit_of_work():
        service = catalogue.get_service(tenant, service_key)
        catalogue.refuse_archived(service)
        version = service.current_version
        validate_data(None, catalogue.form_for(version), data if data is not None else {}, draft=True)
        start = process_start.start_data(options_of(version), data, user)
        instance, wait = engine.start_instance(catalogue.process_for(version), start)
        app = Application(
            id=uuid.uuid4(), tenant_id=tenant.id, service_id=service.id, service_version_id=version.id,
            definition_hash=version.definition_hash, user_id=user.id,
            applicant_fiscal_code=user.fiscal_code or "", applicant_name=user.full_name,
            auth_method=(user.identity or {}).get("method", "password"), data=data or {},
            status=wait.status or statuses.DRAFT, engine_state=instance.dump(),
            # What the response shows of them, so that it need not read them again.
            service=service, service_version=version, user=user,
        )
        db.session.add(app)  # inserted by persist's flush, with its waits: one INSERT, no UPDATE after it
        _process.persist(app, instance, wait, user, "created", fresh=True)
        outbound.mark_inserted(app)
    return app


def update_draft(tenant: Tenant, user: User, app_id: Any, data: Any, expected_version: int | None) -> Application:
    """Replace the data of a draft (PATCH); partial data is fine, wrong data is not."""
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id, lock=True)
        check_version(app, expected_version)
        if app.user_id != user.id:
            raise Forbidden("Solo il richiedente può modificare la bozza.")
        if app.status != statuses.DRAFT:
            raise TransitionNotAllowed(
                f"Si possono modificare solo le bozze; la pratica è «{statuses.app_label(app)}».",
                application_status=app.status,
            )
        if not isinstance(data, dict):
            raise BadRequest("'data' deve essere un oggetto.")
        validate_data(app, catalogue.form_for(app.service_version), data, draft=True)
        app.data = data
        db.session.flush()
    return app


def get_application(tenant: Tenant, user: User, app_id: Any) -> Application:
    return policy.get_application(user, tenant, app_id)


def list_applications(tenant: Tenant, user: User, filters: ListFilters) -> tuple[list[Application], int]:
    query = policy.visible_applications(user, tenant)
    if filters.service:
        service = catalogue.get_service(tenant, filters.service)
        query = query.where(Application.service_id == service.id)
    if filters.status is not None:
        query = query.where(Application.status == filters.status)
    for column, direction, moment in filters.ranges:
        col = getattr(Application, column)
        query = query.where(col > moment if direction == "after" else col < moment)
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.scalars(  # each item names its operator and office
        query.order_by(Application.created_at.desc(), Application.id).offset(filters.offset).limit(filters.limit)
        .options(joinedload(Application.operator), joinedload(Application.office))
    )
    return list(rows), total


def history(tenant: Tenant, user: User, app_id: Any) -> list[StatusChange]:
    app = policy.get_application(user, tenant, app_id)
    query = scoped(StatusChange, tenant).where(StatusChange.application_id == app.id)
    return list(db.session.scalars(query.order_by(StatusChange.id)))
