"""The API's blueprint: /<tenant>/api/..., with a small body limit where no files travel."""

from __future__ import annotations

from flask import request

from webapp.api.context import load_tenant_and_caller
from webapp.blueprints import tenant_blueprint
from webapp.services.workshop import MAX_ZIP_BYTES

bp = tenant_blueprint("api", "webapp.api", "/api", loader=load_tenant_and_caller)


# Bodies that carry no files stay small: a login is a few hundred bytes, and nothing unauthenticated may
# make the server read (and parse) megabytes. Others (form data, messages and attachments in base64)
# keep the application's MAX_CONTENT_LENGTH.
BODY_LIMITS = {"api.auth": 4 * 1024, "api.checkout": 16 * 1024, "api.provide_stamp": 16 * 1024,
               "api.retry_incident": 16 * 1024, "api.import_service": MAX_ZIP_BYTES + 64 * 1024}


@bp.before_request
def _limit_body() -> None:
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit
