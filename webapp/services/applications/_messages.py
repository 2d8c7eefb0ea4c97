"""Messages between the office and the citizen, private notes, and their attachments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from webapp.extensions import db
from webapp.models import APPLICANT, CITIZEN, INTERNAL, Application, Message, Tenant, User
from webapp.services import outbound
from webapp.services.common import policy, statuses
from webapp.services.common.errors import FieldProblem, Forbidden, TransitionNotAllowed, ValidationFailed
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work
from webapp.services.common.uploads import Upload, sniff_type, store_attachment

from ._commands import NewMessage
from ._history import actor_fields

MAX_MESSAGE_CHARS = 20_000
INTEGRATION_REQUEST = "Richiesta di integrazioni"  # the subject of the office's request (and how it is found)


def post_message_locked(app: Application, author: User, text: str, uploads: Sequence[Upload],
                        subject: str | None = None, visibility: str = APPLICANT, notify: bool = True) -> Message:
    """Inside a unit of work: every upload is checked before anything is written.

    `notify=False` when the message goes with a step whose own e-mail carries its text (an integration
    request, an outcome's motivation): the citizen gets one e-mail, not two.
    """
    for upload in uploads:
        sniff_type(upload)
    message = Message(tenant_id=app.tenant_id, application_id=app.id, author_id=author.id,
                      author_name=actor_fields(author, app)["actor_name"], subject=subject, body=text,
                      visibility=visibility)
    db.session.add(message)
    db.session.flush()
    for upload in uploads:
        store_attachment(app, upload, author, "message_attachment", message_id=message.id)
    db.session.refresh(message)
    if notify:
        outbound.message_posted(app, message)
    return message


def list_messages(tenant: Tenant, user: User, app_id: Any) -> list[Message]:
    app = policy.get_application(user, tenant, app_id)
    query = scoped(Message, tenant).where(Message.application_id == app.id)
    if user.role == CITIZEN:
        query = query.where(Message.visibility == APPLICANT)
    return list(db.session.scalars(query.order_by(Message.created_at, Message.id)))


def latest_integration_request(app: Application) -> Message | None:
    """The office's most recent request for integrations on `app` (shown above the citizen's answer)."""
    query = (db.select(Message).where(Message.tenant_id == app.tenant_id, Message.application_id == app.id,
                                      Message.subject == INTEGRATION_REQUEST, Message.visibility == APPLICANT)
             .order_by(Message.created_at.desc(), Message.id.desc()).limit(1))
    return db.session.scalar(query)


def post_message(tenant: Tenant, user: User, app_id: Any, new: NewMessage) -> Message:
    text, visibility = new.text, new.visibility
    if not text.strip():
        raise ValidationFailed([FieldProblem("/message", "Il testo del messaggio è obbligatorio.", "required")])
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationFailed([FieldProblem("/message", "Il messaggio è troppo lungo.", "maxLength")])
    if visibility not in (APPLICANT, INTERNAL):
        raise ValidationFailed([FieldProblem("/visibility", "Valori ammessi: applicant, internal.", "enum")])
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id)
        if visibility == INTERNAL and not user.is_staff:
            raise Forbidden("Le note private sono riservate agli operatori.")
        if app.status == statuses.DRAFT:
            raise TransitionNotAllowed("Si possono inviare messaggi solo su pratiche inviate.",
                                       application_status=app.status)
        message = post_message_locked(app, user, text.strip(), new.attachments, new.subject, visibility)
    return message
