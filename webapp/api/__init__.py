"""The REST API, compatible with OpenCity's: /<tenant>/api/..."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from webapp.services.tenancy import get_tenant

bp = Blueprint("api", __name__, url_prefix="/<tenant>/api")


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
