"""Servizi: the services the operator works on, each with its settings and a way into its list."""

from __future__ import annotations

from flask import render_template

from webapp.services import screens
from webapp.views.backoffice._common import staff, tenant
from webapp.views.backoffice.blueprint import bp


@bp.get("/servizi", endpoint="services")
def services_page() -> str:
    rows = screens.enabled_services(tenant(), staff())
    return render_template("backoffice/services.html", section="services", rows=rows)
