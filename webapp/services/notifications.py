"""Notifications through the transactional outbox: rows commit with the change, delivery comes after."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2.sandbox import SandboxedEnvironment

import connectors
from webapp.extensions import db
from webapp.models import Application, Message, OutboxMessage, Payment, StatusChange, Tenant
from webapp.services import statuses
from webapp.services.uow import after_commit

DISPATCHER = "dispatch_outbox"


def queue_email(tenant_id: uuid.UUID, recipient: str, subject: str, body: str, idempotency_key: str,
                application_id: uuid.UUID | None = None, channel: str = "email",
                payload: dict[str, Any] | None = None) -> OutboxMessage | None:
    """Add an e-mail to the outbox inside the caller's unit of work; delivered after commit, once.

    The idempotency key names what the message is about (e.g. "status:<history row id>:citizen"):
    queueing the same key twice keeps the first row only.
    """
    existing = db.session.scalar(db.select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key))
    if existing is not None:
        return None
    row = OutboxMessage(tenant_id=tenant_id, application_id=application_id, channel=channel,
                        idempotency_key=idempotency_key, recipient=recipient, subject=subject[:255], body=body,
                        payload=payload or {})
    db.session.add(row)
    db.session.flush()
    outbox_id = str(row.id)
    after_commit(lambda: current_app.extensions[DISPATCHER](outbox_id))
    return row


# Tenants write their own texts; they are data, so they run sandboxed (no attribute tricks, no imports).
_TENANT_TEMPLATES = SandboxedEnvironment(autoescape=False)


def _tenant_text(tenant: Tenant | None, template: str, language: str, status: int | None) -> str | None:
    """The ente's own text: settings["email_templates"] keyed "<template>[.<status>].<language>"."""
    own: dict[str, str] = (tenant.setting("email_templates") or {}) if tenant else {}
    keys = ([f"{template}.{status}.{language}"] if status else []) + [f"{template}.{language}"]
    return next((own[key] for key in keys if key in own), None)


def _render(template: str, app: Application, language: str, **context: Any) -> tuple[str, str]:
    """Subject (first line) and body: the tenant's own text for this template if it set one, else ours."""
    tenant = db.session.get(Tenant, app.tenant_id)
    link = f"{current_app.config['PUBLIC_URL'].rstrip('/')}/{tenant.slug if tenant else ''}/"
    change = context.get("change")
    values = {"app": app, "tenant": tenant, "link": link, "label": statuses.label, **context}
    own = _tenant_text(tenant, template, language, change.status if change is not None else None)
    with force_locale(language):
        if own is not None:
            body = _TENANT_TEMPLATES.from_string(own).render(**values)
        else:
            body = render_template(f"email/{template}.txt", **values)
    subject, _, text = body.partition("\n")
    return subject.strip(), text.strip() + "\n"


def _citizen_language(app: Application) -> str:
    return str((app.user.identity or {}).get("language") or "it") if app.user else "it"


def status_changed(app: Application, changes: Sequence[StatusChange]) -> None:
    """Every status change reaches the applicant by e-mail, and on App IO where the service uses it."""
    recipient = app.user.email if app.user else None
    io = bool(app.service_version.options.get("io_enabled")) and bool(app.applicant_fiscal_code)
    for change in changes:
        if change.status == statuses.DRAFT:
            continue
        subject, body = _render("status_change", app, _citizen_language(app), change=change)
        if recipient:
            queue_email(app.tenant_id, recipient, subject, body, f"status:{change.id}:citizen", app.id)
        if io:
            queue_email(app.tenant_id, app.applicant_fiscal_code, subject, body, f"status:{change.id}:io", app.id,
                        channel="app_io")


def payment_due(app: Application, payment: Payment) -> None:
    """A new notice: by e-mail with how to pay, and on App IO with the "Paga" button."""
    subject, body = _render("payment_due", app, _citizen_language(app), payment=payment,
                            euro=connectors.format_euro(payment.amount))
    if app.user and app.user.email:
        queue_email(app.tenant_id, app.user.email, subject, body, f"payment:{payment.id}:citizen", app.id)
    if app.service_version.options.get("io_enabled") and app.applicant_fiscal_code:
        queue_email(app.tenant_id, app.applicant_fiscal_code, subject, body, f"payment:{payment.id}:io", app.id,
                    channel="app_io", payload={"payment": {"amount": payment.amount,
                                                           "notice_number": payment.notice_number}})


def message_posted(app: Application, message: Message) -> None:
    """An office message to the citizen arrives by e-mail too, with its text (private notes never)."""
    recipient = app.user.email if app.user else None
    if not recipient or message.author_id == app.user_id or message.visibility != "applicant":
        return
    subject, body = _render("message", app, _citizen_language(app), message=message)
    queue_email(app.tenant_id, recipient, subject, body, f"message:{message.id}:citizen", app.id)
