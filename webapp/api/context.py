"""Request plumbing shared by the API routes: tenant, caller, JSON body (query parameters: params)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import g, request
from marshmallow import Schema
from marshmallow.exceptions import MarshmallowError

import forms
from webapp.blueprints import load_tenant
from webapp.services.common.errors import BadRequest, FieldProblem, Unauthorized, ValidationFailed
from webapp.services.common.tenancy import Tenant
from webapp.services.people import User, tenant_and_caller, user_from_token


def tenant() -> Tenant:
    return g.tenant


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def load_tenant_and_caller(slug: str) -> None:
    """The tenant of the address and, with a token valid for it, its holder: one query, not two."""
    token = _bearer_token()
    found = tenant_and_caller(slug, token) if token else None
    if found is None:
        load_tenant(slug)
    else:
        g.tenant, g.user = found


def current_user() -> User:
    """The caller from `Authorization: Bearer <JWT>`; 401 without a valid token for this tenant."""
    if "user" not in g:
        token = _bearer_token()
        if not token:
            raise Unauthorized("Serve un token: Authorization: Bearer <token>.")
        g.user = user_from_token(tenant(), token)
    return g.user


MAX_DEPTH = 32  # our deepest document (form data with a group of fields) is a few levels deep
MAX_NODES = 10_000  # keys and values: a real body has dozens; a hostile one, millions of unknown keys


class _NotFinite(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise _NotFinite(text)
    return value


def _no_constants(name: str) -> float:  # NaN, Infinity, -Infinity: Python's json takes them, JSON does not
    raise _NotFinite(name)


def _check_shape(body: Any) -> None:
    """Depth and size in one iterative walk, before any schema spends time on the document."""
    stack, nodes = [(body, 1)], 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            raise BadRequest(f"Il JSON è annidato troppo in profondità (al massimo {MAX_DEPTH} livelli).")
        if nodes > MAX_NODES:
            raise BadRequest(f"Il JSON ha troppi elementi (al massimo {MAX_NODES}).")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        nodes += len(value) if isinstance(value, dict) else 0
        stack.extend((child, depth + 1) for child in children)


def json_body(*, required: bool = True) -> dict[str, Any]:
    """The request's JSON object, strictly: valid UTF-8 and JSON (no NaN or Infinity), not too deep or
    large, and no text that pages and exports could not show (lone surrogates, NUL)."""
    raw = request.get_data(cache=True)  # past the endpoint's body limit this is a 413
    if not raw:
        if required:
            raise BadRequest("Il corpo della richiesta deve essere un oggetto JSON.")
        return {}
    try:
        body = json.loads(raw, parse_float=_finite, parse_constant=_no_constants)
    except _NotFinite as exc:
        raise BadRequest("Il JSON contiene un numero non finito (NaN, Infinity o fuori scala).") from exc
    except RecursionError as exc:
        raise BadRequest(f"Il JSON è annidato troppo in profondità (al massimo {MAX_DEPTH} livelli).") from exc
    except ValueError as exc:  # also invalid UTF-8
        raise BadRequest("Il corpo della richiesta non è un JSON valido (serve un oggetto).") from exc
    if not isinstance(body, dict):
        raise BadRequest("Il corpo della richiesta non è un JSON valido (serve un oggetto).")
    _check_shape(body)
    refused = forms.bad_values(body)
    if refused:
        raise ValidationFailed([FieldProblem(e.pointer, e.message, e.code) for e in refused])
    return body


# The version as the ETag header gives it ("3", or weak: W/"3"), or the bare number.
VERSION_TAG = re.compile(r'(W/)?"?([0-9]{1,9})"?')


def expected_version(body: dict[str, Any] | None = None) -> int | None:
    """The version the client saw: `If-Match` header or a `version` field (already an integer)."""
    header = request.headers.get("If-Match")
    if header is None:
        version = (body or {}).get("version")
        return None if version is None else int(version)
    found = VERSION_TAG.fullmatch(header)
    if found is None:
        raise BadRequest("La versione indicata in If-Match non è valida: serve il valore dell'ETag, ad esempio \"3\".")
    return int(found.group(2))


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
        return schema.load(body)
    except MarshmallowError as exc:
        raise ValidationFailed(_problems(getattr(exc, "messages", {}))) from exc
