"""The citizen portal's blueprint: /<tenant>/... service pages, login, forms, Area personale."""

from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.blueprints import tenant_blueprint
from webapp.views.citizen._common import template_helpers
from webapp.views.web import load_tenant_and_visitor

bp = tenant_blueprint("citizen", "webapp.views.citizen", loader=load_tenant_and_visitor)
bp.context_processor(template_helpers)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc: RequestEntityTooLarge) -> tuple[str, int]:
    """A request over MAX_CONTENT_LENGTH: nothing was read or stored; say so in words."""
    return render_template("citizen/too_large.html"), 413
