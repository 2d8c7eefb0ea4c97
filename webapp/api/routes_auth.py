"""POST /<tenant>/api/auth: username + password -> JWT."""

from __future__ import annotations

from flask import Response, jsonify, request

from webapp.api.blueprint import bp
from webapp.api.context import json_body, load, tenant
from webapp.api.schemas import AuthRequestSchema, shared
from webapp.services import people
from webapp.services.common.errors import Unauthorized
from webapp.services.people import issue_token


@bp.post("/auth")
def auth() -> Response:
    body = load(shared(AuthRequestSchema), json_body())
    address = request.remote_addr or ""
    user = people.authenticate(tenant(), body["username"], body["password"], address)
    # The API is no way around the second factor: the same code as the back office's login, counted alike.
    step = people.second_step(tenant(), user)
    if step == "enrol":
        raise Unauthorized("L'ente richiede la verifica in due passaggi: attivala accedendo al back office.")
    if step == "code":
        if not body.get("otp"):
            raise Unauthorized("Serve il codice della verifica in due passaggi (campo otp).")
        people.verify_code(tenant(), user, body["otp"], address)
    if user.is_staff:
        people.record_login(user, via="api")
    return jsonify({"token": issue_token(user, tenant())})
