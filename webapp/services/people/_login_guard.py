"""One throttle and one lockout for every way in with a password: the back office's login form and the
API's /auth, shared by all processes through the database.

Failures are counted per account and per client address. After LOGIN_SLOWDOWN_AFTER failures
each new attempt must wait longer (LOGIN_BACKOFF_SECONDS, then twice that, four times…); after
LOGIN_LOCK_AFTER the account (or address) is locked for LOGIN_LOCK_SECONDS. Addresses get IP_FACTOR
times the thresholds (an office behind one NAT must not lock itself out). An account is counted by
its id, whatever name it was typed with (username, e-mail or fiscal code), so that another way of
writing it, or another way in, does not start the count again; a name that is no account is counted
as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import current_app

from webapp.extensions import db
from webapp.models import Tenant, User
from webapp.models.backoffice import LoginThrottle
from webapp.services.common.errors import DomainError, Unauthorized
from webapp.services.common.tenancy import scoped
from webapp.services.common.uow import unit_of_work

from . import _audit, _credentials
from ._credentials import verify_password

IP_FACTOR = 5
ACCOUNT, IP = "user", "ip"


class LoginThrottled(DomainError):
    status = 429
    title = "Troppi tentativi"

    def __init__(self, seconds: int) -> None:
        minutes = (seconds + 59) // 60
        text = (f"Troppi tentativi di accesso non riusciti: riprova tra {seconds} secondi." if seconds < 120
                else f"Accesso temporaneamente bloccato dopo troppi tentativi: riprova tra {minutes} minuti.")
        super().__init__(text, retry_after=seconds)
        self.seconds = seconds


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def account_key(user: User | None, typed: str) -> str:
    return str(user.id) if user is not None else typed.strip().lower()[:200]


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
    first_wait = current_app.config["LOGIN_BACKOFF_SECONDS"]
    ready = last + timedelta(seconds=first_wait * 2 ** (row.failures - slowdown))
    return int((ready - now).total_seconds()) + 1 if ready > now else 0


def _record_failure(row: LoginThrottle, now: datetime) -> None:
    row.failures += 1
    row.last_failure_at = now
    _slowdown, lock = _thresholds(row.scope)
    if row.failures >= lock:
        row.blocked_until = now + timedelta(seconds=current_app.config["LOGIN_LOCK_SECONDS"])


def attempt(tenant: Tenant, typed: str, password: str, address: str, find: Callable[[str], User | None],
            refused: str) -> User:
    """The account `find` gives for the typed name if the password is its own; otherwise Unauthorized
    (with `refused` as its text) or LoginThrottled. Every outcome is recorded before it is told; a refusal
    is also in the audit log (the name as typed when it is no account)."""
    return _guarded(tenant, typed, address, find,
                    lambda user: user is not None and verify_password(user.password_hash, password),
                    lambda: verify_password(None, password), refused, "password")


def check_second_step(tenant: Tenant, user: User, address: str, check: Callable[[User], bool],
                      refused: str) -> None:
    """A second factor (a TOTP or recovery code, a current password asked again) counted on the same rows
    as passwords: guessing a 6-digit code is throttled and locked exactly like guessing a password."""
    _guarded(tenant, user.username or "", address, lambda _typed: user, lambda found: check(user), lambda: None,
             refused, "code")


def _guarded(tenant: Tenant, typed: str, address: str, find: Callable[[str], User | None],
             check: Callable[[User | None], bool], pretend: Callable[[], object], refused: str,
             step: str) -> User:
    with unit_of_work():
        now = datetime.now(UTC)
        user = find(typed) if typed.strip() else None
        rows = [_throttle(tenant, ACCOUNT, account_key(user, typed)), _throttle(tenant, IP, address or "unknown")]
        wait = max(_wait_seconds(row, now) for row in rows)
        if wait:
            outcome: User | int = wait
        elif user is not None and check(user):
            for row in rows:
                row.failures, row.last_failure_at, row.blocked_until = 0, None, None
            outcome = user
        else:
            if user is None:
                pretend()  # the same time whether the account exists or not
            for row in rows:
                _record_failure(row, now)
            outcome = 0
        if not isinstance(outcome, User) and (user is None or user.is_staff):
            _audit.audit(user, "login_failed", user, {"step": step, "throttled": bool(outcome)}, tenant=tenant,
                         actor_name=None if user is not None else typed.strip()[:200])
    if isinstance(outcome, User):
        return outcome
    if outcome:
        raise LoginThrottled(outcome)
    raise Unauthorized(refused)


def forget_failures(user: User) -> None:
    """Inside a unit of work: a new password starts the account's count again."""
    query = db.select(LoginThrottle).where(LoginThrottle.tenant_id == user.tenant_id,
                                           LoginThrottle.scope == ACCOUNT, LoginThrottle.key == account_key(user, ""))
    for row in db.session.scalars(query):
        row.failures, row.blocked_until = 0, None


def authenticate(tenant: Tenant, username: str, password: str, address: str) -> User:
    """The API's /auth: operators by username, citizens (demo and tests only) by fiscal code."""
    return attempt(tenant, username, password, address, lambda typed: _credentials.find_account(tenant, typed),
                   "Credenziali non valide.")
