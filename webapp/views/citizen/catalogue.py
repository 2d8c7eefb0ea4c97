"""The catalogue of services and each service's information page (scheda servizio)."""

from __future__ import annotations

from flask import g, render_template, request

from webapp.services import appointments, catalogue
from webapp.views.citizen.blueprint import bp


@bp.get("/servizi")
def services() -> str:
    query = request.args.get("q", "").strip()[:100]
    category = request.args.get("categoria", "").strip()[:100] or None
    found = catalogue.search(g.tenant, query, category)
    return render_template("citizen/services.html", found=found, query=query, category=category)


@bp.get("/servizi/<slug>")
def service(slug: str) -> str:
    page = catalogue.service_page(g.tenant, slug)
    structured = catalogue.structured_data(g.tenant, page, request.base_url)
    can_book = bool(appointments.bookable_calendars(g.tenant))
    return render_template("citizen/service.html", page=page, structured=structured, can_book=can_book)
