"""POST /<tenant>/api/auth: username + password -> JWT."""

from __future__ import annotations

from flask import Response, jsonify, request

from webapp.api.blueprint import bp
from webapp.api.context import json_body, load, tenant
from webapp.api.schemas import AuthRequestSchema
from webapp.services import people
from webapp.services.people import issue_token


@bp.post("/auth")
def auth() -> Response:
    body = load(AuthRequestSchema(), json_body())
    user = people.authenticate(tenant(), body["username"], body["password"], request.remote_addr or "")
    return jsonify({"token": issue_token(user, tenant())})
