"""Request plumbing shared by the API routes: tenant, caller, JSON body, paging."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import g, request
from marshmallow import Schema
from marshmallow.exceptions import MarshmallowError

from webapp.models import Tenant, User
from webapp.services.auth import user_from_token
from webapp.services.errors import BadRequest, FieldProblem, Unauthorized, ValidationFailed


def tenant() -> Tenant:
    return g.tenant  # type: ignore[no-any-return]


def current_user() -> User:
    """The caller from `Authorization: Bearer <JWT>`; 401 without a valid token for this tenant."""
    if "user" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("Serve un token: Authorization: Bearer <token>.")
        g.user = user_from_token(tenant(), token.strip())
    return g.user  # type: ignore[no-any-return]


def json_body(*, required: bool = True) -> dict[str, Any]:
    if not request.content_length and not request.data:
        if required:
            raise BadRequest("Il corpo della richiesta deve essere un oggetto JSON.")
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("Il corpo della richiesta non è un JSON valido (serve un oggetto).")
    return body


def expected_version(body: dict[str, Any] | None = None) -> int | None:
    """The version the client saw: `If-Match` header or a `version` field."""
    raw = request.headers.get("If-Match") or (body or {}).get("version")
    if raw is None:
        return None
    try:
        return int(str(raw).strip('"W/'))
    except ValueError as exc:
        raise BadRequest("La versione indicata non è un numero.") from exc


def int_arg(name: str, default: int, *, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationFailed([FieldProblem(f"/{name}", f"Deve essere un intero tra {low} e {high}.", "range")])
    return value


def date_arg(name: str) -> datetime | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        problem = FieldProblem(f"/{name}", "Data non valida (AAAA-MM-GG o ISO 8601).", "format")
        raise ValidationFailed([problem]) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


_ITALIAN = {
    "Missing data for required field.": ("Campo obbligatorio", "required"),
    "Unknown field.": ("Campo non previsto", "additionalProperties"),
    "Field may not be null.": ("Il campo non può essere nullo", "type"),
}


def _problems(messages: Any, pointer: str = "") -> list[FieldProblem]:
    if isinstance(messages, dict):
        return [p for key, sub in messages.items() for p in _problems(sub, f"{pointer}/{key}")]
    if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        text, code = _ITALIAN.get(messages[0], ("Valore non valido", "type"))
        return [FieldProblem(pointer, text, code)]
    return [FieldProblem(pointer, "Valore non valido", "type")]


def load(schema: Schema, body: dict[str, Any]) -> dict[str, Any]:
    """The body checked against its marshmallow schema (types, required, no unknown fields)."""
    try:
        return schema.load(body)  # type: ignore[no-any-return]
    except MarshmallowError as exc:
        raise ValidationFailed(_problems(getattr(exc, "messages", {}))) from exc
