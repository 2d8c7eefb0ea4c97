"""Notifications through the transactional outbox: rows commit with the change, delivery comes after."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from jinja2.sandbox import SandboxedEnvironment

import connectors
from webapp.extensions import db
from webapp.models import Application, Message, OutboxMessage, Payment, StatusChange, Tenant
from webapp.services.common import formatting, statuses
from webapp.services.common.options import options_of
from webapp.services.common.uow import after_commit

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


_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")  # what a template's optional parts leave: one blank line is enough

# Tenants write their own texts; they are data, so they run sandboxed (no attribute tricks, no imports).
_TENANT_TEMPLATES = SandboxedEnvironment(autoescape=False)
_TENANT_TEMPLATES.filters.update(formatting.FILTERS)  # dates, times and amounts as in our own texts


def _tenant_text(tenant: Tenant | None, template: str, language: str, status: int | None) -> str | None:
    """The ente's own text: settings["email_templates"] keyed "<template>[.<status>].<language>"."""
    own: dict[str, str] = (tenant.setting("email_templates") or {}) if tenant else {}
    keys = ([f"{template}.{status}.{language}"] if status else []) + [f"{template}.{language}"]
    return next((own[key] for key in keys if key in own), None)


# --- What the citizen is told, and when ------------------------------------------------------------
# The moments that matter to the citizen; an ente keeps the ones it lists in settings["citizen_notifications"]
# (all of them when it lists nothing). README, "E-mail texts", documents them.
SUBMITTED, TAKEN_IN_CHARGE, INTEGRATION_REQUESTED = "submitted", "taken_in_charge", "integration_requested"
PAYMENT_DUE, PAYMENT_EXPIRED, OUTCOME, WITHDRAWN = "payment_due", "payment_expired", "outcome", "withdrawn"
CITIZEN_MOMENTS = (SUBMITTED, TAKEN_IN_CHARGE, INTEGRATION_REQUESTED, PAYMENT_DUE, PAYMENT_EXPIRED, OUTCOME,
                   WITHDRAWN)

# The status whose entry is the moment. Every other one is the office's or the system's step: 1900 Inviata
# (the receipt is still being made), 3000 and the 4100/4300/4400 protocol steps, 4500 and 1520 (the office
# or the process moves on by itself), 6000/8000 (the outcome waits for its protocol: it is told once, final).
# Payment due (1500) is told by payment_due(), which knows the notice.
MOMENT_OF_STATUS: dict[int, str] = {
    statuses.SUBMITTED: SUBMITTED,  # Acquisita: the receipt is ready
    statuses.PENDING: TAKEN_IN_CHARGE,
    statuses.DRAFT_FOR_INTEGRATION: INTEGRATION_REQUESTED,  # the citizen can answer (after the protocol)
    statuses.PAYMENT_ERROR: PAYMENT_EXPIRED,  # the notice expired unpaid: the application stops here
    statuses.COMPLETE: OUTCOME,
    statuses.PARTIALLY_COMPLETE: OUTCOME,
    statuses.CANCELLED: OUTCOME,
    statuses.REVOKED: OUTCOME,
    statuses.WITHDRAW: WITHDRAWN,
}
INTEGRATION_REQUEST_EVENT = "integration_requested"  # the history event whose note is the request's text


def citizen_moments(tenant: Tenant | None) -> frozenset[str]:
    """The moments this ente tells its citizens about: settings["citizen_notifications"], else all."""
    chosen = tenant.setting("citizen_notifications") if tenant else None
    if not isinstance(chosen, list):
        return frozenset(CITIZEN_MOMENTS)
    return frozenset(moment for moment in chosen if moment in CITIZEN_MOMENTS)


def moment_of(changes: Sequence[StatusChange]) -> tuple[StatusChange, str] | None:
    """The one moment a step means to the citizen (the last one it reaches), with its history row."""
    answered = any(change.status == statuses.SUBMITTED_AFTER_INTEGRATION for change in changes)
    for change in reversed(changes):
        moment = MOMENT_OF_STATUS.get(change.status)
        if moment == TAKEN_IN_CHARGE and answered:
            return None  # the citizen's own integration answer, back with the office (4300 -> 4000)
        if moment is not None:
            return change, moment
    return None


def _text_for_citizen(app: Application, moment: str) -> str | None:
    """What the office wrote for the citizen with this moment: the outcome's motivation or the integration
    request. Never the history's other notes (assignments, take-overs), which are the office's."""
    if moment == OUTCOME:
        return app.outcome_motivation
    if moment == INTEGRATION_REQUESTED:  # with protocol the request was made in an earlier step
        return db.session.scalar(
            db.select(StatusChange.note).where(StatusChange.application_id == app.id,
                                               StatusChange.event == INTEGRATION_REQUEST_EVENT)
            .order_by(StatusChange.created_at.desc()).limit(1))
    return None


def citizen_link(app: Application, tenant: Tenant, anchor: str | None = None) -> str:
    """The application's page in the Area personale, absolute on PUBLIC_URL: workers send mail outside
    any request, so the route is built from the URL map rather than the current request."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    urls = current_app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/",
                                    url_scheme=base.scheme or "https")
    page = urls.build("citizen.application", {"tenant": tenant.slug, "app_id": str(app.id)}, force_external=True)
    return f"{page}#{anchor}" if anchor else page


def _render(template: str, app: Application, language: str, anchor: str | None = None,
            **context: Any) -> tuple[str, str]:
    """Subject (first line) and body: the tenant's own text for this template if it set one, else ours."""
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None
    change = context.get("change")
    values = {"app": app, "tenant": tenant, "link": citizen_link(app, tenant, anchor), "label": statuses.label,
              "format_euro": connectors.payments.format_euro, **context}
    own = _tenant_text(tenant, template, language, change.status if change is not None else None)
    with force_locale(language):
        if own is not None:
            body = _TENANT_TEMPLATES.from_string(own).render(**values)
        else:
            body = render_template(f"email/{template}.txt", **values)
    subject, _, text = body.partition("\n")
    return subject.strip(), _BLANK_LINES.sub("\n\n", text.strip()) + "\n"


def _citizen_language(app: Application) -> str:
    return str((app.user.identity or {}).get("language") or "it") if app.user else "it"


def _tell_citizen(app: Application, subject: str, body: str, key: str,
                  io_payload: dict[str, Any] | None = None, channels: Sequence[str] | None = None) -> None:
    """By e-mail, and on App IO where the service uses it: the same text, under the same key."""
    if app.user and app.user.email and (channels is None or "email" in channels):
        queue_email(app.tenant_id, app.user.email, subject, body, f"{key}:citizen", app.id)
    io_wanted = channels is None or "app_io" in channels
    if io_wanted and options_of(app.service_version).io_enabled and app.applicant_fiscal_code:
        queue_email(app.tenant_id, app.applicant_fiscal_code, subject, body, f"{key}:io", app.id,
                    channel="app_io", payload=io_payload)


def status_changed(app: Application, changes: Sequence[StatusChange]) -> None:
    """One step of the process (one or more statuses entered): a message to the citizen only when the
    step reaches a moment that matters to them and their ente keeps it (citizen_moments)."""
    found = moment_of(changes)
    tenant = db.session.get(Tenant, app.tenant_id)
    if found is None or found[1] not in citizen_moments(tenant):
        return
    change, moment = found
    subject, body = _render("status_change", app, _citizen_language(app), change=change, moment=moment,
                            text=_text_for_citizen(app, moment))
    _tell_citizen(app, subject, body, f"status:{change.id}")


def payment_due(app: Application, due: Sequence[Payment]) -> None:
    """What the citizen must pay now, in one message: pagoPA notices (with the "Paga" button on App IO)
    and stamps (marche da bollo) whose data they enter in the Area personale."""
    tenant = db.session.get(Tenant, app.tenant_id)
    if not due or PAYMENT_DUE not in citizen_moments(tenant):
        return
    notice = next((p for p in due if p.notice_number), None)
    subject, body = _render("payment_due", app, _citizen_language(app), anchor="pagamenti", payments=list(due),
                            payment=notice or due[0], euro=connectors.payments.format_euro(sum(p.amount for p in due)))
    payload = {"payment": {"amount": notice.amount, "notice_number": notice.notice_number}} if notice else None
    _tell_citizen(app, subject, body, f"payment:{(notice or due[0]).id}", payload)


def message_posted(app: Application, message: Message) -> None:
    """An office message to the citizen arrives by e-mail too, with its text (private notes never)."""
    recipient = app.user.email if app.user else None
    if not recipient or message.author_id == app.user_id or message.visibility != "applicant":
        return
    subject, body = _render("message", app, _citizen_language(app), anchor="messaggi", message=message)
    queue_email(app.tenant_id, recipient, subject, body, f"message:{message.id}:citizen", app.id)


# A service's own process tells the citizen (or an office) only where its diagram says so: a send task or
# message throw event with a `template` property; the texts are the service's (service.yaml `notifications`).
STANDARD_LIFECYCLE = "standard_lifecycle"


# A process's notification text of this name is its own receipt e-mail: the acknowledgement then only posts
# the Area personale message.
RECEIPT_TEMPLATE = "ricevuta"


def speaks_by_moments(app: Application) -> bool:
    """The standard lifecycle tells the citizen its moments (MOMENT_OF_STATUS); a service with its own
    process tells only what its send tasks say, unless its options keep the moments (`citizen_moments`)."""
    chosen = options_of(app.service_version).citizen_moments
    if chosen is not None:
        return chosen
    return app.service_version.manifest.get("process_id") == STANDARD_LIFECYCLE


def submission_acknowledged(app: Application, message: Message) -> None:
    """The ente's acknowledgement of a submission, posted in the Area personale: by e-mail (and App IO) too
    where the ente keeps that moment and the moments' own e-mail (at 2000 Acquisita) does not tell it."""
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None
    if SUBMITTED not in citizen_moments(tenant) or speaks_by_moments(app):
        return
    if RECEIPT_TEMPLATE in (app.service_version.manifest.get("notifications") or {}):
        return  # the process tells the receipt in its own words (its send task): one e-mail, not two
    with force_locale(_citizen_language(app)):
        subject = gettext("%(service)s: domanda ricevuta", service=app.service.name)
        greeting = gettext("Gentile %(name)s,", name=app.applicant_name)
    _tell_citizen(app, subject, f"{greeting}\n\n{message.body}\n\n{tenant.name}\n", f"acknowledgement:{message.id}")


def process_notice(app: Application, template: str, to: str, channels: Sequence[str], key: str,
                   recipients: Sequence[str] = ()) -> None:
    """A send task of the service's process reached: its text to the citizen (`to` cittadino) or by e-mail to
    `recipients` (the staff the web app found for `to`). Once per task (the key is the task's id)."""
    language = _citizen_language(app) if to == "cittadino" else "it"
    subject, body = _service_text(app, template, language)
    if to == "cittadino":
        _tell_citizen(app, subject, body, f"notice:{key}", channels=channels)
        return
    for address in recipients:
        queue_email(app.tenant_id, address, subject, body, f"notice:{key}:{address}", app.id)


def _service_text(app: Application, template: str, language: str) -> tuple[str, str]:
    texts = (app.service_version.manifest.get("notifications") or {}).get(template) or {}
    tenant = db.session.get(Tenant, app.tenant_id)
    assert tenant is not None

    def pick(part: str) -> str:
        value = texts.get(part) if isinstance(texts, dict) else None
        if isinstance(value, dict):
            value = value.get(language) or value.get("it")
        return value if isinstance(value, str) else ""

    values = {"app": app, "tenant": tenant, "link": citizen_link(app, tenant), "label": statuses.label,
              "data": app.data or {}}
    subject = pick("subject") or app.service.name
    body = pick("body") or "{{ app.service.name }}: {{ link }}"
    with force_locale(language):
        subject = _TENANT_TEMPLATES.from_string(subject).render(**values)
        body = _TENANT_TEMPLATES.from_string(body).render(**values)
    return subject.strip().splitlines()[0] if subject.strip() else app.service.name, \
        _BLANK_LINES.sub("\n\n", body.strip()) + "\n"


def on_application_status_changed(app: Application, *, previous_status: int | None,
                                  changes: Sequence[StatusChange]) -> None:
    """Receiver of `signals.application_status_changed`: the citizen hears of the moments that matter (the
    standard lifecycle's; a service's own process speaks through its send tasks)."""
    if changes and speaks_by_moments(app):
        status_changed(app, changes)


# The e-mail texts an ente may replace (settings["email_templates"]), with what each is about.
EMAIL_TEMPLATES = ("status_change", "payment_due", "message")


def preview_email(tenant: Tenant, template: str, source: str | None, language: str = "it") -> tuple[str, str] | None:
    """What `source` (else the platform's text) gives for the ente's latest application, as it would be sent:
    (subject, body); None when the ente has no application to show it with."""
    app = db.session.scalar(db.select(Application).where(Application.tenant_id == tenant.id,
                                                         Application.submitted_at.is_not(None))
                            .order_by(Application.created_at.desc()).limit(1))
    if app is None:
        return None
    change = db.session.scalar(db.select(StatusChange).where(StatusChange.application_id == app.id)
                               .order_by(StatusChange.created_at.desc()).limit(1))
    payment = db.session.scalar(db.select(Payment).where(Payment.application_id == app.id).limit(1))
    message = db.session.scalar(db.select(Message).where(Message.application_id == app.id).limit(1))
    context: dict[str, Any] = {"change": change, "moment": SUBMITTED, "text": None, "payments": [payment] if payment
                               else [], "payment": payment, "euro": connectors.payments.format_euro(
                                   payment.amount if payment else 0), "message": message}
    values = {"app": app, "tenant": tenant, "link": citizen_link(app, tenant), "label": statuses.label,
              "format_euro": connectors.payments.format_euro, **context}
    with force_locale(language):
        if source and source.strip():
            body = _TENANT_TEMPLATES.from_string(source).render(**values)
        else:
            body = render_template(f"email/{template}.txt", **values)
    subject, _, text = body.partition("\n")
    return subject.strip(), _BLANK_LINES.sub("\n\n", text.strip()) + "\n"
