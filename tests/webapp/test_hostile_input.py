"""Input that would break pages, exports or JSON is refused at the door with a clear 4xx, and nothing
is kept: invalid Unicode and NUL, non-finite numbers, huge or deeply nested bodies."""

from __future__ import annotations

import json
import time

import pytest
from flask import Flask

from tests.backoffice.conftest import act as office_act
from tests.backoffice.conftest import logged_in
from tests.citizen.helpers import login, post_form
from tests.webapp.helpers import MARIO, act, contributo_data, create, messages_after_submission, submitted
from webapp.extensions import db
from webapp.models import Application


def _count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(Application)) or 0)


def _raw(api, path: str, body: str, user: str | None = MARIO):
    headers = {"Content-Type": "application/json"}
    return api.post(path, user, data=body.encode("utf-8", "surrogatepass"), headers=headers)


@pytest.mark.parametrize(("value", "message"), [
    ('"Ma\\ud800rio"', "caratteri non validi"),  # a lone surrogate, escaped as JSON allows
    ('"Ma\\u0000rio"', "NUL"),
])
def test_text_that_is_not_valid_unicode_is_refused_with_a_field_error(app: Flask, api, value, message) -> None:
    before = _count(app)
    body = json.dumps({"service": "contributo", "data": contributo_data()}).replace('"Mario"', value, 1)
    refused = _raw(api, "/applications", body)
    assert refused.status_code == 400
    [error] = refused.get_json()["errors"]
    assert error["pointer"] == "/data/nome" and message in error["message"]
    assert _count(app) == before
    app_id = create(api, "contributo", contributo_data())["id"]
    message_body = '{"message": "Ciao \\udfff"}'
    assert _raw(api, f"/applications/{app_id}/messages", message_body).status_code in (400, 409)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_that_are_not_finite_are_refused(app: Flask, api, number: str) -> None:
    before = _count(app)
    body = json.dumps({"service": "contributo", "data": contributo_data()}).replace("8500.0", number, 1)
    assert number in body
    refused = _raw(api, "/applications", body)
    assert refused.status_code == 400 and "non finito" in refused.get_json()["description"]
    assert _count(app) == before


def test_the_citizen_form_takes_no_nan(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data(isee=None))["id"]
    client = app.test_client()
    login(client)
    page = post_form(client, f"/demo/pratiche/{app_id}/passi/situazione",
                     {"isee": "nan", "action": "next"})
    assert page.status_code == 422 and "f-isee-error" in page.get_data(as_text=True)
    with app.app_context():
        assert "isee" not in (db.session.get(Application, app_id).data or {})


def test_the_office_form_takes_no_infinite_amount(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    client = logged_in(app, "operatore")
    for amount in ("inf", "nan", "1e999"):
        response = office_act(client, app_id, "accept", {"message": "Concesso", "payment_amount": amount})
        assert response.status_code in (200, 302, 400), amount
    assert api.get(f"/applications/{app_id}", "operatore").get_json()["status"] == "4000"


def test_nul_in_a_page_form_is_refused_in_italian(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    client = app.test_client()
    login(client)
    response = post_form(client, f"/demo/pratiche/{app_id}/messaggi", {"message": "ciao\x00"},
                         token_from=f"/demo/pratiche/{app_id}")
    assert response.status_code == 400 and "carattere non ammesso" in response.get_data(as_text=True)
    assert messages_after_submission(api, app_id) == []


def test_a_huge_login_body_is_refused_before_it_is_read(app: Flask) -> None:
    body = json.dumps({f"k{n}": n for n in range(80_000)})  # 1 MB of unknown keys: a login needs 100 bytes
    started = time.monotonic()
    response = app.test_client().post("/demo/api/auth", data=body, content_type="application/json")
    assert response.status_code == 413 and time.monotonic() - started < 2
    assert len(response.data) < 1024


def test_many_unknown_keys_get_a_short_answer(app: Flask, api) -> None:
    keys = {f"campo{n}": "x" for n in range(200)}
    small = app.test_client().post("/demo/api/auth", json={"username": "u", "password": "p", **keys})
    assert small.status_code == 400 and len(small.get_json()["errors"]) <= 50
    many = {f"c{n}": n for n in range(100_000)}  # about 1 MB, under the body limit
    started = time.monotonic()
    response = api.post("/applications", MARIO, json={"service": "contributo", "data": many})
    assert response.status_code == 400 and time.monotonic() - started < 5
    assert len(response.data) < 4096


@pytest.mark.parametrize("path", ["/auth", "/applications", "/payments/checkout"])
def test_deep_nesting_is_a_400_everywhere(app: Flask, api, path: str) -> None:
    for depth in (100, 1_000, 100_000):
        body = '{"a":' * depth + "1" + "}" * depth
        response = _raw(api, path, body)
        assert response.status_code in (400, 413), (path, depth, response.status_code)
        assert "annidato" in response.get_json()["description"] or response.status_code == 413


EDGE_DAYS = {"year 1 to year 9999": ("0001-01-01", "9999-12-31"), "the last day only": ("9999-12-31", "9999-12-31"),
             "the first day only": ("0001-01-01", "0001-01-01")}


@pytest.mark.parametrize(("first", "last"), EDGE_DAYS.values(), ids=EDGE_DAYS.keys())
def test_days_at_the_calendars_edges_filter_every_list(app: Flask, api, first: str, last: str) -> None:
    """A day typed into a filter that has no midnight in UTC (or no next day) is a bound that leaves out
    nothing before (or after) it: the page answers, with the rows such a span holds."""
    app_id = submitted(api)
    wide = first < "5000" < last
    office, admin, citizen = logged_in(app, "operatore"), logged_in(app, "admin"), app.test_client()
    login(citizen)
    for client, path in [(office, f"/demo/backoffice/pratiche?period=custom&from={first}&to={last}"),
                         (office, f"/demo/backoffice/pratiche/export.csv?period=custom&from={first}&to={last}"),
                         (office, f"/demo/backoffice/protocollo?period=custom&from={first}&to={last}"),
                         (office, f"/demo/backoffice/protocollo/export.csv?period=custom&from={first}&to={last}"),
                         (admin, f"/demo/backoffice/registro-attivita?dal={first}&al={last}"),
                         (citizen, f"/demo/area-personale/pagamenti?dal={first}&al={last}")]:
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, path
        if "/pratiche?" in path:
            assert (app_id in body) is wide, path
