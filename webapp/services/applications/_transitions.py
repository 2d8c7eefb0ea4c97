"""The handling use case: one command locks the application, is checked, advances it, commits once."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from webapp.extensions import db
from webapp.models import ADMIN, Application, Message, Office, ProcessTask, Tenant, User
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
from webapp.services.common.options import options_of
from webapp.services.common.process_start import PROCESS_FORM_DATA
from webapp.services.common.tenancy import get_scoped, scoped
from webapp.services.common.uow import unit_of_work

from . import _history, _once_only, _payment_events, _process, _task_rows
from ._call_results import apply_external_result
from ._commands import (
    Assign,
    Command,
    IntegrationDecision,
    IntegrationRequest,
    Outcome,
    PaymentRegistration,
    Registration,
    Submit,
    TaskAction,
    Withdrawal,
)
from ._drafts import check_version, validate_data
from ._messages import INTEGRATION_REQUEST, post_message_locked
from ._protocol import withdrawal_noted

OUTCOMES = {True: "approved", False: "rejected"}


def transition(tenant: Tenant, user: User, app_id: Any, command: Command,
               expected_version: int | None = None) -> Application:
    """Run `command` on the application for `user`; raises a DomainError when it may not."""
    with unit_of_work():
        app = policy.get_application(user, tenant, app_id, lock=True)
        check_version(app, expected_version)
        task = _process_task_for(tenant, user, app, command.action)
        if task is not None:  # the service's own process says what this action means
            answers = command.data if isinstance(command, TaskAction) else {}
            form = _task_rows.task_form(app, task.form)
            if form is not None:
                validate_data(app, form, answers, draft=False)
            _process.complete_user_task(app, task, {"action": command.action}, answers, user)
            return app
        policy.require(user, app, command.action)
        match command:
            case Submit():
                _submit(user, app, command)
            case Assign():
                _assign(tenant, user, app, command)
            case Outcome():
                _outcome(user, app, command)
            case IntegrationRequest():
                _request_integration(user, app, command)
            case IntegrationDecision():
                _decide_integration(tenant, user, app, command)
            case Withdrawal():
                _withdraw(user, app, command)
            case Registration():
                _register(user, app, command)
            case PaymentRegistration():
                _complete_payment(user, app, command)
    return app


def _process_task_for(tenant: Tenant, user: User, app: Application, action: str) -> ProcessTask | None:
    """The READY task of the service's own process (not of the standard lifecycle's forms) that declares
    `action` and that `user` may complete. Someone else's task is a 404 (as on the tasks' endpoint); an action
    only a process declares, with no such task now, a 409; one no service of the ente declares, a 404."""
    builtin = action in policy.ALL_ACTIONS
    if builtin and not any(action in t.get("actions", []) and t.get("form") not in policy.LIFECYCLE_FORMS
                           for t in app.waits.get("user_tasks", [])):
        return None  # the waits (written with the rows at every step) say no process task declares it
    declaring = [row for row in _task_rows.ready_tasks(app)
                 if action in row.actions and row.form not in policy.LIFECYCLE_FORMS]
    for row in declaring:
        if policy.can_complete_task(user, app, row.candidate, row.office_id):
            return row
    if declaring:  # someone else's task, as the tasks' own endpoint answers
        raise NotFound(f"Azione '{action}' non disponibile.")
    if builtin:
        return None
    if action in catalogue.declared_actions(tenant):
        raise TransitionNotAllowed(f"L'azione '{action}' non è consentita ora: nessuna attività la prevede.",
                                   application_status=app.status)
    raise NotFound(f"Azione '{action}' sconosciuta.")


def _required(text: str | None) -> str:
    if text is None:
        raise ValidationFailed([FieldProblem("/message", "La motivazione è obbligatoria.", "required")])
    return text


def _submit(user: User, app: Application, command: Submit) -> None:
    form = catalogue.form_for(app.service_version)
    if app.status == statuses.DRAFT_FOR_INTEGRATION:  # the citizen's answer to an integration request
        data = command.data if command.data is not None else app.data
        validate_data(app, form, data, draft=False)
        app.data = data
        _once_only.keep_from_application(app, user)
        if command.message or command.attachments:
            post_message_locked(app, user, command.message or "Integrazioni inviate.", command.attachments)
        _process.complete_task(app, "submit", _citizen_data(app), user, "integration_answered", command.message)
        return
    validate_data(app, form, app.data, draft=False)
    _once_only.keep_from_application(app, user)  # what it gives, the ente holds from now on (once only)
    if options_of(app.service_version).allow_anonymous and app.data.get("anonima") is True:
        _history.make_anonymous(app)
    _payment_events.stamp_at_request(app, app.data, form.active_fields(app.data))
    app.submitted_at = datetime.now(UTC)
    _process.complete_task(app, "submit", _citizen_data(app), user, "submitted")


def _citizen_data(app: Application) -> dict[str, Any]:
    """What a citizen's step puts into the process: the form data, as `domanda`, for gateways to read."""
    return {PROCESS_FORM_DATA: copy.deepcopy(app.data)}


def _assign(tenant: Tenant, user: User, app: Application, command: Assign) -> None:
    operator, office = _assignee(tenant, user, app, command)
    if app.status == statuses.PENDING:
        _reassign(user, app, command, operator, office)
        return
    app.operator_id = operator.id if operator else None
    app.office_id = office.id if office else None
    who = operator.full_name if operator else f"ufficio {office.name}" if office else ""
    _process.complete_task(app, "assign", {}, user, "assigned", f"Assegnata a {who}".strip())


def _assignee(tenant: Tenant, user: User, app: Application, command: Assign) -> tuple[User | None, Office | None]:
    """Who gets the application: the command's operator and/or office, else the caller."""
    operator: User | None = None
    office: Office | None = None
    if command.operator_id:
        operator = get_scoped(User, tenant, command.operator_id)
        if not operator.is_staff or not policy.can_view(operator, app):
            raise BadRequest("L'operatore indicato non è abilitato a questo servizio.")
    if command.office_id:
        office = get_scoped(Office, tenant, command.office_id)
    if operator is None and office is None:
        operator = user
    if office is None and operator is not None and operator.office_id:
        office = db.session.get(Office, operator.office_id)
    return operator, office


def _reassign(user: User, app: Application, command: Assign, operator: User | None, office: Office | None) -> None:
    if app.operator_id is not None and not command.explicit and not command.take_over:
        holder = app.operator.full_name if app.operator else "un altro operatore"
        raise Conflict(f"La pratica è già stata presa in carico da {holder}.", operator=holder)
    if app.operator_id is None and app.office_id and user.office_id != app.office_id and user.role != ADMIN:
        raise Forbidden("La pratica è assegnata a un altro ufficio.")
    event = "take_over" if command.take_over else "reassigned" if command.explicit else "assigned"
    app.operator_id = operator.id if operator else None
    app.office_id = office.id if office else app.office_id
    who = operator.full_name if operator else f"ufficio {office.name}" if office else ""
    _history.record_event(app, user, event, f"Assegnata a {who}")


def _outcome(user: User, app: Application, command: Outcome) -> None:
    if command.partial and not options_of(app.service_version).allow_partial_approval:
        raise TransitionNotAllowed("Il servizio non prevede l'approvazione parziale.", application_status=app.status)
    text = command.message if command.approved else _required(command.message)
    if text or command.attachments:
        post_message_locked(app, user, text or "Esito della pratica.", command.attachments, notify=False)
    app.outcome = "partially_approved" if command.partial and command.approved else OUTCOMES[command.approved]
    app.outcome_motivation = text
    data: dict[str, Any] = {"partial": command.partial}
    if command.approved:  # a deferred payment and/or stamps the citizen pays before the outcome is final
        data["deferred_amount"] = _payment_events.request_at_release(app, command.payment_amount, command.stamps)
    _process.complete_task(app, command.action, data, user, app.outcome, text)


def _request_integration(user: User, app: Application, command: IntegrationRequest) -> None:
    text = _required(command.message)
    post_message_locked(app, user, text, command.attachments, subject=INTEGRATION_REQUEST, notify=False)
    _process.complete_task(app, "request-integration", {}, user, outbound.INTEGRATION_REQUEST_EVENT, text)


def _decide_integration(tenant: Tenant, user: User, app: Application, command: IntegrationDecision) -> None:
    if not command.accepted:
        _process.complete_task(app, "cancel-integration", {}, user, "integration_refused",
                               command.message or "Integrazioni rifiutate")
        return
    chosen = command.messages
    if chosen:
        known = {m.id for m in db.session.scalars(scoped(Message, tenant).where(Message.application_id == app.id))}
        unknown = [str(m) for m in chosen if m not in known]
        if unknown:
            raise ValidationFailed([FieldProblem("/messages", f"Messaggi sconosciuti: {unknown}", "enum")])
    note = "Integrazioni accettate" if chosen is None else f"Integrazioni accettate ({len(chosen)} messaggi)"
    _process.complete_task(app, "accept-integration", {}, user, "integration_accepted", note)


def _withdraw(user: User, app: Application, command: Withdrawal) -> None:
    before = app.status
    _process.send_message(app, "withdraw", user, "withdrawn", command.message)
    if app.status == before:  # it waits for the withdrawal's protocol registration: the history says it now
        _history.record_event(app, user, "withdrawn", command.message)
        withdrawal_noted(app)


def _complete_payment(user: User, app: Application, command: PaymentRegistration) -> None:
    """*Registra pagamento*: irreversible; the reason is kept as a private note or sent to the citizen."""
    text = _required(command.message)
    post_message_locked(app, user, text, (), subject="Pagamento registrato", visibility=command.visibility)
    _payment_events.register_manually(app, user, text)


def _register(user: User, app: Application, command: Registration) -> None:
    number = command.protocol_number
    if not isinstance(number, str) or not number.strip():
        raise ValidationFailed([FieldProblem("/protocol_number", "Campo obbligatorio", "required")])
    apply_external_result(app, "protocol.register_application", command.result(), user)
