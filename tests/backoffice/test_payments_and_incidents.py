"""Payments in the back office: deferred payment and stamps on approval, Registra pagamento, incidents."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backoffice.conftest import act, logged_in
from tests.conftest import SIMULATORS, Api
from tests.webapp.helpers import MARIO, accesso_atti_data, create, status, submitted
from tests.webapp.helpers import act as api_act
from tests.webapp.tenants import make_tenant, service_copy, with_options

DETAIL = "/demo/backoffice/pratiche/{}"


def test_approval_with_deferred_payment_and_stamps_then_registered(app, api):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "operatore")
    act(client, app_id, "take")
    bad = act(client, app_id, "accept", {"message": "Concesso", "payment_amount": "cinquanta"})
    assert bad.status_code == 302 and status(api, app_id) == 4000  # refused: nothing changed
    assert "Importo non valido" in client.get(DETAIL.format(app_id)).get_data(as_text=True)
    act(client, app_id, "accept", {"message": "Concesso", "payment_amount": "50,00", "stamps_count": "1",
                                   "stamps_reason": "Bollo sul provvedimento"})
    assert status(api, app_id) == 1500
    kinds = sorted((p["kind"], p["amount"]) for p in api.get(f"/applications/{app_id}/payment", MARIO).get_json())
    assert kinds == [("bollo", 1600), ("pagopa", 5000)]
    tab = client.get(DETAIL.format(app_id) + "/pagamenti").get_data(as_text=True)
    assert "Bollo sul provvedimento" in tab and "€ 50,00" in tab and "Registra pagamento" in tab
    version = int(tab.split('name="version" value="')[1].split('"')[0])  # the modal on the Pagamenti tab
    act(client, app_id, "complete-payment", {"message": "Pagato in contanti, quietanza 7", "visibility": "applicant"},
        version=version)
    assert status(api, app_id) == 7000
    tab = client.get(DETAIL.format(app_id) + "/pagamenti").get_data(as_text=True)
    assert "Pagato in contanti, quietanza 7" in tab and "Registra pagamento" not in tab
    citizen_sees = [m["message"] for m in api.get(f"/applications/{app_id}/messages", MARIO).get_json()]
    assert "Pagato in contanti, quietanza 7" in citizen_sees  # the operator chose to tell the citizen


@pytest.fixture
def failing_register(app, tmp_path: Path) -> Api:
    make_tenant(app, "guasto", [with_options(service_copy(tmp_path, "accesso-atti", 1), protocol_handler="connector")])
    return Api(app, "guasto")


def test_incident_shown_and_retried_from_the_back_office(app, failing_register):
    register = SIMULATORS["protocol"].app
    register.fail_next(10, status=503)
    app_id = create(failing_register, "accesso-atti", accesso_atti_data())["id"]
    api_act(failing_register, app_id, "submit", MARIO)
    client = logged_in(app, "op-guasto", tenant="guasto")
    page = client.get(f"/guasto/backoffice/pratiche/{app_id}").get_data(as_text=True)
    assert "Operazioni non riuscite" in page and "Protocollazione della domanda" in page
    register.fail_next(0)
    [incident] = failing_register.get(f"/applications/{app_id}", "op-guasto").get_json()["incidents"]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/guasto/backoffice/pratiche/{app_id}/incidenti/{incident['id']}/riprova",
                           data={"csrf_token": token})
    assert response.status_code == 302
    detail = failing_register.get(f"/applications/{app_id}", "op-guasto").get_json()
    assert detail["status"] == "3000" and detail["incidents"] == []
    assert "Operazioni non riuscite" not in client.get(f"/guasto/backoffice/pratiche/{app_id}").get_data(as_text=True)

