"""The transition endpoints' use cases: each locks the application, checks, advances, commits once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from webapp.extensions import db
from webapp.models import ADMIN, INTERNAL, Application, Message, Office, Tenant, User
from webapp.services import catalogue, outbound
from webapp.services.common import policy, statuses
from webapp.services.common.errors import (
    BadRequest,
    Conflict,
    FieldProblem,
    Forbidden,
    NotFound,
    TransitionNotAllowed,
    ValidationFailed,
)
from webapp.services.common.tenancy import get_scoped, parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _history, _payment_events, _process
from ._call_results import apply_external_result
from ._drafts import check_version, validate_data
from ._messages import INTEGRATION_REQUEST, post_message_locked

OUTCOMES = {"accept": "approved", "reject": "rejected"}


def transition(tenant: Tenant, user: User, app_id: Any, action: str, body: dict[str, Any],
               expected_version: int | None = None) -> Application:
    """Run `action` on the application for `user`; raises a DomainError when it may not."""
    handler = _HANDLERS.get(action)
    if handler is None:
        raise NotFound(f"Azione '{action}' sconosciuta.")
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id, lock=True)
        check_version(app, expected_version)
        policy.require(user, app, action)
        handler(tenant, user, app, body)
    return app


def _message_text(body: dict[str, Any], *, required: bool) -> str | None:
    text = body.get("message")
    if text is not None and not isinstance(text, str):
        raise ValidationFailed([FieldProblem("/message", "Il messaggio deve essere un testo.", "type")])
    text = (text or "").strip() or None
    if required and text is None:
        raise ValidationFailed([FieldProblem("/message", "La motivazione è obbligatoria.", "required")])
    return text


def _submit(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    form = catalogue.form_for(app.service_version)
    if app.status == statuses.DRAFT_FOR_INTEGRATION:  # the citizen's answer to an integration request
        data = body.get("data", app.data)
        validate_data(app, form, data, draft=False)
        app.data = data
        text = _message_text(body, required=False)
        if text or body.get("attachments"):
            post_message_locked(app, user, text or "Integrazioni inviate.", body.get("attachments") or [])
        _process.complete_task(app, "submit", {}, user, "integration_answered", text)
        return
    validate_data(app, form, app.data, draft=False)
    _payment_events.stamp_at_request(app, app.data, form.active_fields(app.data))
    app.submitted_at = datetime.now(UTC)
    _process.complete_task(app, "submit", {}, user, "submitted")


def _assign(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    operator, office = _assignee(tenant, user, app, body)
    if app.status == statuses.PENDING:
        _reassign(user, app, body, operator, office)
        return
    app.operator_id = operator.id if operator else None
    app.office_id = office.id if office else None
    who = operator.full_name if operator else f"ufficio {office.name}" if office else ""
    _process.complete_task(app, "assign", {}, user, "assigned", f"Assegnata a {who}".strip())


def _assignee(tenant: Tenant, user: User, app: Application,
              body: dict[str, Any]) -> tuple[User | None, Office | None]:
    """Who gets the application: the body's operator and/or office, else the caller."""
    operator: User | None = None
    office: Office | None = None
    if body.get("operator_id"):
        operator = get_scoped(User, tenant, body["operator_id"])
        if not operator.is_staff or not policy.can_view(operator, app):
            raise BadRequest("L'operatore indicato non è abilitato a questo servizio.")
    if body.get("office_id"):
        office = get_scoped(Office, tenant, body["office_id"])
    if operator is None and office is None:
        operator = user
    if office is None and operator is not None and operator.office_id:
        office = db.session.get(Office, operator.office_id)
    return operator, office


def _reassign(user: User, app: Application, body: dict[str, Any], operator: User | None,
              office: Office | None) -> None:
    explicit = bool(body.get("operator_id") or body.get("office_id"))
    if app.operator_id is not None and not explicit and not body.get("take_over"):
        holder = app.operator.full_name if app.operator else "un altro operatore"
        raise Conflict(f"La pratica è già stata presa in carico da {holder}.", operator=holder)
    if app.operator_id is None and app.office_id and user.office_id != app.office_id and user.role != ADMIN:
        raise Forbidden("La pratica è assegnata a un altro ufficio.")
    event = "take_over" if body.get("take_over") else "reassigned" if explicit else "assigned"
    app.operator_id = operator.id if operator else None
    app.office_id = office.id if office else app.office_id
    who = operator.full_name if operator else f"ufficio {office.name}" if office else ""
    _history.record_event(app, user, event, f"Assegnata a {who}")


def _outcome(tenant: Tenant, user: User, app: Application, body: dict[str, Any], action: str) -> None:
    partial = bool(body.get("partial", body.get("is_partial", False)))
    if partial and not app.service_version.options.get("allow_partial_approval", False):
        raise TransitionNotAllowed("Il servizio non prevede l'approvazione parziale.", application_status=app.status)
    text = _message_text(body, required=action == "reject")
    if text or body.get("attachments"):
        post_message_locked(app, user, text or "Esito della pratica.", body.get("attachments") or [], notify=False)
    app.outcome = "partially_approved" if partial and action == "accept" else OUTCOMES[action]
    app.outcome_motivation = text
    data: dict[str, Any] = {"partial": partial}
    if action == "accept":  # a deferred payment and/or stamps the citizen pays before the outcome is final
        data["deferred_amount"] = _payment_events.request_at_release(app, body.get("payment"), body.get("stamps") or [])
    _process.complete_task(app, action, data, user, app.outcome, text)


def _accept(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    _outcome(tenant, user, app, body, "accept")


def _reject(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    _outcome(tenant, user, app, body, "reject")


def _request_integration(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    text = _message_text(body, required=True)
    assert text is not None
    post_message_locked(app, user, text, body.get("attachments") or [], subject=INTEGRATION_REQUEST,
                        notify=False)
    _process.complete_task(app, "request-integration", {}, user, outbound.INTEGRATION_REQUEST_EVENT, text)


def _accept_integration(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    chosen = body.get("messages")
    if chosen is not None and (not isinstance(chosen, list) or any(parse_uuid(m) is None for m in chosen)):
        raise ValidationFailed([FieldProblem("/messages", "Indica null, [] o un elenco di id.", "type")])
    if chosen:
        known = {str(m.id) for m in db.session.scalars(
            scoped(Message, tenant).where(Message.application_id == app.id))}
        unknown = [m for m in chosen if str(uuid.UUID(str(m))) not in known]
        if unknown:
            raise ValidationFailed([FieldProblem("/messages", f"Messaggi sconosciuti: {unknown}", "enum")])
    note = "Integrazioni accettate" if chosen is None else f"Integrazioni accettate ({len(chosen)} messaggi)"
    _process.complete_task(app, "accept-integration", {}, user, "integration_accepted", note)


def _cancel_integration(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    _process.complete_task(app, "cancel-integration", {}, user, "integration_refused",
                           _message_text(body, required=False) or "Integrazioni rifiutate")


def _complete_payment(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    """*Registra pagamento*: irreversible; the reason is kept as a private note or sent to the citizen."""
    text = _message_text(body, required=True)
    assert text is not None
    visibility = body.get("visibility") or INTERNAL
    post_message_locked(app, user, text, [], subject="Pagamento registrato", visibility=visibility)
    _payment_events.register_manually(app, user, text)


def _withdraw(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    _process.send_message(app, "withdraw", user, "withdrawn", _message_text(body, required=False))


def _register(tenant: Tenant, user: User, app: Application, body: dict[str, Any]) -> None:
    number = body.get("protocol_number")
    if not isinstance(number, str) or not number.strip():
        raise ValidationFailed([FieldProblem("/protocol_number", "Campo obbligatorio", "required")])
    result = {key: body.get(key) for key in
              ("protocol_number", "protocol_document_id", "protocol_folder_number", "protocol_folder_code")}
    apply_external_result(app, "protocol.register_application", result, user)


_HANDLERS = {
    "submit": _submit,
    "assign": _assign,
    "accept": _accept,
    "reject": _reject,
    "request-integration": _request_integration,
    "accept-integration": _accept_integration,
    "cancel-integration": _cancel_integration,
    "withdraw": _withdraw,
    "register": _register,
    "complete-payment": _complete_payment,
}
