"""One way for a blueprint to live under /<tenant>/: the tenant is loaded once from the address.

Every tenant's page, API call and webhook goes through `tenant_blueprint`, so the rule that an
unknown tenant is a 404 (and that `url_for` fills in the current tenant) is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g

from webapp.services.common.tenancy import get_tenant


def load_tenant(slug: str) -> None:
    g.tenant = get_tenant(slug)


def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if "tenant" not in values and "tenant" in g:
        values["tenant"] = g.tenant.slug


def tenant_blueprint(name: str, import_name: str, url_prefix: str = "", *,
                     loader: Callable[[str], None] = load_tenant) -> Blueprint:
    """A blueprint whose every address starts with /<tenant> (then `url_prefix`); `loader` puts the
    tenant of the address in `g.tenant` (and may load with it what every request of the blueprint needs)."""
    bp = Blueprint(name, import_name, url_prefix="/<tenant>" + url_prefix)

    @bp.url_value_preprocessor
    def _load(endpoint: str | None, values: dict[str, Any] | None) -> None:
        loader(str((values or {}).pop("tenant", "")))

    bp.url_defaults(_add_tenant)
    return bp
