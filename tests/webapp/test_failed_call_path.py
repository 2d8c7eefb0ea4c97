"""A service call out of attempts goes where the process models it (an error boundary), not to an incident."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SIMULATORS, Api
from tests.webapp.helpers import MARIO, accesso_atti_data, act, create
from tests.webapp.process_tasks import complete, tasks
from tests.webapp.tenants import make_tenant, service_copy, with_options

REGISTRO = Path(__file__).resolve().parent / "processes" / "registro"


def test_a_failed_registration_becomes_the_office_s_task(app, tmp_path: Path):
    make_tenant(app, "registri", [REGISTRO])
    api = Api(app, "registri")
    register = SIMULATORS["protocol"].app
    register.fail_next(10, status=503)
    app_id = create(api, "registro", {"oggetto": "Richiesta"})["id"]
    act(api, app_id, "submit", MARIO)
    detail = api.get(f"/applications/{app_id}", "op-registri").get_json()
    assert detail["incidents"] == [] and detail["status"] == "2000"
    [task] = tasks(api, app_id, "op-registri")
    assert task["name"] == "ut_manual" and task["label"] == "Protocolla a mano"
    assert complete(api, app_id, task["id"], "op-registri", {"numero": "2027/123"}).status_code == 204
    assert api.get(f"/applications/{app_id}", "op-registri").get_json()["status"] == "3000"
    register.fail_next(0)


def test_without_an_error_boundary_it_stays_an_incident(app, tmp_path: Path):
    make_tenant(app, "guasti", [with_options(service_copy(tmp_path, "accesso-atti", 1), protocol_handler="connector")])
    api = Api(app, "guasti")
    register = SIMULATORS["protocol"].app
    register.fail_next(10, status=503)
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    assert len(api.get(f"/applications/{app_id}", "op-guasti").get_json()["incidents"]) == 1
    register.fail_next(0)
