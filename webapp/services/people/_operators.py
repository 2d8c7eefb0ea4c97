"""Operators (managers only): list, create, edit, delete, manager role; and their notifications."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, update

from webapp.extensions import db
from webapp.models import (
    ADMIN,
    MANAGER,
    OPERATOR,
    STAFF_ROLES,
    Application,
    Attachment,
    Message,
    Office,
    Service,
    StatusChange,
    Tenant,
    User,
    operator_services,
)
from webapp.services import appointments, outbound
from webapp.services.common import policy, statuses
from webapp.services.common.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from webapp.services.common.tenancy import get_scoped, parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _audit, _sessions, _staff

USERNAME = re.compile(r"[a-z0-9._-]{3,150}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def list_offices(tenant: Tenant, *, closed: bool = False) -> list[Office]:
    """The ente's open offices (with `closed`, the closed ones too)."""
    query = scoped(Office, tenant)
    if not closed:
        query = query.where(Office.closed_at.is_(None))
    return list(db.session.scalars(query.order_by(Office.name)))


def list_services(tenant: Tenant) -> list[Service]:
    query = scoped(Service, tenant).where(Service.current_version_id.is_not(None)).order_by(Service.name)
    return list(db.session.scalars(query))


def assignable(tenant: Tenant, app: Application) -> list[User]:
    """Staff who may receive `app`: enabled for its service (managers and administrators always)."""
    query = scoped(User, tenant).where(User.role.in_(STAFF_ROLES)).order_by(User.family_name, User.name)
    return [user for user in db.session.scalars(query) if policy.can_view(user, app)]


def require_manager(user: User) -> None:
    """The Operatori section exists only for managers and administrators (404 for others)."""
    if not policy.can_manage_operators(user):
        raise NotFound()


def list_operators(tenant: Tenant, user: User, search: str = "") -> list[User]:
    require_manager(user)
    query = scoped(User, tenant).where(User.role.in_(STAFF_ROLES))
    text = search.strip().lower()
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(func.lower(User.username).like(pattern), func.lower(User.name).like(pattern),
                                func.lower(User.family_name).like(pattern), func.lower(User.email).like(pattern)))
    return list(db.session.scalars(query.order_by(User.family_name, User.name, User.username)))


def get_operator(tenant: Tenant, user: User, operator_id: Any) -> User:
    require_manager(user)
    operator = get_scoped(User, tenant, operator_id)
    if operator.role not in STAFF_ROLES:
        raise NotFound()
    return operator


def _checked(tenant: Tenant, form: dict[str, Any], *, creating: bool,
             current: User | None = None) -> dict[str, Any]:
    problems = []
    name, family = (form.get("name") or "").strip(), (form.get("family_name") or "").strip()
    email = (form.get("email") or "").strip().lower()
    if not name:
        problems.append(FieldProblem("name", "Il nome è obbligatorio.", "required"))
    if not family:
        problems.append(FieldProblem("family_name", "Il cognome è obbligatorio.", "required"))
    if not EMAIL.fullmatch(email):
        problems.append(FieldProblem("email", "Indica un indirizzo e-mail valido.", "format"))
    values: dict[str, Any] = {"name": name[:100], "family_name": family[:100], "email": email[:254]}
    if creating:
        username = (form.get("username") or "").strip().lower()
        if not USERNAME.fullmatch(username):
            problems.append(FieldProblem("username", "Nome utente di 3-150 caratteri: lettere minuscole, cifre, "
                                         "punto, trattino.", "format"))
        elif _staff.find_staff(tenant, username) is not None or _username_taken(tenant, username):
            problems.append(FieldProblem("username", "Questo nome utente è già in uso.", "unique"))
        values["username"] = username
    office_id = parse_uuid(form.get("office_id")) if form.get("office_id") else None
    office = get_scoped(Office, tenant, office_id) if office_id else None
    if office is not None and office.closed_at is not None and (current is None or current.office_id != office.id):
        problems.append(FieldProblem("office_id", "L'ufficio è chiuso.", "enum"))
    values["office_id"] = office.id if office else None
    wanted = {str(s) for s in form.get("services") or []}
    values["services"] = [s for s in list_services(tenant) if str(s.id) in wanted]
    wanted_calendars = {str(c) for c in form.get("calendars") or []}
    values["calendars"] = [c for c in appointments.list_calendars(tenant) if str(c.id) in wanted_calendars]
    if problems:
        raise ValidationFailed(problems)
    return values


def _username_taken(tenant: Tenant, username: str) -> bool:
    query = db.select(func.count()).select_from(User).where(User.tenant_id == tenant.id,
                                                             func.lower(User.username) == username)
    return bool(db.session.scalar(query))


def creatable_roles(user: User) -> tuple[str, ...]:
    """Managers create operators and managers; only administrators create administrators."""
    if user.role == ADMIN:
        return (OPERATOR, MANAGER, ADMIN)
    return (OPERATOR, MANAGER) if policy.can_manage_operators(user) else ()


def create_operator(tenant: Tenant, user: User, form: dict[str, Any], link: Callable[[str], str]) -> User:
    """A new staff account without a password: an e-mailed single-use link lets them choose one. The role is
    the form's `role` (operator when missing)."""
    require_manager(user)
    role = str(form.get("role") or OPERATOR)
    if role not in STAFF_ROLES:
        raise ValidationFailed([FieldProblem("role", "Ruolo sconosciuto.", "enum")])
    if role not in creatable_roles(user):
        raise Forbidden("Solo un amministratore può creare un altro amministratore.")
    with unit_of_work():
        values = _checked(tenant, form, creating=True)
        operator = User(tenant_id=tenant.id, role=role, **values)
        db.session.add(operator)
        db.session.flush()
        _audit.audit(user, "account_created", operator, {"role": role})
        token = _staff.issue_reset_token(operator)
        hours = current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 3600 or 1
        body = (f"Buongiorno {operator.full_name},\n\nsei stata/o abilitata/o al back office di {tenant.name} "
                f"con il nome utente «{operator.username}». Scegli la tua password entro {hours} ore da qui:\n\n"
                f"{link(token)}\n")
        outbound.queue_email(tenant.id, operator.email or "", f"{tenant.name}: il tuo accesso al back office",
                                  body, f"operator-invite:{operator.id}")
    return operator


def update_operator(tenant: Tenant, user: User, operator_id: Any, form: dict[str, Any]) -> User:
    with unit_of_work():
        operator = get_operator(tenant, user, operator_id)
        values = _checked(tenant, form, creating=False, current=operator)
        changed = sorted(key for key, value in values.items() if _differs(getattr(operator, key), value))
        for key, value in values.items():
            setattr(operator, key, value)
        if changed:
            _audit.audit(user, "account_updated", operator, {"fields": ", ".join(changed)})
    return operator


def _differs(old: Any, new: Any) -> bool:
    if isinstance(new, list):
        return {item.id for item in old or []} != {item.id for item in new}
    return bool(old != new)


def set_manager(tenant: Tenant, user: User, operator_id: Any, manager: bool) -> User:
    """Rendi manager / Rendi operatore."""
    with unit_of_work():
        operator = get_operator(tenant, user, operator_id)
        if not policy.can_change_role(user, operator):
            raise Forbidden("Non puoi cambiare il ruolo di questo account.")
        role = MANAGER if manager else OPERATOR
        if operator.role != role:
            _audit.audit(user, "role_changed", operator, {"from": operator.role, "to": role})
            operator.role = role
            _sessions.end_everywhere(operator)  # what they may do changed: they sign in again
    return operator


def open_applications(tenant: Tenant, operator: User) -> list[Application]:
    query = scoped(Application, tenant).where(Application.operator_id == operator.id,
                                              Application.status.not_in(statuses.FINAL))
    return list(db.session.scalars(query.order_by(Application.created_at)))


def delete_operator(tenant: Tenant, user: User, operator_id: Any) -> str:
    """Refused while the operator holds open applications (the message names them)."""
    with unit_of_work():
        operator = get_operator(tenant, user, operator_id)
        if operator.id == user.id or operator.role not in (OPERATOR, MANAGER):
            raise Forbidden("Non puoi eliminare questo account.")
        held = open_applications(tenant, operator)
        if held:
            listed = ", ".join(f"{a.service.name} del {a.created_at:%d/%m/%Y} ({a.id})" for a in held[:10])
            more = f" e altre {len(held) - 10}" if len(held) > 10 else ""
            raise Conflict(f"{operator.full_name} ha in carico {len(held)} pratiche: riassegnale prima di "
                           f"eliminare l'account. Pratiche: {listed}{more}.", applications=[str(a.id) for a in held])
        name = operator.full_name
        _audit.audit(user, "account_deleted", operator, {"role": operator.role})
        # History keeps names (actor_name, author_name); references to the account are cleared.
        db.session.execute(update(Application).where(Application.operator_id == operator.id).values(operator_id=None))
        db.session.execute(update(Message).where(Message.author_id == operator.id).values(author_id=None))
        db.session.execute(update(Attachment).where(Attachment.owner_id == operator.id).values(owner_id=None))
        db.session.delete(operator)
    return name


def notify_operators(app: Application, status: int) -> int:
    """E-mail every operator enabled for the service about a status change (cannot be switched off).

    Inside the caller's unit of work (through the outbox); returns how many e-mails were queued.
    """
    query = (db.select(User).join(operator_services, operator_services.c.user_id == User.id)
             .where(User.tenant_id == app.tenant_id, operator_services.c.service_id == app.service_id,
                    User.role.in_(STAFF_ROLES), User.email.is_not(None)))
    label = statuses.app_label(app, status)
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    tenant = app.service.tenant_id
    queued = 0
    for operator in db.session.scalars(query):
        key = f"operator-status:{app.id}:{status}:{app.latest_status_change_at.isoformat()}:{operator.id}"
        body = (f"La pratica {app.id} ({app.service.name}) di {app.applicant_name} è ora «{label}».\n\n"
                f"{base}/{_slug(app)}/backoffice/pratiche/{app.id}\n")
        if outbound.queue_email(tenant, operator.email or "", f"Pratica {label}: {app.service.name}", body, key,
                                     application_id=app.id):
            queued += 1
    return queued


def _slug(app: Application) -> str:
    tenant = db.session.get(Tenant, app.tenant_id)
    return tenant.slug if tenant else ""


def on_application_status_changed(app: Application, *, previous_status: int | None,
                                  changes: Sequence[StatusChange]) -> None:
    """Receiver of `signals.application_status_changed`: the enabled operators get an e-mail (not for
    "Inviata", which lasts only until the receipt is ready)."""
    if app.status != previous_status and app.status != statuses.PRE_SUBMIT:
        notify_operators(app, app.status)
