"""POST /<tenant>/api/auth: username + password -> JWT."""

from __future__ import annotations

from flask import Response, jsonify

from webapp.api import bp
from webapp.api.context import json_body, load, tenant
from webapp.api.schemas import AuthRequestSchema
from webapp.services.auth import authenticate, issue_token


@bp.post("/auth")
def auth() -> Response:
    body = load(AuthRequestSchema(), json_body())
    user = authenticate(tenant(), body["username"], body["password"])
    return jsonify({"token": issue_token(user, tenant())})
