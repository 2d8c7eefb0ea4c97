"""Answers the OpenAPI document promises, each checked on its own: moments with their offset (on the
demo's SQLite too), error bodies that fit `Error`, `Allow` on 405, query parameters refused when the
document does not admit them, and NUL in an address a 400 rather than a crash."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from openapi_schema_validator import OAS30Validator

from tests.conftest import Api
from tests.webapp.helpers import MARIO, accesso_atti_data, create, submitted


def _error_schema(api: Api) -> OAS30Validator:
    document = api.get("/openapi.json").get_json()
    schema = {**document["components"]["schemas"]["Error"], "components": document["components"]}
    return OAS30Validator(schema)


def _has_offset(moment: str) -> bool:
    return datetime.fromisoformat(moment).utcoffset() is not None


def test_moments_are_served_with_their_offset_on_the_demo_database(app: Flask, make_app, tmp_path: Path) -> None:
    """SQLite gives moments back without their zone: they are UTC, and the API says so."""
    from webapp.cli import upgrade_database
    from webapp.demo import seed_demo

    demo = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/demo.sqlite3")
    with demo.app_context():
        upgrade_database()
        seed_demo("demo")
    api = Api(demo)
    app_id = submitted(api, "accesso-atti", accesso_atti_data())
    shown = api.get(f"/applications/{app_id}", MARIO).get_json()
    [row] = api.get("/backoffice/applications", "operatore").get_json()["data"]
    history = api.get(f"/applications/{app_id}/history", MARIO).get_json()
    moments = [shown["created_at"], shown["submitted_at"], shown["latest_status_change_at"],
               row["submitted_at"], row["latest_status_change_at"], *(h["date"] for h in history)]
    assert all(_has_offset(moment) for moment in moments), moments


def test_a_conflict_carries_fields_the_error_schema_declares(api: Api) -> None:
    draft = create(api, "accesso-atti", accesso_atti_data())["id"]
    answer = api.post(f"/applications/{draft}/transition/withdraw", MARIO, json={})
    assert answer.status_code == 409 and answer.get_json()["application_status"] == 1000
    _error_schema(api).validate(answer.get_json())


def test_a_method_an_address_does_not_take_is_a_405_with_allow(app: Flask) -> None:
    client = app.test_client()
    api_answer = client.delete("/demo/api/services")
    page = client.delete("/demo/area-personale")
    assert (api_answer.status_code, page.status_code) == (405, 405)
    assert "GET" in api_answer.headers["Allow"] and "GET" in page.headers["Allow"]
    assert api_answer.get_json()["status"] == 405


@pytest.mark.parametrize(("path", "parameter"), [
    ("/applications?status=99999999999999999999", "/status"),  # was a 500 (out of the database's range)
    ("/applications?createdAt%5Bafter%5D=20260101", "/createdAt[after]"),  # neither a date nor a date-time
    ("/backoffice/applications?handling=nobody", "/handling"),  # was ignored
    ("/backoffice/applications?from=31-12-2026", "/from"),  # was ignored
    ("/backoffice/applications?status=123456789012", "/status"),  # was ignored
])
def test_query_parameters_the_document_does_not_admit_are_a_400_naming_them(api: Api, path: str,
                                                                            parameter: str) -> None:
    answer = api.get(path, "operatore")
    assert answer.status_code == 400, answer.get_json()
    assert [e["pointer"] for e in answer.get_json()["errors"]] == [parameter]
    _error_schema(api).validate(answer.get_json())


def test_availabilities_take_only_true_or_false(api: Api) -> None:
    [calendar] = api.get("/calendars").get_json()[:1]
    answer = api.get(f"/calendars/{calendar['id']}/availabilities?available=yes")
    assert answer.status_code == 400 and answer.get_json()["errors"][0]["pointer"] == "/available"


def test_the_back_office_list_echoes_its_days_as_dates(api: Api) -> None:
    submitted(api, "contributo")
    answer = api.get("/backoffice/applications?period=custom&from=2026-01-01&to=2026-12-31", "operatore")
    parameters = answer.get_json()["meta"]["parameter"]
    assert (parameters["from"], parameters["to"], parameters["period"]) == ("2026-01-01", "2026-12-31", "custom")


@pytest.mark.parametrize("path", ["/%00/api/services", "/demo/api/services/%00", "/demo/api/applications?service=%00",
                                  "/demo/api/calendars?x=%00", "/%00/", "/demo/servizi/%00"])
def test_nul_in_an_address_is_a_400(app: Flask, api: Api, path: str) -> None:
    """The database cannot compare with NUL: every lookup with it was a 500."""
    answer = app.test_client().get(path, headers={"Authorization": f"Bearer {api.token(MARIO)}"})
    assert answer.status_code == 400
    assert "NUL" in answer.get_data(as_text=True)
