"""Back-office login: username + password (argon2id), throttling in the database, password reset.

Failures are counted per account and per client address. After LOGIN_SLOWDOWN_AFTER failures each
new attempt must wait longer (1 s, 2 s, 4 s…); after LOGIN_LOCK_AFTER the account (or address) is
locked for LOGIN_LOCK_SECONDS. Addresses get IP_FACTOR times the thresholds (an office behind one
NAT must not lock itself out). Reset links carry a random token; only its SHA-256 is stored.
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
from webapp.models.backoffice import LoginThrottle, PasswordResetToken
from webapp.services import notifications
from webapp.services.auth import hash_password, verify_password
from webapp.services.errors import BadRequest, DomainError, FieldProblem, Unauthorized, ValidationFailed
from webapp.services.tenancy import scoped
from webapp.services.uow import unit_of_work

IP_FACTOR = 5
MIN_PASSWORD_LENGTH = 10
RESEND_SECONDS = 60
USER, IP = "user", "ip"


class LoginThrottled(DomainError):
    status = 429
    title = "Troppi tentativi"

    def __init__(self, seconds: int) -> None:
        minutes = (seconds + 59) // 60
        text = (f"Troppi tentativi di accesso non riusciti: riprova tra {seconds} secondi." if seconds < 120
                else f"Accesso temporaneamente bloccato dopo troppi tentativi: riprova tra {minutes} minuti.")
        super().__init__(text, retry_after=seconds)
        self.seconds = seconds


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


def _throttle(tenant: Tenant, scope: str, key: str) -> LoginThrottle:
    query = scoped(LoginThrottle, tenant).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
    row = db.session.scalar(query.with_for_update())
    if row is None:
        row = LoginThrottle(tenant_id=tenant.id, scope=scope, key=key[:200], failures=0)
        db.session.add(row)
        db.session.flush()
    return row


def _thresholds(scope: str) -> tuple[int, int]:
    factor = IP_FACTOR if scope == IP else 1
    config = current_app.config
    return config["LOGIN_SLOWDOWN_AFTER"] * factor, config["LOGIN_LOCK_AFTER"] * factor


def _wait_seconds(row: LoginThrottle, now: datetime) -> int:
    """Seconds before `row` allows another attempt (0: now)."""
    blocked, last = _aware(row.blocked_until), _aware(row.last_failure_at)
    if blocked is not None:
        if blocked > now:
            return int((blocked - now).total_seconds()) + 1
        row.failures, row.blocked_until = 0, None  # the lock is over: start again
        return 0
    slowdown, _lock = _thresholds(row.scope)
    if last is None or row.failures < slowdown:
        return 0
    ready = last + timedelta(seconds=2 ** (row.failures - slowdown))
    return int((ready - now).total_seconds()) + 1 if ready > now else 0


def _record_failure(row: LoginThrottle, now: datetime) -> None:
    row.failures += 1
    row.last_failure_at = now
    _slowdown, lock = _thresholds(row.scope)
    if row.failures >= lock:
        row.blocked_until = now + timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])


def login(tenant: Tenant, username: str, password: str, address: str) -> User:
    """The staff member, or Unauthorized / LoginThrottled; every outcome is recorded first."""
    keys = ((USER, username.strip().lower()[:200]), (IP, address or "unknown"))
    with unit_of_work():
        now = _now()
        rows = [_throttle(tenant, scope, key) for scope, key in keys]
        wait = max(_wait_seconds(row, now) for row in rows)
        if wait:
            outcome: User | int = wait
        else:
            user = find_staff(tenant, username) if username.strip() else None
            if user is not None and verify_password(user.password_hash, password):
                for row in rows:
                    row.failures, row.last_failure_at, row.blocked_until = 0, None, None
                outcome = user
            else:
                verify_password(None, password) if user is None else None  # same time either way
                for row in rows:
                    _record_failure(row, now)
                outcome = 0
    if isinstance(outcome, User):
        return outcome
    if outcome:
        raise LoginThrottled(outcome)
    raise Unauthorized("Nome utente o password non validi.")


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
        notifications.queue_email(tenant.id, user.email, f"{tenant.name}: reimposta la password", body,
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
        key = (user.username or "").lower()
        for throttle in db.session.scalars(scoped(LoginThrottle, tenant).where(
                LoginThrottle.scope == USER, LoginThrottle.key == key)):
            throttle.failures, throttle.blocked_until = 0, None
    return user
