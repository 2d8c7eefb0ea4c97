"""Applications stay on the service version they started on; nothing crosses tenants."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.webapp.helpers import MARIO, act, contributo_data, create, submitted
from tests.webapp.tenants import WORKFLOWS, make_tenant, service_copy
from webapp.extensions import db
from webapp.models import ServiceVersion, Tenant
from webapp.services.catalogue import publish_service
from webapp.services.common.errors import Conflict
from webapp.services.common.uow import unit_of_work


def _links(api, app_id, user):
    return {link["action"] for link in api.get(f"/applications/{app_id}", user).get_json()["links"]}


def test_application_continues_on_the_version_it_started_on(app, tmp_path):
    make_tenant(app, "versioni", [WORKFLOWS / "accesso-atti"])  # a service on the standard lifecycle
    api = Api(app, "versioni")
    operator = "op-versioni"
    old = submitted(api, "accesso-atti")
    act(api, old, "assign", operator)
    assert api.get("/services/accesso-atti").get_json()["version"] == 1

    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "versioni"))
        v2 = publish_service(tenant, service_copy(tmp_path, "accesso-atti", 2, drop_reject=True))
        v1 = db.session.scalar(db.select(ServiceVersion).where(ServiceVersion.service_id == v2.service_id,
                                                               ServiceVersion.version == 1))
        assert v1.spec_hash != v2.spec_hash and v1.definition_hash != v2.definition_hash
    assert api.get("/services/accesso-atti").get_json()["version"] == 2

    new = submitted(api, "accesso-atti")
    act(api, new, "assign", operator)
    assert api.get(f"/applications/{old}", operator).get_json()["service_version"] == 1
    assert api.get(f"/applications/{new}", operator).get_json()["service_version"] == 2
    assert "reject" in _links(api, old, operator)        # version 1's process still drives it
    assert "reject" not in _links(api, new, operator)    # version 2 dropped rejection
    act(api, old, "reject", operator, {"message": "Fuori termine"})
    assert api.get(f"/applications/{old}", operator).get_json()["status"] == "9000"
    act(api, new, "reject", operator, {"message": "x"}, expect=409)


def test_published_version_is_immutable(app, tmp_path):
    make_tenant(app, "immutabile", [WORKFLOWS / "accesso-atti"])
    with app.app_context(), unit_of_work():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "immutabile"))
        changed = service_copy(tmp_path, "accesso-atti", 1, drop_reject=True)
        with pytest.raises(Conflict):
            publish_service(tenant, changed)


def test_tenant_isolation(app, api):
    make_tenant(app, "altro")
    other = Api(app, "altro")
    theirs = submitted(other, "contributo")
    ours = submitted(api, "contributo")

    for user in ("operatore", "admin", MARIO):
        listed = {a["id"] for a in api.get("/applications", user).get_json()["data"]}
        assert theirs not in listed
        assert api.get(f"/applications/{theirs}", user).status_code == 404
        assert api.get(f"/applications/{theirs}/history", user).status_code == 404
        assert api.get(f"/applications/{theirs}/messages", user).status_code == 404
        assert api.patch(f"/applications/{theirs}", user, json={"data": {}}).status_code == 404
        for action in ("submit", "assign", "request-integration", "accept-integration", "cancel-integration",
                       "accept", "reject", "withdraw", "register"):
            response = api.post(f"/applications/{theirs}/transition/{action}", user, json={"message": "x"})
            assert response.status_code == 404, (user, action, response.get_json())
    assert other.get(f"/applications/{theirs}", "op-altro").get_json()["status"] == "2000"  # untouched
    assert other.get(f"/applications/{ours}", "op-altro").status_code == 404

    # A token of one tenant is no key to another tenant's API.
    foreign = {"Authorization": f"Bearer {api.token('operatore')}"}
    assert other.get("/applications", headers=foreign).status_code == 401
    assert other.get(f"/applications/{theirs}", headers=foreign).status_code == 401
    create(other, "contributo", contributo_data())
