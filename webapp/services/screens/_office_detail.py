"""What the back office shows of one application: data with labels, documents, messages, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import lazyload, load_only

import forms
from webapp.extensions import db
from webapp.models import (
    INTERNAL,
    Application,
    Attachment,
    Meeting,
    Message,
    Payment,
    ServiceCallRow,
    StatusChange,
    Tenant,
    User,
)
from webapp.services import appointments, catalogue, jobs, outbound
from webapp.services.common import policy, statuses
from webapp.services.common.options import options_of
from webapp.services.common.tenancy import scoped

RECENT_LIMIT = 5
EXPORTABLE_TYPES = ("string", "number", "integer")


@dataclass(frozen=True)
class Sections:
    """Which parts the service has: a tab or section only where it applies."""

    protocol: bool
    payments: bool
    stamps: bool
    appointments: bool


@dataclass(frozen=True)
class Related:
    """What hangs off an application in the back office: its payments, failed calls and appointments."""

    payments: list[Payment]
    incidents: list[ServiceCallRow]
    meetings: list[Meeting]


def related(app: Application) -> Related:
    return Related(payments=outbound.for_application(app), incidents=jobs.incidents(app),
                   meetings=appointments.for_application(app))


def sections(app: Application) -> Sections:
    options = options_of(app.service_version)
    return Sections(
        protocol=options.protocol_required or bool(app.protocol_number),
        payments=options.payment != "none" or bool(outbound.for_application(app)),
        stamps=options.stamps,
        appointments=options.appointments or bool(
            appointments.for_application(app)),
    )


def form_sections(app: Application) -> list[forms.SummarySection]:
    """The filled form, step by step, with the labels of the form schema (steps without data left out)."""
    form = catalogue.form_for(app.service_version)
    return [section for section in forms.summarise(form, app.data or {}) if section.rows]


def exportable_fields(app_version: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Form fields that can become CSV columns ("Opzioni tabella"): text and numbers only, with their
    labels and schemas (which say how to write their values)."""
    form = catalogue.form_for(app_version)
    fields = []
    for name, node in form.schema.get("properties", {}).items():
        if isinstance(node, dict) and node.get("type") in EXPORTABLE_TYPES and node.get("format") != "attachment":
            fields.append((name, str(node.get("title") or name), node))
    return fields


def history(tenant: Tenant, app: Application) -> list[StatusChange]:
    query = scoped(StatusChange, tenant).where(StatusChange.application_id == app.id)
    return list(db.session.scalars(query.order_by(StatusChange.id)))


def messages(tenant: Tenant, app: Application) -> list[Message]:
    """Messages and private notes (staff only see notes; the view is for staff)."""
    query = scoped(Message, tenant).where(Message.application_id == app.id)
    return list(db.session.scalars(query.order_by(Message.created_at, Message.id)))


def attachments(tenant: Tenant, app: Application) -> list[Attachment]:
    query = scoped(Attachment, tenant).where(Attachment.application_id == app.id)
    return list(db.session.scalars(query.order_by(Attachment.created_at)))


def attachment_names(items: list[Attachment]) -> dict[str, Attachment]:
    return {str(item.id): item for item in items}


def recent_applications(tenant: Tenant, user: User, app: Application) -> list[tuple[Application, bool]]:
    """The applicant's other recent applications; openable only where the caller may see them."""
    query = (scoped(Application, tenant)
             .where(Application.user_id == app.user_id, Application.id != app.id,
                    Application.status != statuses.DRAFT)
             .options(load_only(Application.id, Application.tenant_id, Application.status,
                                Application.service_id, Application.operator_id, Application.submitted_at,
                                Application.created_at, Application.user_id),
                      lazyload(Application.service_version), lazyload(Application.user),
                      lazyload(Application.operator), lazyload(Application.office))
             .order_by(Application.created_at.desc()).limit(RECENT_LIMIT))
    return [(other, policy.can_view(user, other)) for other in db.session.scalars(query)]


def last_event(tenant: Tenant, app: Application) -> StatusChange | None:
    query = scoped(StatusChange, tenant).where(StatusChange.application_id == app.id)
    return db.session.scalars(query.order_by(StatusChange.id.desc()).limit(1)).first()


def is_private(message: Message) -> bool:
    return message.visibility == INTERNAL
