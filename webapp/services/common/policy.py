"""Authorisation in one place: who may see which application and do what to it.

Views and API alike call these functions; a caller who may not know an object gets NotFound.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, false, select
from sqlalchemy import inspect as sa_inspect

from webapp.extensions import db
from webapp.models import (
    ADMIN,
    CITIZEN,
    INTERNAL,
    MANAGER,
    OPERATOR,
    Application,
    Calendar,
    Message,
    Payment,
    ProcessTask,
    ProtocolRegistration,
    Tenant,
    User,
    operator_services,
)
from webapp.models.payments import PAGOPA
from webapp.services.common import statuses
from webapp.services.common.errors import Forbidden, NotFound, TransitionNotAllowed
from webapp.services.common.options import options_of
from webapp.services.common.tenancy import get_scoped, scoped

CITIZEN_ACTIONS = frozenset({"submit", "withdraw"})
STAFF_ACTIONS = frozenset(
    {"assign", "accept", "reject", "request-integration", "accept-integration", "cancel-integration",
     "register", "complete-payment"}
)
ALL_ACTIONS = CITIZEN_ACTIONS | STAFF_ACTIONS
# Outcome actions need the application in the caller's hands (presa in carico obbligatoria).
HOLDER_ACTIONS = frozenset(
    {"accept", "reject", "request-integration", "accept-integration", "cancel-integration"}
)
SEES_ALL = (ADMIN, MANAGER)
_ENABLED_IDS = "_enabled_service_ids"  # a plain attribute on the User instance, not a mapped one


def enabled_service_ids(user: User) -> list[uuid.UUID]:
    """The services an operator works on: from `user.services` when a page loaded them, else their ids only
    (one small query, remembered on this instance for the rest of the request; also for a user whose
    session has closed, as the statistics and the exports' streams have)."""
    if "services" not in sa_inspect(user).unloaded:
        return [service.id for service in user.services]
    known: list[uuid.UUID] | None = user.__dict__.get(_ENABLED_IDS)
    if known is None:
        known = list(db.session.scalars(select(operator_services.c.service_id)
                                        .where(operator_services.c.user_id == user.id)))
        user.__dict__[_ENABLED_IDS] = known
    return known


def visible_applications(user: User, tenant: Tenant) -> Select[Application]:
    """Applications `user` may see: citizens their own, operators their enabled services."""
    query = scoped(Application, tenant)
    if user.tenant_id != tenant.id:
        return query.where(false())
    if user.role == CITIZEN:
        return query.where(Application.user_id == user.id)
    if user.role in SEES_ALL:
        return query
    enabled = db.select(operator_services.c.service_id).where(operator_services.c.user_id == user.id)
    return query.where(
        (Application.service_id.in_(enabled)) | (Application.operator_id == user.id)
    ).where(Application.status != statuses.DRAFT)


def can_view(user: User, app: Application) -> bool:
    if user.tenant_id != app.tenant_id:
        return False
    if user.role == CITIZEN:
        return app.user_id == user.id
    if app.status == statuses.DRAFT and user.role not in SEES_ALL:
        return False
    return user.role in SEES_ALL or app.operator_id == user.id or app.service_id in enabled_service_ids(user)


def get_application(user: User, tenant: Tenant, app_id: Any, *, lock: bool = False) -> Application:
    app = get_scoped(Application, tenant, app_id, lock=lock)
    if not can_view(user, app):
        raise NotFound()
    return app


def withdraw_refusal(user: User, app: Application, payments: Sequence[Payment] | None = None) -> str | None:
    """Why the applicant may not withdraw now (manual a.4), or None when they may.

    `payments`: all the application's payments when the caller has them already (a response that lists
    them), so they are not queried once more."""
    options = options_of(app.service_version)
    if not options.allow_withdraw:
        return "Il ritiro non è previsto per questo servizio."
    if options.payment != "none" or _has_pagopa_payment(app, payments):
        return "Una pratica con un pagamento non può essere ritirata."
    if user.id != app.user_id:
        return "Solo il richiedente può ritirare la pratica."
    if options.workflow == "forward" and app.status > statuses.PRE_SUBMIT:
        return "La pratica è già stata acquisita dal sistema dell'ente e non può essere ritirata."
    if options.protocol_required and app.status == statuses.PRE_SUBMIT:
        return "La pratica è in attesa di protocollazione: potrai ritirarla appena protocollata."
    if app.status not in statuses.WITHDRAWABLE or "withdraw" not in app.waits.get("messages", []):
        return f"Una pratica nello stato «{statuses.app_label(app)}» non può essere ritirata."
    return None


def _has_pagopa_payment(app: Application, payments: Sequence[Payment] | None = None) -> bool:
    """The manual's "a payment" is a pagoPA one: a marca da bollo is a tax stamp the citizen declares,
    not money the ente collects, and the service may let its applications be withdrawn."""
    if payments is not None:
        return any(payment.kind == PAGOPA for payment in payments)
    return db.session.scalar(select(Payment.id).where(Payment.application_id == app.id, Payment.kind == PAGOPA)
                             .limit(1)) is not None


def require_staff(user: User) -> None:
    if not user.is_staff:
        raise Forbidden("Operazione riservata agli operatori dell'ente.")


def _task_for(app: Application, action: str) -> dict[str, Any] | None:
    """The READY task of the standard lifecycle's forms offering `action` (another form's task that offers
    an action of the same name is the process's own step, with no built-in meaning)."""
    for task in app.waits.get("user_tasks", []):
        if action in task.get("actions", []) and task.get("form") in LIFECYCLE_FORMS:
            return task
    return None


def _engine_allows(user: User, app: Application, action: str) -> bool:
    if action == "withdraw":
        return withdraw_refusal(user, app) is None
    if action == "register":
        return "protocol.register_application" in app.waits.get("service_calls", [])
    if action == "complete-payment":
        return "payment_received" in app.waits.get("messages", [])
    if action == "assign" and app.status == statuses.PENDING:
        return True  # reassignment or take-over; the body says which
    # Who may run an action is fixed by the action itself (CITIZEN_ACTIONS / STAFF_ACTIONS): an
    # operator accepts integrations on the citizen's own task.
    return _task_for(app, action) is not None


def refusal(user: User, app: Application, action: str,
            payments: Sequence[Payment] | None = None) -> DomainErrorLike | None:
    """The error that `action` by `user` on `app` would get now, or None if it is allowed (`payments`: as
    for withdraw_refusal)."""
    if action not in ALL_ACTIONS:
        return NotFound(f"Azione '{action}' sconosciuta.")
    if action in CITIZEN_ACTIONS and user.role != CITIZEN:
        return Forbidden("Questa azione spetta al cittadino richiedente.")
    if action in STAFF_ACTIONS and not user.is_staff:
        return Forbidden("Questa azione spetta agli operatori dell'ente.")
    if action == "submit" and app.user_id != user.id:
        return Forbidden("Solo il richiedente può inviare la pratica.")
    if action == "withdraw":
        reason = withdraw_refusal(user, app, payments)
        return TransitionNotAllowed(reason, application_status=app.status) if reason else None
    if not _engine_allows(user, app, action):
        return TransitionNotAllowed(
            f"L'azione '{action}' non è consentita nello stato «{statuses.app_label(app)}» "
            f"({app.status}).",
            application_status=app.status,
        )
    if action == "request-integration" and not options_of(app.service_version).allow_integration_request:
        return TransitionNotAllowed("Il servizio non prevede richieste di integrazione.", application_status=app.status)
    office_refusal = _office_refusal(user, app, action) or _candidate_refusal(user, app, action)
    if office_refusal is not None:
        return office_refusal
    if action in HOLDER_ACTIONS and user.role != ADMIN and app.operator_id != user.id:
        holder = app.operator.full_name if app.operator else "nessun operatore"
        return Forbidden(f"La pratica è in carico a {holder}: prendila in carico prima di procedere.")
    return None


DomainErrorLike = NotFound | Forbidden | TransitionNotAllowed


# --- Process tasks -------------------------------------------------------------------------
# Who completes a user task is written on the task (its `candidate` property, else its lane's name):
#   cittadino        the applicant
#   ufficio          the office handling the application: operators enabled for the service (those of
#                    the office it was assigned to, once assigned), managers, administrators
#   ufficio:<code>   the office with that stable code: its operators enabled for the service, managers,
#                    administrators
#   responsabile     managers and administrators
# The standard lifecycle's forms: a task with one of them keeps its built-in handling (outcome, integration
# request, taking in charge, the citizen's submission).
LIFECYCLE_FORMS = frozenset({"domanda", "presa_in_carico", "esito", "integrazione"})
CITIZEN_CANDIDATE = "cittadino"
OFFICE_CANDIDATE = "ufficio"
MANAGER_CANDIDATE = "responsabile"
NAMED_OFFICE = "ufficio:"


def candidate_kind(candidate: str | None) -> str:
    """The candidate as one of the four kinds; an unknown lane name means the handling office."""
    value = (candidate or "").strip()
    if value in (CITIZEN_CANDIDATE, MANAGER_CANDIDATE) or value.startswith(NAMED_OFFICE):
        return value
    return OFFICE_CANDIDATE


def can_complete_task(user: User, app: Application, candidate: str, office_id: uuid.UUID | None) -> bool:
    """May `user` see and complete a READY task of `app` meant for `candidate`?"""
    if not can_view(user, app):
        return False
    kind = candidate_kind(candidate)
    if kind == CITIZEN_CANDIDATE:
        return user.id == app.user_id
    if not user.is_staff:
        return False
    if user.role in SEES_ALL:
        return True
    if kind == MANAGER_CANDIDATE:
        return False
    enabled = app.service_id in enabled_service_ids(user)
    if kind.startswith(NAMED_OFFICE):
        return enabled and office_id is not None and user.office_id == office_id
    return (enabled or app.operator_id == user.id) and (app.office_id is None or user.office_id == app.office_id
                                                         or app.operator_id == user.id)


# --- Back office ---------------------------------------------------------------------------

def _office_refusal(user: User, app: Application, action: str) -> Forbidden | None:
    """An application sent to an office (automatic assignment) is taken only by that office's operators.

    Managers and administrators may still reassign it by hand.
    """
    if action != "assign" or app.office_id is None or app.operator_id is not None:
        return None
    if user.role in SEES_ALL or user.office_id == app.office_id:
        return None
    office = app.office.name if app.office else "un altro ufficio"
    return Forbidden(f"La pratica è assegnata all'ufficio «{office}»: può prenderla in carico solo un suo "
                     "operatore.")


def _candidate_refusal(user: User, app: Application, action: str) -> Forbidden | None:
    """A lifecycle step the process gives to a named office or to the managers (its `candidate`) is theirs.

    The handling office's steps and the citizen's (an operator accepts integrations on the citizen's task)
    keep the rules above.
    """
    task = _task_for(app, action)
    kind = candidate_kind(task.get("candidate")) if task else OFFICE_CANDIDATE
    if task is None or not (kind == MANAGER_CANDIDATE or kind.startswith(NAMED_OFFICE)):
        return None
    row = db.session.get(ProcessTask, uuid.UUID(str(task["task_id"])))
    if row is None or can_complete_task(user, app, row.candidate, row.office_id):
        return None
    who = row.office.name if row.office else "i responsabili"
    return Forbidden(f"Questo passo della pratica spetta a {who}.")


def is_back_office_user(user: Any, tenant: Tenant) -> bool:
    """Staff of this tenant (operators, managers, administrators) may use the back office."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False)
                and user.tenant_id == tenant.id)


def visible_protocol_registrations(user: User, tenant: Tenant) -> Select[Any]:
    """The protocol register's rows `user` may see: those of the applications they may see (operators:
    their enabled services and their own; managers and administrators: the ente's). Citizens: none."""
    if user.role == CITIZEN or not user.is_staff:
        return select(ProtocolRegistration).where(false())
    visible = visible_applications(user, tenant).with_only_columns(Application.id)
    return select(ProtocolRegistration).where(ProtocolRegistration.tenant_id == tenant.id,
                                              ProtocolRegistration.application_id.in_(visible.scalar_subquery()))


def can_manage_operators(user: User) -> bool:
    """The "Operatori" section: managers and administrators."""
    return user.role in SEES_ALL


def can_edit_settings(user: User) -> bool:
    """The ente's settings (Impostazioni): administrators only."""
    return user.role == ADMIN


def can_view_workshop(user: User, tenant: Tenant) -> bool:
    """The services workshop (modelling services): managers look, administrators change."""
    return user.tenant_id == tenant.id and user.role in SEES_ALL


def can_edit_workshop(user: User, tenant: Tenant) -> bool:
    return user.tenant_id == tenant.id and user.role == ADMIN


def require_workshop(user: User, tenant: Tenant, *, edit: bool) -> None:
    """Citizens (and anyone not of this ente) are not told the workshop exists; other staff are refused."""
    if user.tenant_id != tenant.id or user.role not in (OPERATOR, *SEES_ALL):
        raise NotFound("Risorsa non trovata.")
    allowed = can_edit_workshop(user, tenant) if edit else can_view_workshop(user, tenant)
    if not allowed:
        raise Forbidden("La gestione dei servizi è riservata agli amministratori dell'ente."
                        if edit else "La gestione dei servizi è riservata a responsabili e amministratori.")


def can_create_calendars(user: User) -> bool:
    """Administrators create and delete calendars (opencity-model.md, Users)."""
    return user.role == ADMIN


def can_edit_calendar(user: User, calendar: Calendar) -> bool:
    """Every operator sees every calendar of the ente; only the enabled ones (and administrators) edit."""
    if user.tenant_id != calendar.tenant_id or not user.is_staff:
        return False
    return user.role == ADMIN or calendar.id in {c.id for c in user.calendars}


def can_change_role(user: User, target: User) -> bool:
    """Rendi manager / Rendi operatore: not on oneself, never on an administrator."""
    return can_manage_operators(user) and target.id != user.id and target.role in (OPERATOR, MANAGER)


def require(user: User, app: Application, action: str) -> None:
    error = refusal(user, app, action)
    if error is not None:
        raise error


def available_actions(user: User, app: Application, payments: Sequence[Payment] | None = None) -> list[str]:
    """The transitions `user` may call on `app` right now (the API's `links`; `payments`: as for
    withdraw_refusal)."""
    # Only the caller's own side's actions are asked about: the other side's are refused by role anyway.
    mine = CITIZEN_ACTIONS if user.role == CITIZEN else STAFF_ACTIONS if user.is_staff else frozenset()
    return [action for action in sorted(mine) if refusal(user, app, action, payments) is None]


def require_owner_draft(user: User, app: Application) -> None:
    """Uploading form files: the applicant, while the application is a draft or awaits integrations."""
    if user.id != app.user_id:
        raise Forbidden("Solo il richiedente può allegare file al modulo.")
    if app.status not in (statuses.DRAFT, statuses.DRAFT_FOR_INTEGRATION):
        raise TransitionNotAllowed(
            f"Non si possono aggiungere allegati nello stato «{statuses.app_label(app)}».",
            application_status=app.status,
        )


def require_attachment_visible(user: User, attachment: Any) -> None:
    """Citizens never see files of private notes."""
    if user.role != CITIZEN or attachment.message_id is None:
        return
    message = db.session.get(Message, attachment.message_id)
    if message is not None and message.visibility == INTERNAL:
        raise NotFound()
