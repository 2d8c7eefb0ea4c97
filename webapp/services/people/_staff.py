"""Back-office login: username or e-mail + password (argon2id), throttled by `login_guard`; password
reset. Reset links carry a random token; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func

from webapp.extensions import db
from webapp.models import STAFF_ROLES, Tenant, User
from webapp.models.backoffice import PasswordResetToken
from webapp.services import outbound
from webapp.services.common.errors import BadRequest, FieldProblem, ValidationFailed
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

from . import _audit, _login_guard, _sessions
from ._credentials import hash_password

MIN_PASSWORD_LENGTH = 10
RESEND_SECONDS = 60


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def find_staff(tenant: Tenant, login: str) -> User | None:
    """A back-office account by username (case-insensitive) or e-mail."""
    value = login.strip().lower()
    if not value:
        return None
    query = scoped(User, tenant).where(User.role.in_(STAFF_ROLES)).where(
        (func.lower(User.username) == value) | (func.lower(User.email) == value))
    return db.session.scalars(query.limit(1)).first()


def login(tenant: Tenant, username: str, password: str, address: str) -> User:
    """The staff member, or Unauthorized / LoginThrottled (the same count as the API's /auth)."""
    return _login_guard.attempt(tenant, username, password, address, lambda typed: find_staff(tenant, typed),
                               "Nome utente o password non validi.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_token(user: User) -> str:
    """Inside a unit of work: a new single-use token for `user` (the clear text is returned once)."""
    token = secrets.token_urlsafe(32)
    ttl = current_app.config["PASSWORD_RESET_TTL_SECONDS"]
    db.session.add(PasswordResetToken(tenant_id=user.tenant_id, user_id=user.id, token_hash=_token_hash(token),
                                      expires_at=_now() + timedelta(seconds=ttl)))
    db.session.flush()
    return token


def request_password_reset(tenant: Tenant, login_or_email: str, link: Callable[[str], str]) -> None:
    """E-mail a reset link when the account exists and has an address; the caller says the same either way."""
    with unit_of_work():
        user = find_staff(tenant, login_or_email)
        if user is None or not user.email or _recently_sent(user):
            return
        token = issue_reset_token(user)
        minutes = current_app.config["PASSWORD_RESET_TTL_SECONDS"] // 60
        body = (f"Buongiorno {user.full_name},\n\nè stato chiesto di reimpostare la password del back office di "
                f"{tenant.name}. Per scegliere una nuova password apri questo collegamento entro {minutes} "
                f"minuti:\n\n{link(token)}\n\nSe non hai fatto tu la richiesta, ignora questo messaggio: "
                "la password attuale resta valida.\n")
        outbound.queue_email(tenant.id, user.email, f"{tenant.name}: reimposta la password", body,
                                  f"password-reset:{_token_hash(token)}")


def _recently_sent(user: User) -> bool:
    since = _now() - timedelta(seconds=RESEND_SECONDS)
    query = db.select(func.count()).select_from(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > since)
    return bool(db.session.scalar(query))


def _valid_token(tenant: Tenant, token: str, *, lock: bool = False) -> PasswordResetToken:
    query = scoped(PasswordResetToken, tenant).where(PasswordResetToken.token_hash == _token_hash(token or ""))
    row = db.session.scalar(query.with_for_update() if lock else query)
    expires = _aware(row.expires_at) if row is not None else None
    if row is None or row.used_at is not None or expires is None or expires <= _now():
        raise BadRequest("Il collegamento per reimpostare la password non è valido, è già stato usato o è "
                         "scaduto: chiedine uno nuovo.")
    return row


def check_reset_token(tenant: Tenant, token: str) -> None:
    _valid_token(tenant, token)


def reset_password(tenant: Tenant, token: str, password: str, confirm: str) -> User:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(FieldProblem("password", f"La password deve avere almeno {MIN_PASSWORD_LENGTH} "
                                     "caratteri.", "minLength"))
    if password != confirm:
        problems.append(FieldProblem("confirm", "Le due password non coincidono.", "const"))
    with unit_of_work():
        row = _valid_token(tenant, token, lock=True)
        if problems:
            raise ValidationFailed(problems)
        user = db.session.get(User, row.user_id)
        if user is None:
            raise BadRequest("Account non più attivo.")
        user.password_hash = hash_password(password)
        now = _now()
        pending = scoped(PasswordResetToken, tenant).where(PasswordResetToken.user_id == user.id,
                                                            PasswordResetToken.used_at.is_(None))
        for other in db.session.scalars(pending):
            other.used_at = now
        _login_guard.forget_failures(user)
        _sessions.end_everywhere(user)
        _audit.audit(user, "password_reset", user)
    return user
