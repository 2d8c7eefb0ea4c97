"""The citizen portal (issue 3): /<tenant>/... service pages, login, forms, Area personale."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from webapp.services.tenancy import get_tenant

bp = Blueprint("citizen", __name__, url_prefix="/<tenant>")


@bp.url_value_preprocessor
def _load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.tenant = get_tenant(str((values or {}).pop("tenant", "")))


@bp.url_defaults
def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if "tenant" not in values and "tenant" in g:
        values["tenant"] = g.tenant.slug
