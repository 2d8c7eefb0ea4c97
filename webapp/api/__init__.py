"""The REST API, compatible with OpenCity's: /<tenant>/api/..."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request

from webapp.services.common.tenancy import get_tenant

bp = Blueprint("api", __name__, url_prefix="/<tenant>/api")


# Bodies that carry no files stay small: a login is a few hundred bytes, and nothing unauthenticated may
# make the server read (and parse) megabytes. Others (form data, messages and attachments in base64)
# keep the application's MAX_CONTENT_LENGTH.
BODY_LIMITS = {"api.auth": 4 * 1024, "api.checkout": 16 * 1024, "api.provide_stamp": 16 * 1024,
               "api.retry_incident": 16 * 1024}


@bp.before_request
def _limit_body() -> None:
    limit = BODY_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


@bp.url_value_preprocessor
def _load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    slug = (values or {}).pop("tenant", None)
    g.tenant = get_tenant(str(slug))


@bp.url_defaults
def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if "tenant" not in values and "tenant" in g:
        values["tenant"] = g.tenant.slug


from webapp.api import (  # noqa: E402
    openapi,
    routes_applications,
    routes_auth,
    routes_backoffice,
    routes_calendars,
    routes_payments,
    routes_services,
)

__all__ = ["bp", "openapi", "routes_applications", "routes_auth", "routes_backoffice", "routes_calendars",
           "routes_payments", "routes_services"]
