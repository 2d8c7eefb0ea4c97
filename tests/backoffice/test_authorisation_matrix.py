"""Every back-office page and API endpoint x every kind of caller -> the expected allow or deny.

Callers: anonymous, the citizen (the applicant), an operator not enabled for the service, an operator
of another office (the service's rule sends the application to Servizi Sociali), the office's operator,
a manager, an administrator, an operator of another tenant. Objects a caller may not know -> 404.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.backoffice.conftest import SOCIAL, TOKEN, add_staff, login, publish_with_rules
from tests.citizen.helpers import login as citizen_login
from tests.conftest import Api
from tests.webapp.helpers import MARIO, contributo_data, submitted
from tests.webapp.tenants import make_tenant
from webapp.extensions import db
from webapp.models import Attachment, Calendar, Tenant

CALLERS = ("anonymous", "citizen", "not_enabled", "other_office", "operator", "manager", "admin", "other_tenant")
USERNAMES = {"citizen": MARIO, "not_enabled": "atti", "other_office": "operatore", "operator": "sociale",
             "manager": "manager", "admin": "admin", "other_tenant": "op-altro"}
NAMES = {"operator": "Sociale Test", "manager": "Maria Manager", "admin": "Amministratore Demo"}
A, C, N, O, S, M, D, T = CALLERS  # noqa: E741 - short names for the tables below

# page (method, path template) -> expected status per caller
PAGES: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/demo/backoffice/pratiche"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/pratiche/{app}"): {A: 302, C: 403, N: 404, O: 200, S: 200, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/pratiche/{app}/iter"): {A: 302, C: 403, N: 404, O: 200, S: 200, M: 200, D: 200,
                                                       T: 302},
    ("GET", "/demo/backoffice/pratiche/{app}/allegati/{file}"): {A: 302, C: 403, N: 404, O: 200, S: 200, M: 200,
                                                                  D: 200, T: 302},
    ("GET", "/demo/backoffice/pratiche/export.csv"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200,
                                                       T: 302},
    ("GET", "/demo/backoffice/statistiche"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/operatori"): {A: 302, C: 403, N: 404, O: 404, S: 404, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/operatori/nuovo"): {A: 302, C: 403, N: 404, O: 404, S: 404, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/servizi"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/calendari"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200, T: 302},
    ("GET", "/demo/backoffice/calendari/{calendar}"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200,
                                                        T: 302},
    ("GET", "/demo/backoffice/calendari/{calendar}/appuntamenti"): {A: 302, C: 403, N: 200, O: 200, S: 200, M: 200,
                                                                     D: 200, T: 302},
    ("GET", "/demo/backoffice/calendari/nuovo"): {A: 302, C: 403, N: 302, O: 302, S: 302, M: 302, D: 200, T: 302},
    ("POST", "/demo/backoffice/pratiche/{app}/messaggi"): {A: 302, C: 403, N: 404, O: 302, S: 302, M: 302, D: 302,
                                                            T: 302},
    ("GET", "/altro/backoffice/pratiche/{app}"): {A: 302, C: 302, N: 302, O: 302, S: 302, M: 302, D: 302, T: 404},
    ("GET", "/altro/backoffice/calendari/{calendar}"): {A: 302, C: 302, N: 302, O: 302, S: 302, M: 302, D: 302,
                                                         T: 404},
}
# API (method, path) -> expected status per caller
API: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/applications/{app}"): {A: 401, C: 200, N: 404, O: 200, S: 200, M: 200, D: 200, T: 401},
    ("GET", "/applications/{app}/notes"): {A: 401, C: 403, N: 404, O: 200, S: 200, M: 200, D: 200, T: 401},
    ("POST", "/applications/{app}/notes"): {A: 401, C: 403, N: 404, O: 201, S: 201, M: 201, D: 201, T: 401},
    ("GET", "/applications/{app}/history"): {A: 401, C: 200, N: 404, O: 200, S: 200, M: 200, D: 200, T: 401},
    ("GET", "/backoffice/applications"): {A: 401, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200, T: 401},
    ("GET", "/user-groups"): {A: 401, C: 403, N: 200, O: 200, S: 200, M: 200, D: 200, T: 401},
    ("GET", "/calendars/{calendar}"): {A: 200, C: 200, N: 200, O: 200, S: 200, M: 200, D: 200, T: 200},
}
# "Prendi in carico": who ends up holding the application
TAKE = {A: False, C: False, N: False, O: False, S: True, M: True, D: True, T: False}
API_TAKE = {A: 401, C: 403, N: 404, O: 403, S: 204, M: 204, D: 204, T: 401}


@pytest.fixture
def world(app, api, tmp_path) -> dict[str, Any]:
    make_tenant(app, "altro")
    add_staff(app, "sociale", office=SOCIAL, services=["contributo"])
    add_staff(app, "atti", office="Ufficio Relazioni con il Pubblico", services=["accesso-atti"])
    publish_with_rules(app, tmp_path, [{"field": "motivazione", "value": "Affitto", "office": SOCIAL}])
    return {"new_app": lambda: submitted(api, "contributo", contributo_data(motivazione="Affitto"))}


def _client(app, caller: str) -> Any:
    client = app.test_client()
    if caller == "citizen":  # the citizen portal's own login (sessions are recorded on the server)
        assert citizen_login(client, MARIO).status_code == 302
    elif caller == "other_tenant":
        assert login(client, "op-altro", tenant="altro").status_code == 302
    elif caller != "anonymous":
        assert login(client, USERNAMES[caller]).status_code == 302
    return client


def _token(client: Any) -> str:
    return TOKEN.search(client.get("/demo/backoffice/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def test_pages(app, api, world):
    app_id = world["new_app"]()
    with app.app_context():
        file_id = db.session.scalar(db.select(Attachment.id).where(Attachment.application_id == app_id))
        calendar_id = _demo_calendar()
    for caller in CALLERS:
        client = _client(app, caller)
        token = _token(client)
        for (method, template), expected in PAGES.items():
            path = template.format(app=app_id, file=file_id, calendar=calendar_id)
            data = {"csrf_token": token, "message": "Nota", "kind": "note"} if method == "POST" else None
            response = client.open(path, method=method, data=data)
            assert response.status_code == expected[caller], (caller, method, path, response.status_code)
            if response.status_code == 302 and expected[caller] == 302 and caller in (A, T, C):
                assert "/backoffice/login" in response.headers["Location"]


def test_export_and_list_show_only_what_the_caller_may_see(app, api, world):
    app_id = world["new_app"]()
    for caller in (N, O, S, M, D):
        client = _client(app, caller)
        csv_text = client.get("/demo/backoffice/pratiche/export.csv").get_data(as_text=True)
        listed = client.get("/demo/backoffice/pratiche").get_data(as_text=True)
        visible = caller != N
        assert (app_id in csv_text) is visible and (app_id in listed) is visible, caller


def test_take_in_charge(app, api, world):
    for caller in CALLERS:
        app_id = world["new_app"]()
        client = _client(app, caller)
        token = _token(client)
        client.post(f"/demo/backoffice/pratiche/{app_id}/azioni/take", data={"csrf_token": token, "version": ""})
        holder = api.get(f"/applications/{app_id}", "admin").get_json()["operator"]
        assert (holder is not None) is TAKE[caller], (caller, holder)
        if TAKE[caller]:
            assert holder == NAMES[caller]


def _api_call(app, api: Api, caller: str, method: str, path: str, **kwargs: Any) -> Any:
    headers = {}
    if caller == "other_tenant":
        headers["Authorization"] = f"Bearer {Api(app, tenant='altro').token('op-altro')}"
    elif caller != "anonymous":
        headers["Authorization"] = f"Bearer {api.token(USERNAMES[caller])}"
    return api.call(method, path, None, headers=headers, **kwargs)


def _demo_calendar() -> Any:
    return db.session.scalar(db.select(Calendar.id).join(Tenant, Tenant.id == Calendar.tenant_id)
                             .where(Tenant.slug == "demo"))


def test_api(app, api, world):
    app_id = world["new_app"]()
    with app.app_context():
        calendar_id = _demo_calendar()
    for caller in CALLERS:
        for (method, template), expected in API.items():
            body = {"json": {"message": "Nota"}} if method == "POST" else {}
            path = template.format(app=app_id, calendar=calendar_id)
            response = _api_call(app, api, caller, method, path, **body)
            assert response.status_code == expected[caller], (caller, method, template, response.get_json())
        fresh = world["new_app"]()
        response = _api_call(app, api, caller, "POST", f"/applications/{fresh}/transition/assign", json={})
        assert response.status_code == API_TAKE[caller], (caller, response.get_json())
    other = Api(app, tenant="altro")
    assert other.get(f"/applications/{app_id}", "op-altro").status_code == 404
    assert other.get(f"/applications/{app_id}/notes", "op-altro").status_code == 404
    listed = api.get("/backoffice/applications", "atti").get_json()
    assert app_id not in {row["id"] for row in listed["data"]}
