"""The public catalogue: services by category with search, and the texts of each service page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Office, Service, Tenant, office_services
from webapp.services.common.options import options_of

from . import _services

OTHER = "Altri servizi"
# The sections of the service page, in the order design-comuni requires (ui.md §3.1).
SECTIONS = (
    ("who", "A chi è rivolto", "service-addressed"),
    ("description", "Descrizione", None),
    ("how_to", "Come fare", "service-how-to"),
    ("what_you_need", "Cosa serve", "service-needed"),
    ("what_you_get", "Cosa si ottiene", "service-achieved"),
    ("times", "Tempi e scadenze", "service-calendar-text"),
    ("costs", "Quanto costa", None),
)
# Every section AgID's checker requires has content even when a service's texts leave one out.
DEFAULT_TEXTS = {
    "who": "Chiunque abbia interesse al servizio.",
    "what_you_need": "Un'identità digitale (SPID o CIE) per accedere al servizio online.",
    "times": "Dopo l'invio, la data entro cui la pratica sarà conclusa è indicata nella tua area personale.",
    "how_to": "Accedi con SPID o CIE, compila la domanda online passo dopo passo e inviala. Puoi salvare "
              "la richiesta come bozza e riprenderla in seguito dalla tua area personale.",
    "what_you_get": "Il numero della pratica e la ricevuta della domanda; l'esito ti sarà comunicato "
                    "nell'area personale e per email.",
}


@dataclass(frozen=True)
class Found:
    groups: list[tuple[str, list[Service]]]
    categories: list[str]
    total: int


def texts(service: Service) -> dict[str, Any]:
    return dict(service.current_version.manifest.get("texts") or {})


def search(tenant: Tenant, query: str, category: str | None) -> Found:
    every = _services.list_services(tenant)
    categories = sorted({s.category or OTHER for s in every})
    words = [w for w in query.lower().split() if w]

    def matches(service: Service) -> bool:
        haystack = " ".join([service.name, service.category or "", *map(str, texts(service).values())]).lower()
        return all(word in haystack for word in words)

    chosen = [s for s in every if matches(s) and (category is None or (s.category or OTHER) == category)]
    groups = [(name, [s for s in chosen if (s.category or OTHER) == name]) for name in categories]
    return Found(groups=[(n, items) for n, items in groups if items], categories=categories, total=len(chosen))


@dataclass(frozen=True)
class ServicePage:
    service: Service
    texts: dict[str, Any]
    sections: list[tuple[str, str, str | None, str]]  # (anchor, title, data-element, text)
    contacts: str
    follow_ups: list[str]
    offices: list[tuple[str, str | None]]  # (name, email) of the open offices handling the service
    term_days: int | None = None  # the maximum term (max_response_time), stated in "Tempi e scadenze"


def service_page(tenant: Tenant, slug: str) -> ServicePage:
    service = _services.get_service(tenant, slug)
    found = texts(service)
    options = options_of(service.current_version)
    term = options.max_response_time
    sections = [(key.replace("_", "-"), title, element, str(found.get(key) or DEFAULT_TEXTS.get(key, "")))
                for key, title, element in SECTIONS
                if found.get(key) or key in DEFAULT_TEXTS or (key == "times" and term)]
    return ServicePage(service=service, texts=found, sections=sections,
                       contacts=str(found.get("contacts") or ""), follow_ups=list(options.follow_ups),
                       offices=_offices(service), term_days=term)


def _offices(service: Service) -> list[tuple[str, str | None]]:
    """The responsible offices, the service page's "Contatti" (AgID's checker reads them as service-area)."""
    found = db.session.execute(
        select(Office.name, Office.email).join(office_services, office_services.c.office_id == Office.id)
        .where(office_services.c.service_id == service.id, Office.tenant_id == service.tenant_id,
               Office.closed_at.is_(None)).order_by(Office.name))
    return [(name, email) for name, email in found]


def structured_data(tenant: Tenant, page: ServicePage, url: str) -> dict[str, Any]:
    """schema.org GovernmentService for the service page's JSON-LD block (ui.md §3.1)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "GovernmentService", "name": page.service.name,
        "url": url, "serviceOperator": {"@type": "GovernmentOrganization", "name": tenant.name},
        "areaServed": {"@type": "AdministrativeArea", "name": tenant.name},
        "availableChannel": {"@type": "ServiceChannel", "serviceUrl": url,
                             "availableLanguage": [{"@type": "Language", "name": "Italiano", "alternateName": "it"}]},
    }
    if page.service.category:
        data["serviceType"] = page.service.category
    if page.texts.get("description"):
        data["description"] = str(page.texts["description"])
    if page.texts.get("who"):
        data["audience"] = {"@type": "Audience", "audienceType": str(page.texts["who"])}
    return data
