"""Login through the test identity provider: SPID/CIE attributes, refresh at every login, safe return."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.citizen.helpers import LUCA, MARIO, csrf, login
from tests.conftest import app_config
from webapp.app import create_app
from webapp.extensions import db
from webapp.models import User


def _user(app: Flask, fiscal_code: str) -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.fiscal_code == fiscal_code))
        assert user is not None
        db.session.expunge(user)
        return user


def test_login_page_offers_spid_and_cie(app):
    html = app.test_client().get("/demo/accedi").get_data(as_text=True)
    assert "Entra con SPID" in html and "Entra con CIE" in html


def test_test_identity_logs_in_and_records_the_method(app):
    client = app.test_client()
    response = login(client, MARIO, method="cie")
    assert response.status_code == 302 and response.location.endswith("/demo/area-personale")
    user = _user(app, MARIO)
    assert user.identity["method"] == "cie"
    assert user.identity["attributes"]["fiscalNumber"] == f"TINIT-{MARIO}"
    assert user.identity["attributes"]["placeOfBirth"] == "Roma"
    assert client.get("/demo/area-personale").status_code == 200


def test_new_identity_is_created_on_first_login_and_refreshed_later(app):
    client = app.test_client()
    login(client, LUCA)
    user = _user(app, LUCA)
    assert (user.name, user.family_name, user.birth_place) == ("Luca", "Bianchi", "Napoli")
    assert user.identity["method"] == "spid"
    with app.app_context():
        row = db.session.get(User, user.id)
        row.birth_place = "Altrove"
        db.session.commit()
    client.post("/demo/esci", data={"csrf_token": csrf(client, "/demo/area-personale")})
    login(app.test_client(), LUCA, method="cie")
    refreshed = _user(app, LUCA)
    assert refreshed.birth_place == "Napoli" and refreshed.identity["method"] == "cie"


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/altro-ente/servizi",
                                    "javascript:alert(1)", "/demo\\..\\x"])
def test_next_must_stay_on_this_ente(app, target):
    response = login(app.test_client(), MARIO, next_url=target)
    assert response.location.endswith("/demo/area-personale")


def test_login_from_a_service_returns_to_its_form(app):
    client = app.test_client()
    start = client.get("/demo/servizi/contributo/domanda")
    assert start.status_code == 302 and "/demo/accedi?next=/demo/servizi/contributo/domanda" in start.location
    response = login(client, MARIO, next_url="/demo/servizi/contributo/domanda")
    assert response.location.endswith("/demo/servizi/contributo/domanda")


def test_logout(app):
    client = app.test_client()
    login(client, MARIO)
    response = client.post("/demo/esci", data={"csrf_token": csrf(client, "/demo/area-personale")})
    assert response.status_code == 302
    assert client.get("/demo/area-personale").status_code == 302


def test_staff_accounts_are_not_citizens_here(app):
    with app.app_context():
        operator = db.session.scalar(db.select(User).where(User.username == "operatore"))
        operator.fiscal_code = LUCA
        db.session.commit()
    response = login(app.test_client(), LUCA)
    assert response.status_code == 403


def test_test_provider_is_off_by_default(database_url, storage_dir, app):
    config = app_config(database_url, storage_dir)
    config.pop("TEST_IDENTITY_PROVIDER")
    config.pop("SAML_KEY_FILE")  # no real SPID either: the login page offers nothing
    production_like = create_app(config)
    client = production_like.test_client()
    try:
        assert client.get("/demo/accedi/prova/spid").status_code == 404
        assert "Entra con SPID" not in client.get("/demo/accedi").get_data(as_text=True)
        assert client.get("/demo/accedi/spid").status_code == 404
    finally:
        with production_like.app_context():
            db.engine.dispose()  # its own connection pool: closed here, not left to the garbage collector
