"""The demo Comune: offices, back-office accounts, test citizens and every shipped service.

Demo and test configuration only (SEED_DEMO_DATA); running it again keeps existing data.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from webapp.demo._legal import CONTACTS, demo_legal_settings
from webapp.extensions import db
from webapp.models import (
    ADMIN,
    CITIZEN,
    MANAGER,
    OPERATOR,
    Calendar,
    Closure,
    Office,
    OpeningHour,
    Service,
    Tenant,
    User,
)
from webapp.services.appointments import stored
from webapp.services.catalogue import publish_service
from webapp.services.common import localtime
from webapp.services.common.uow import unit_of_work
from webapp.services.people import TEST_CITIZENS, hash_password

# Header settings of the demo ente; an ente's own values win (tenant.settings).
DEMO_SETTINGS = {"parent_name": "Regione Lazio", "parent_url": "https://www.regione.lazio.it"}
DEMO_PASSWORD = "demo"  # noqa: S105 - demo/test configuration only, refused elsewhere
# The demo's offices by name and stable code (a service's process names an office by its code).
OFFICES = {"Ufficio Relazioni con il Pubblico": "urp", "Ufficio Servizi Sociali": "servizi-sociali",
           "Ufficio Tecnico": "tecnico", "Polizia Locale": "polizia-locale", "Ufficio Scuola": "scuola",
           "Ufficio Manutenzioni": "manutenzioni"}
URP = "Ufficio Relazioni con il Pubblico"
# (username, role, name, family name, office, the services they work: None = all)
STAFF: tuple[tuple[str, str, str, str, str, tuple[str, ...] | None], ...] = (
    ("admin", ADMIN, "Amministratore", "Demo", URP, None),
    ("manager", MANAGER, "Maria", "Manager", URP, None),
    ("operatore", OPERATOR, "Olivia", "Operatrice", URP, None),
    ("tecnico", OPERATOR, "Tommaso", "Tecnico", "Ufficio Tecnico", ("occupazione-suolo",)),
    ("vigile", OPERATOR, "Vittoria", "Vigile", "Polizia Locale", ("occupazione-suolo", "segnalazione")),
    ("scuola", OPERATOR, "Sara", "Scuola", "Ufficio Scuola", ("mensa-scolastica",)),
    ("manutentore", OPERATOR, "Marco", "Manutentore", "Ufficio Manutenzioni", ("segnalazione",)),
)
def service_folders(root: Path) -> list[Path]:
    """Every shipped service: a folder with a service.yaml (folders starting with _ are shared parts)."""
    return sorted(p.parent for p in root.glob("*/service.yaml") if not p.parent.name.startswith("_"))


def seed_demo(slug: str = "demo", name: str = "Comune di Demo") -> Tenant:
    if not current_app.config["SEED_DEMO_DATA"]:
        raise RuntimeError("demo accounts exist only in demo and test configuration")
    with unit_of_work():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            tenant = Tenant(slug=slug, name=name, fiscal_code="00000000000", ipa_code="c_demo")
            db.session.add(tenant)
            db.session.flush()
        tenant.settings = {**DEMO_SETTINGS, **CONTACTS, **(tenant.settings or {})}
        tenant.settings = {**demo_legal_settings(tenant), **tenant.settings}
        offices = {name: _office(tenant, name, code) for name, code in OFFICES.items()}  # processes name them
        for folder in service_folders(Path(current_app.config["WORKFLOWS_DIR"])):
            publish_service(tenant, folder)
        services = list(db.session.scalars(select(Service).where(Service.tenant_id == tenant.id)))
        for username, role, first, last, office, worked in STAFF:
            user = _user(tenant, username=username)
            if user is None:
                user = User(tenant_id=tenant.id, role=role, username=username, name=first, family_name=last,
                            email=f"{username}@demo.example.it", office_id=offices[office].id,
                            password_hash=hash_password(DEMO_PASSWORD))
                db.session.add(user)
            if role == OPERATOR:
                user.services = [s for s in services if worked is None or s.slug in worked]
            if username == "operatore":
                user.calendars = [_calendar(tenant, offices[URP])]
        for citizen in TEST_CITIZENS:
            if _user(tenant, fiscal_code=citizen["fiscal_code"]) is None:
                db.session.add(User(tenant_id=tenant.id, role=CITIZEN, password_hash=hash_password(DEMO_PASSWORD),
                                    identity={"method": "spid", **citizen}, **citizen))
    return tenant


def _office(tenant: Tenant, name: str, code: str) -> Office:
    office = db.session.scalar(select(Office).where(Office.tenant_id == tenant.id, Office.name == name))
    if office is None:
        office = Office(tenant_id=tenant.id, name=name, code=code)
        db.session.add(office)
        db.session.flush()
    return office


def _calendar(tenant: Tenant, office: Office) -> Calendar:
    """The counter's calendar; its opening hours and bookings come with the appointments feature."""
    calendar = db.session.scalar(select(Calendar).where(Calendar.tenant_id == tenant.id,
                                                        Calendar.title == office.name))
    if calendar is None:
        calendar = Calendar(tenant_id=tenant.id, title=office.name, office_id=office.id,
                            location="Piazza del Municipio 1", contact_email="urp@demo.example.it")
        db.session.add(calendar)
        db.session.flush()
    year = localtime.today().year
    if not any(hour.end_date.year == year for hour in calendar.opening_hours):  # hours last one year at most
        calendar.opening_hours.append(OpeningHour(
            tenant_id=tenant.id, name=f"Mattine {year}", start_date=date(year, 1, 1), end_date=date(year, 12, 31),
            days_of_week=[1, 2, 3, 4, 5], begin_hour=time(9), end_hour=time(12), meeting_minutes=30,
            interval_minutes=0, meeting_queue=1, is_moderated=False))
        calendar.closures.append(Closure(
            tenant_id=tenant.id, starts_at=stored(date(year, 12, 24), time.min),
            ends_at=stored(date(year, 12, 27), time.min), reason="Festività natalizie"))
    return calendar


def _user(tenant: Tenant, **where: str) -> User | None:
    query = select(User).where(User.tenant_id == tenant.id)
    for column, value in where.items():
        query = query.where(getattr(User, column) == value)
    return db.session.scalar(query)
