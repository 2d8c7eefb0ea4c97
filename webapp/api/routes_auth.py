"""POST /<tenant>/api/auth: username + password -> JWT."""

from __future__ import annotations

from flask import Response, jsonify

from webapp.api import bp
from webapp.api.context import json_body, tenant
from webapp.services.auth import authenticate, issue_token
from webapp.services.errors import FieldProblem, ValidationFailed


@bp.post("/auth")
def auth() -> Response:
    body = json_body()
    problems = [FieldProblem(f"/{k}", "Campo obbligatorio", "required")
                for k in ("username", "password") if not isinstance(body.get(k), str) or not body.get(k)]
    if problems:
        raise ValidationFailed(problems)
    user = authenticate(tenant(), body["username"], body["password"])
    return jsonify({"token": issue_token(user, tenant())})
