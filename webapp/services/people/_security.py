"""Staff accounts that are safe: changing one's own password, the optional TOTP second factor (RFC 6238)
with recovery codes, and its enforcement per ente (the tenant setting `staff_totp_required`).

The TOTP secret must be kept readable to check codes; recovery codes are random (50 bits each) and only
their SHA-256 is kept, so a copy of the database does not give them away; each works once. A TOTP code
works once too (the last accepted time step is kept), and wrong codes count like wrong passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime

import pyotp
import segno

from webapp.extensions import db
from webapp.models import Tenant, User
from webapp.services.common.errors import Conflict, FieldProblem, Forbidden, Unauthorized, ValidationFailed
from webapp.services.common.tenancy import parse_uuid, scoped
from webapp.services.common.uow import unit_of_work

from . import _audit, _login_guard, _sessions
from ._credentials import hash_password, verify_password

MIN_PASSWORD_LENGTH = 10
RECOVERY_CODES = 10
TOTP_REQUIRED = "staff_totp_required"  # the tenant setting: staff without TOTP enrol at login
# A few passwords anyone tries first; the length rule already rules out most of the rest of such lists.
COMMON = frozenset({"password123", "password1234", "1234567890", "12345678910", "qwertyuiop", "0123456789",
                    "abcdefghij", "passwordpassword", "administrator", "amministratore", "password!!"})


def _now() -> datetime:
    return datetime.now(UTC)


def password_problems(user: User, password: str, confirm: str, field: str = "password") -> list[FieldProblem]:
    """Why a new password is too weak for `user` (empty when it is fine)."""
    problems = []
    lowered = password.lower()
    names = [n.lower() for n in (user.username, user.name, user.family_name) if n and len(n) >= 3]
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(FieldProblem(field, f"La password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri.",
                                     "minLength"))
    elif lowered in COMMON or len(set(password)) < 4:
        problems.append(FieldProblem(field, "Questa password è troppo facile da indovinare: scegline un'altra.",
                                     "weak"))
    elif any(name in lowered for name in names):
        problems.append(FieldProblem(field, "La password non deve contenere il tuo nome o nome utente.", "weak"))
    if password != confirm:
        problems.append(FieldProblem("confirm", "Le due password non coincidono.", "const"))
    return problems


def change_password(tenant: Tenant, user: User, current: str, new: str, confirm: str, address: str) -> None:
    """The staff member's own new password: the current one is asked (and counted like a login), every
    session and API token of theirs ends (the caller signs this browser in again)."""
    _login_guard.check_second_step(tenant, user, address, lambda u: verify_password(u.password_hash, current),
                                   "La password attuale non è corretta.")
    problems = password_problems(user, new, confirm, "new_password")
    if not problems and verify_password(user.password_hash, new):
        problems.append(FieldProblem("new_password", "La nuova password deve essere diversa da quella attuale.",
                                     "weak"))
    if problems:
        raise ValidationFailed(problems)
    with unit_of_work():
        user.password_hash = hash_password(new)
        _sessions.end_everywhere(user)
        _audit.audit(user, "password_changed", user)


# --- TOTP -----------------------------------------------------------------------------------------

def totp_required(tenant: Tenant) -> bool:
    return bool(tenant.setting(TOTP_REQUIRED, False))


def set_totp_required(tenant: Tenant, user: User, required: bool) -> None:
    """Administrators only: staff without a second factor are sent to enrol at their next login."""
    _audit.require_admin(user, tenant)
    with unit_of_work():
        if totp_required(tenant) != required:
            tenant.settings = {**(tenant.settings or {}), TOTP_REQUIRED: required}
            _audit.audit(user, "settings_changed", tenant, {"setting": TOTP_REQUIRED, "value": required})


def second_step(tenant: Tenant, user: User) -> str | None:
    """What a staff member whose password was right must still do: "code", "enrol" or nothing."""
    if not user.is_staff:
        return None
    if user.has_totp:
        return "code"
    return "enrol" if totp_required(tenant) else None


def begin_enrolment(user: User) -> str:
    """A new secret for `user`, not in force until a code from it is confirmed; returns it."""
    if user.has_totp:
        raise Conflict("La verifica in due passaggi è già attiva.")
    with unit_of_work():
        user.totp_secret = pyotp.random_base32()
        user.totp_enabled_at, user.totp_last_step, user.totp_recovery = None, None, None
    return user.totp_secret


def provisioning_uri(tenant: Tenant, user: User) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.username or user.full_name,
                                                               issuer_name=tenant.name)


def qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data address for an <img> (no script, no inline style)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _code_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step `code` belongs to (this one or the one before or after: clocks drift), if unused."""
    digits = "".join(code.split())
    if not (digits.isdigit() and len(digits) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits) and (last_step is None or step > last_step):
            return step
    return None


def _recovery_hash(user: User, code: str) -> str:
    normal = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(f"{user.id}:{normal}".encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    codes = ["-".join((raw[:5], raw[5:])) for raw in (base64.b32encode(secrets.token_bytes(7)).decode()[:10]
                                                        for _ in range(RECOVERY_CODES))]
    user.totp_recovery = [_recovery_hash(user, code) for code in codes]
    return codes


def confirm_enrolment(tenant: Tenant, user: User, code: str, address: str) -> list[str]:
    """The first code from the new secret puts it in force; the recovery codes are returned (shown once)."""
    if not user.totp_secret or user.has_totp:
        raise Conflict("Nessuna attivazione in corso: ricomincia dalla pagina del tuo account.")

    def check(account: User) -> bool:
        return _code_step(account.totp_secret or "", code, None) is not None

    try:
        _login_guard.check_second_step(tenant, user, address, check, "Il codice non è corretto.")
    except Unauthorized as exc:
        raise ValidationFailed([FieldProblem("code", exc.description, "totp")]) from exc
    with unit_of_work():
        user.totp_enabled_at = _now()
        user.totp_last_step = _code_step(user.totp_secret, code, None)
        codes = _new_recovery_codes(user)
        _audit.audit(user, "totp_enabled", user)
    return codes


def verify_code(tenant: Tenant, user: User, code: str, address: str) -> None:
    """The second step of a login: a TOTP code or an unused recovery code; Unauthorized or LoginThrottled."""
    used: dict[str, str] = {}

    def check(account: User) -> bool:
        step = _code_step(account.totp_secret or "", code, account.totp_last_step)
        if step is not None:
            account.totp_last_step = step
            return True
        hashed = _recovery_hash(account, code)
        if hashed in (account.totp_recovery or []):
            account.totp_recovery = [h for h in account.totp_recovery or [] if h != hashed]
            used["recovery"] = hashed
            return True
        return False

    _login_guard.check_second_step(tenant, user, address, check, "Il codice non è corretto o è già stato usato.")
    if used:
        _audit.audit(user, "recovery_code_used", user, {"left": len(user.totp_recovery or [])})


def recovery_codes_left(user: User) -> int:
    return len(user.totp_recovery or [])


def disable_totp(tenant: Tenant, user: User, password: str, address: str) -> None:
    """Asked with the password; refused where the ente requires the second factor."""
    if totp_required(tenant):
        raise Forbidden("L'ente richiede la verifica in due passaggi per tutto il personale: non puoi "
                        "disattivarla.")
    _login_guard.check_second_step(tenant, user, address, lambda u: verify_password(u.password_hash, password),
                                   "La password non è corretta.")
    with unit_of_work():
        user.totp_secret, user.totp_enabled_at, user.totp_last_step, user.totp_recovery = None, None, None, None
        _audit.audit(user, "totp_disabled", user)


def reset_totp(tenant: Tenant, admin: User, target: User) -> None:
    """An administrator removes the second factor of someone who lost their phone and their codes."""
    _audit.require_admin(admin, tenant)
    if target.tenant_id != tenant.id or not target.is_staff:
        raise Forbidden("Non puoi modificare questo account.")
    with unit_of_work():
        target.totp_secret, target.totp_enabled_at, target.totp_last_step, target.totp_recovery = (None, None,
                                                                                                  None, None)
        _sessions.end_everywhere(target)
        _audit.audit(admin, "totp_disabled", target, {"by_admin": True})


def record_login(user: User, via: str = "backoffice") -> None:
    _audit.audit(user, "login", user, {"via": via})


def record_logout(user: User) -> None:
    _audit.audit(user, "logout", user)


def pending_user(tenant: Tenant, user_id: object) -> User | None:
    """The staff member half-way through logging in (password right, second step to do)."""
    found = scoped(User, tenant).where(User.id == parse_uuid(user_id))
    user = db.session.scalar(found) if parse_uuid(user_id) else None
    return user if user is not None and user.is_staff else None
