"""The sweep's housekeeping (`webapp.tasks.sweep_task` calls it) forgets SAML requests that can no longer
be answered and assertions past their validity, and keeps the ones a replay check still needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask

from webapp.extensions import db
from webapp.models import SamlAssertion, SamlRequest, Tenant
from webapp.services import people
from webapp.services.common.uow import unit_of_work


def _request(tenant: Tenant, name: str, age: timedelta) -> SamlRequest:
    when = datetime.now(UTC) - age
    return SamlRequest(tenant_id=tenant.id, request_id=f"_{name}", relay_state=name, method="spid",
                       idp_entity_id="https://localhost:8443", level="SpidL2", issue_instant=when,
                       next_url="/demo/area-personale", created_at=when)


def test_old_requests_and_expired_assertions_go_recent_ones_stay(app: Flask) -> None:
    with app.app_context():
        with unit_of_work():
            tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
            db.session.add_all([
                _request(tenant, "old", timedelta(days=3)), _request(tenant, "fresh", timedelta(minutes=5)),
                SamlAssertion(tenant_id=tenant.id, idp_entity_id="https://localhost:8443", assertion_id="_gone",
                              not_on_or_after=datetime.now(UTC) - timedelta(days=2)),
                SamlAssertion(tenant_id=tenant.id, idp_entity_id="https://localhost:8443", assertion_id="_kept",
                              not_on_or_after=datetime.now(UTC) - timedelta(hours=1)),
            ])
        assert people.saml.purge_expired() == 2
        assert {r.relay_state for r in db.session.scalars(db.select(SamlRequest))} == {"fresh"}
        assert {a.assertion_id for a in db.session.scalars(db.select(SamlAssertion))} == {"_kept"}
        assert people.saml.purge_expired() == 0  # a second time finds nothing more
