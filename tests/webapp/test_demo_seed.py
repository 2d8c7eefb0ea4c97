"""The demo's applications: on the demo's own kind of database (SQLite) the first `make demo` shows a list,
details and statistics with applications in every state; running it again adds nothing; the tests'
seeded database never has them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.backoffice.conftest import logged_in
from tests.citizen.helpers import MARIO, login
from webapp.cli import upgrade_database
from webapp.demo import PLAN, seed_demo, seed_demo_applications
from webapp.extensions import db
from webapp.models import Application, StatusChange, Tenant, User
from webapp.services import screens

LIST = "/demo/backoffice/pratiche"
# What the office finds on the first look: submitted (acquisita, protocollata), taken in charge, waiting for
# integrations, integrations answered, approved, partially approved, rejected, withdrawn, waiting for payment.
STATES = (2000, 3000, 4000, 4200, 4500, 7000, 7100, 9000, 20000, 1500)


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Application)) or 0


def test_the_tests_seeded_database_has_no_applications(app):
    with app.app_context():
        assert _count() == 0


def test_the_demo_starts_with_applications_in_every_state_once(make_app, tmp_path):
    demo = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/demo.sqlite3")
    with demo.app_context():
        upgrade_database()
        tenant = seed_demo("demo")
        assert seed_demo_applications(tenant) == len(PLAN)
        seeded = _count()
        assert seeded == len(PLAN)
    manager = logged_in(demo, "manager")
    for code in STATES:
        page = manager.get(LIST, query_string={"status": code}).get_data(as_text=True)
        assert f'href="{LIST}/' in page, f"no application in status {code}"
    citizen = demo.test_client()
    login(citizen, MARIO)
    drafts = citizen.get("/demo/area-personale", query_string={"stato": "bozza"}).get_data(as_text=True)
    assert "/riprendi" in drafts  # Mario's own draft, to resume
    with demo.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        owner = db.session.scalar(db.select(User).where(User.username == "manager"))
        trend = screens.trend(tenant, owner, "30d")
        assert sum(1 for value in trend.values if value) >= 5  # submissions spread over the last weeks
        waiting = db.session.scalar(db.select(Application).where(Application.status == 4200))
        days = {change.created_at.date() for change in db.session.scalars(
            db.select(StatusChange).where(StatusChange.application_id == waiting.id))}
        assert len(days) >= 2 and max(days) <= datetime.now(UTC).date()
        assert min(days) >= (datetime.now(UTC) - timedelta(days=60)).date()
        waiting_id = waiting.id
    detail = manager.get(f"{LIST}/{waiting_id}/messaggi").get_data(as_text=True)
    assert "Allegare le ricevute delle spese mediche" in detail
    for q in ("80a01", str(waiting_id)[:8]):  # the search's partial matches on SQLite too
        found = manager.get(LIST, query_string={"q": q}).get_data(as_text=True)
        assert f"{LIST}/{waiting_id}" in found and "Giuseppina Verdi" not in found, q
    with demo.app_context():
        assert seed_demo_applications(seed_demo("demo")) == 0  # make demo again: nothing added
        assert _count() == seeded
