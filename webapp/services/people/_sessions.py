"""Signed-in browser sessions kept on the server, and the API tokens' credentials version.

The session cookie is signed but lives in the browser: without a record here, a copy taken before
logging out would keep working. Logging out ends one session; a new password or a new role ends all
of the person's sessions and every API token issued before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, exists, select

from webapp.extensions import db
from webapp.models import LoginSession, Tenant, User
from webapp.services.common.tenancy import parse_uuid
from webapp.services.common.uow import unit_of_work

SESSION_KEY = "login_session"  # the key of the session's id inside Flask's signed session


def open_session(user: User) -> str:
    """A new session for `user`; its id goes into the (signed) session cookie."""
    with unit_of_work():
        row = LoginSession(tenant_id=user.tenant_id, user_id=user.id)
        db.session.add(row)
        db.session.flush()
        return str(row.id)


# The tenant of the address and the person its session cookie names, when that session is still open here:
# one statement for what every signed-in page needs before its own work (built once).
_TENANT_AND_VISITOR = (
    select(Tenant, User)
    .outerjoin(User, and_(User.tenant_id == Tenant.id, User.id == bindparam("user_id"),
                          exists().where(LoginSession.id == bindparam("session_id"), LoginSession.user_id == User.id,
                                         LoginSession.tenant_id == Tenant.id)))
    .where(Tenant.slug == bindparam("slug"))
)


def _login_ids(login_id: str, session_id: Any) -> tuple[Any, Any, Any] | None:
    """(tenant id, user id, session id) of a login, or None when one of them is not an id."""
    tenant_part, _, user_part = login_id.partition(":")
    ids = parse_uuid(tenant_part), parse_uuid(user_part), parse_uuid(session_id)
    return None if None in ids else ids


def tenant_and_visitor(slug: str, login_id: str, session_id: Any) -> tuple[Tenant, User | None] | None:
    """The tenant of the address and the person its session stands for (None: anonymous there, as
    `user_of_session` says), in one query; None for an unknown tenant or a login that names no ids, and the
    caller takes the usual way."""
    ids = _login_ids(login_id, session_id)
    if ids is None:
        return None
    tenant_id, user_id, sid = ids
    row = db.session.execute(_TENANT_AND_VISITOR, {"slug": slug, "user_id": user_id, "session_id": sid}).first()
    if row is None:
        return None
    tenant, user = row
    return tenant, user if tenant.id == tenant_id else None


def user_of_session(login_id: str, current_tenant: Tenant | None, session_id: Any) -> User | None:
    """The person a browser session stands for (`login_id` is "tenant:user"), on this tenant's pages
    only, while its record here is open."""
    tenant_part, _, user_part = login_id.partition(":")
    tenant_id, user_id = parse_uuid(tenant_part), parse_uuid(user_part)
    if tenant_id is None or user_id is None or (current_tenant is not None and current_tenant.id != tenant_id):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.tenant_id != tenant_id:
        return None
    return user if is_open(user, session_id) else None


def is_open(user: User, session_id: Any) -> bool:
    sid = parse_uuid(session_id)
    if sid is None:
        return False
    row = db.session.get(LoginSession, sid)
    return row is not None and row.user_id == user.id and row.tenant_id == user.tenant_id


def close_session(session_id: Any) -> None:
    sid = parse_uuid(session_id)
    if sid is None:
        return
    with unit_of_work():
        db.session.execute(db.delete(LoginSession).where(LoginSession.id == sid))


def end_everywhere(user: User) -> None:
    """Inside a unit of work: every session and API token of `user` stops working."""
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id))
    user.credentials_version = (user.credentials_version or 0) + 1

