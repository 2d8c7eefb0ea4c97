"""Passwords (argon2id) and API tokens (JWT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import bindparam, or_, select

from webapp.extensions import db
from webapp.models import CITIZEN, Tenant, User
from webapp.services.common.errors import Unauthorized
from webapp.services.common.tenancy import parse_uuid, scoped

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not reveal usernames.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def find_account(tenant: Tenant, login: str) -> User | None:
    """Operators by username; citizens (only where password login is on: demo and tests) by fiscal code."""
    typed = login.strip()
    user = db.session.scalar(scoped(User, tenant).where(
        or_(User.username == typed.lower(), User.fiscal_code == typed.upper())))
    if user is not None and user.role == CITIZEN and not current_app.config["CITIZEN_PASSWORD_LOGIN"]:
        return None
    return user


def issue_token(user: User, tenant: Tenant) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "tenant": tenant.slug,
        "role": user.role,
        "ver": user.credentials_version or 0,  # a new password or role ends the tokens issued before
        "iat": now,
        "exp": now + timedelta(seconds=current_app.config["JWT_TTL_SECONDS"]),
    }
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256")


def _claims(token: str) -> dict[str, Any]:
    try:
        return dict(jwt.decode(token, current_app.config["SECRET_KEY"], algorithms=["HS256"]))
    except jwt.PyJWTError as exc:
        raise Unauthorized("Token non valido o scaduto.") from exc


def _still_valid(claims: dict[str, Any], user: User) -> bool:
    return bool(claims.get("ver", 0) == (user.credentials_version or 0) and claims.get("role") == user.role)


def user_from_token(tenant: Tenant, token: str) -> User:
    claims = _claims(token)
    user_id = parse_uuid(claims.get("sub"))
    if claims.get("tenant") != tenant.slug or user_id is None:
        raise Unauthorized("Token non valido per questo ente.")
    user = db.session.scalar(scoped(User, tenant).where(User.id == user_id))
    if user is None:
        raise Unauthorized("Utente non più attivo.")
    if not _still_valid(claims, user):
        raise Unauthorized("Token non più valido: accedi di nuovo.")
    return user


# Built once: every API call runs it, and building the statement cost about as much as running it.
_TENANT_AND_CALLER = (select(Tenant, User).join(User, User.tenant_id == Tenant.id)
                      .where(Tenant.slug == bindparam("slug"), User.id == bindparam("user_id")))


def tenant_and_caller(slug: str, token: str) -> tuple[Tenant, User] | None:
    """The tenant of the address and the token's holder in one query, for a token that is valid for
    both; None otherwise, and the caller takes the usual way (a 404 for an unknown tenant, then the
    401 that says what is wrong with the token)."""
    try:
        claims = _claims(token)
    except Unauthorized:
        return None
    user_id = parse_uuid(claims.get("sub"))
    if claims.get("tenant") != slug or user_id is None:
        return None
    row = db.session.execute(_TENANT_AND_CALLER, {"slug": slug, "user_id": user_id}).first()
    if row is None or not _still_valid(claims, row[1]):
        return None
    return row[0], row[1]
