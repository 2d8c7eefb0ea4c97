"""Offices (managers and administrators): create, rename, close; their operators and services.

An office keeps its code when renamed (processes name it as `ufficio:<code>`). Its services are the ones it
handles: its operators are enabled for them, and an operator joining the office is enabled for them too.

Closing an office with open work is refused (the message names the work) rather than reassigning it on
the office's behalf: where an application or a process step goes is a decision about each case, which the
staff make with the assignment they already have; moving everything to some other office at once would
send citizens' cases to people who never chose to take them. Once the office holds nothing open it closes:
its operators leave it, it takes no new operators, and it stays in the history that names it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from webapp.extensions import db
from webapp.models import STAFF_ROLES, TASK_READY, Application, Office, ProcessTask, Tenant, User
from webapp.models.tenancy import office_code
from webapp.services.common import statuses
from webapp.services.common.errors import Conflict, FieldProblem, ValidationFailed
from webapp.services.common.tenancy import get_scoped, scoped
from webapp.services.common.uow import unit_of_work

from . import _audit
from ._operators import EMAIL, list_services, require_manager

CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def get_office(tenant: Tenant, user: User, office_id: Any) -> Office:
    require_manager(user)
    return get_scoped(Office, tenant, office_id)


def office_members(tenant: Tenant, office: Office) -> list[User]:
    query = scoped(User, tenant).where(User.office_id == office.id, User.role.in_(STAFF_ROLES))
    return list(db.session.scalars(query.order_by(User.family_name, User.name)))


def staff_accounts(tenant: Tenant) -> list[User]:
    query = scoped(User, tenant).where(User.role.in_(STAFF_ROLES))
    return list(db.session.scalars(query.order_by(User.family_name, User.name, User.username)))


def _name_taken(tenant: Tenant, name: str, code: str, current: Office | None) -> list[FieldProblem]:
    problems = []
    others = [o for o in db.session.scalars(scoped(Office, tenant)) if current is None or o.id != current.id]
    if any(o.name.lower() == name.lower() for o in others):
        problems.append(FieldProblem("name", "Esiste già un ufficio con questo nome.", "unique"))
    if current is None and any(o.code == code for o in others):
        problems.append(FieldProblem("code", "Esiste già un ufficio con questo codice.", "unique"))
    return problems


def _checked(tenant: Tenant, form: dict[str, Any], current: Office | None) -> dict[str, Any]:
    problems: list[FieldProblem] = []
    name = " ".join(str(form.get("name") or "").split())[:200]
    email = str(form.get("email") or "").strip().lower()[:254]
    if not name:
        problems.append(FieldProblem("name", "Il nome dell'ufficio è obbligatorio.", "required"))
    if email and not EMAIL.fullmatch(email):
        problems.append(FieldProblem("email", "Indica un indirizzo e-mail valido.", "format"))
    values: dict[str, Any] = {"name": name, "email": email or None}
    if current is None:
        code = str(form.get("code") or "").strip().lower() or office_code(name)
        if not CODE.fullmatch(code):
            problems.append(FieldProblem("code", "Codice di 1-63 caratteri: lettere minuscole, cifre e trattini.",
                                         "format"))
        values["code"] = code
    if name:
        problems += _name_taken(tenant, name, values.get("code", ""), current)
    if problems:
        raise ValidationFailed(problems)
    return values


def create_office(tenant: Tenant, user: User, form: dict[str, Any]) -> Office:
    require_manager(user)
    with unit_of_work():
        values = _checked(tenant, form, None)
        office = Office(tenant_id=tenant.id, **values)
        db.session.add(office)
        db.session.flush()
        _audit.audit(user, "office_created", office, {"code": office.code})
    return office


def update_office(tenant: Tenant, user: User, office_id: Any, form: dict[str, Any]) -> Office:
    """Rename (the code stays), e-mail, operators (`members`: account ids) and services (`services`: ids)."""
    with unit_of_work():
        office = get_office(tenant, user, office_id)
        if office.closed_at is not None:
            raise Conflict("L'ufficio è chiuso.")
        values = _checked(tenant, form, office)
        changes: dict[str, Any] = {}
        if values["name"] != office.name:
            changes["renamed_from"] = office.name
        if values["email"] != office.email:
            changes["email"] = values["email"] or ""
        office.name, office.email = values["name"], values["email"]
        wanted_services = {str(s) for s in form.get("services") or []}
        services = [s for s in list_services(tenant) if str(s.id) in wanted_services]
        removed = {s.id for s in office.services} - {s.id for s in services}
        if {s.id for s in services} != {s.id for s in office.services}:
            changes["services"] = ", ".join(s.name for s in services) or "-"
        office.services = services
        wanted_members = {str(m) for m in form.get("members") or []}
        members = [u for u in staff_accounts(tenant) if str(u.id) in wanted_members]
        before = {u.id for u in office_members(tenant, office)}
        for person in office_members(tenant, office):
            if person.id not in {m.id for m in members}:
                person.office_id = None
        for person in members:
            person.office_id = office.id
            kept = [s for s in person.services if s.id not in removed]
            person.services = kept + [s for s in services if s.id not in {k.id for k in kept}]
        if {m.id for m in members} != before:
            changes["members"] = ", ".join(m.username or m.full_name for m in members) or "-"
        if changes:
            _audit.audit(user, "office_changed", office, changes)
    return office


def open_work(tenant: Tenant, office: Office) -> tuple[list[Application], int]:
    """The office's applications not yet closed, and how many process steps wait for it."""
    apps = scoped(Application, tenant).where(Application.office_id == office.id,
                                             Application.status.not_in(statuses.FINAL),
                                             Application.status != statuses.DRAFT)
    tasks = db.select(db.func.count()).select_from(ProcessTask).where(
        ProcessTask.tenant_id == tenant.id, ProcessTask.office_id == office.id, ProcessTask.state == TASK_READY)
    return list(db.session.scalars(apps.order_by(Application.created_at))), db.session.scalar(tasks) or 0


def close_office(tenant: Tenant, user: User, office_id: Any) -> Office:
    """Refused while the office holds open work (see the module's note); then its operators leave it."""
    with unit_of_work():
        office = get_office(tenant, user, office_id)
        if office.closed_at is not None:
            return office
        held, tasks = open_work(tenant, office)
        if held or tasks:
            listed = ", ".join(f"{a.service.name} del {a.created_at:%d/%m/%Y} ({a.id})" for a in held[:10])
            more = f" e altre {len(held) - 10}" if len(held) > 10 else ""
            parts = [f"{len(held)} pratiche aperte" if held else "", f"{tasks} attività da completare" if tasks
                     else ""]
            raise Conflict(f"L'ufficio «{office.name}» ha {' e '.join(p for p in parts if p)}: assegnale a un altro "
                           f"ufficio prima di chiuderlo." + (f" Pratiche: {listed}{more}." if held else ""),
                           applications=[str(a.id) for a in held])
        for person in office_members(tenant, office):
            person.office_id = None
        office.closed_at = datetime.now(UTC)
        _audit.audit(user, "office_closed", office)
    return office
