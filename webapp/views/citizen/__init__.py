"""The citizen portal (issue 3): /<tenant>/... service pages, login, forms, Area personale."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from webapp.services.common.tenancy import get_tenant

bp = Blueprint("citizen", __name__, url_prefix="/<tenant>")


@bp.url_value_preprocessor
def _load_tenant(endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.tenant = get_tenant(str((values or {}).pop("tenant", "")))


@bp.url_defaults
def _add_tenant(endpoint: str, values: dict[str, Any]) -> None:
    if "tenant" not in values and "tenant" in g:
        values["tenant"] = g.tenant.slug


from flask import render_template  # noqa: E402
from werkzeug.exceptions import RequestEntityTooLarge  # noqa: E402

from webapp.views.citizen._common import template_helpers  # noqa: E402

bp.context_processor(template_helpers)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    """A request over MAX_CONTENT_LENGTH: nothing was read or stored; say so in words."""
    return render_template("citizen/too_large.html"), 413


from webapp.views.citizen import area, auth, booking, catalogue, feedback, forms_flow, payments  # noqa: E402,F401 - routes register on bp
