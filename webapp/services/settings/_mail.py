"""The settings' e-mail tools: a test message through the ente's server, a preview of its texts."""

from __future__ import annotations

import re
import uuid

from jinja2 import TemplateError

import connectors
from webapp.models import Tenant, User
from webapp.services import outbound
from webapp.services.common.errors import BadRequest

from ._values import check_template, require_admin

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def send_test_email(tenant: Tenant, user: User, recipient: str) -> str:
    """Send one message now through the ente's mail server (not the outbox: the administrator wants to know
    at once whether the server answers). 'sent', or 'captured' where mail is only kept (demo). A failure is a
    BadRequest naming the kind of problem, never the server's credentials."""
    require_admin(user, tenant)
    recipient = (recipient or "").strip()
    if not _EMAIL.match(recipient):
        raise BadRequest("Indica un indirizzo e-mail valido a cui inviare la prova.")
    subject = f"{tenant.name}: e-mail di prova"
    body = ("Questa è un'e-mail di prova inviata dalle impostazioni dei servizi digitali.\n"
            "Se la ricevi, il server di posta dell'ente è configurato correttamente.\n")
    channel = outbound.email_channel(tenant)
    if channel is None:
        outbound.queue_email(tenant.id, recipient, subject, body, f"settings-test:{uuid.uuid4()}")
        return "captured"
    try:
        channel.send(connectors.Notification(subject=subject, text=body, email=recipient),
                     idempotency_key=f"settings-test:{uuid.uuid4()}")
    except connectors.ConnectorError as exc:
        raise BadRequest(f"Il server di posta non ha accettato il messaggio ({type(exc).__name__}: {exc}).") from exc
    return "sent"


def preview(tenant: Tenant, user: User, template: str, source: str | None,
            language: str = "it") -> tuple[str, str] | None:
    """(subject, body) of an e-mail text as the ente's latest application would receive it."""
    require_admin(user, tenant)
    if template not in outbound.EMAIL_TEMPLATES or language not in ("it", "en"):
        raise BadRequest("Modello di e-mail sconosciuto.")
    if source and (problem := check_template(source)):
        raise BadRequest(problem)
    try:
        return outbound.preview_email(tenant, template, source, language)
    except TemplateError as exc:
        raise BadRequest(f"Il testo non si può comporre: {exc}") from exc
