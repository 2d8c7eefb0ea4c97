"""Sessions end when they should: a copied cookie is worthless after logout; a new password or a new
role ends every session and API token of the person; personal pages are never cached; HSTS over
HTTPS; a return address with CR/LF is a 400."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from flask import Flask

from tests.backoffice.conftest import csrf as office_csrf
from tests.backoffice.conftest import logged_in
from tests.backoffice.conftest import login as office_login
from tests.citizen.helpers import csrf, login
from tests.webapp.helpers import MARIO, contributo_data, create
from tests.webapp.tenants import make_tenant
from webapp.extensions import db
from webapp.models import LoginSession, OutboxMessage, User
from webapp.services.common.uow import unit_of_work


def _copy_of(client, app: Flask):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_citizens_cookie_copied_before_logout_is_worthless_after(app: Flask) -> None:
    client = app.test_client()
    login(client)
    thief = _copy_of(client, app)
    assert thief.get("/demo/area-personale").status_code == 200  # the copy works while the session lives
    client.post("/demo/esci", data={"csrf_token": csrf(client, "/demo/area-personale")})
    assert thief.get("/demo/area-personale").status_code == 302  # to the login page
    assert client.get("/demo/area-personale").status_code == 302


def test_an_operators_cookie_copied_before_logout_is_worthless_after(app: Flask) -> None:
    client = logged_in(app, "operatore")
    thief = _copy_of(client, app)
    assert thief.get("/demo/backoffice/pratiche").status_code == 200
    client.post("/demo/backoffice/logout", data={"csrf_token": office_csrf(client, "/demo/backoffice/pratiche")})
    assert thief.get("/demo/backoffice/pratiche").status_code == 302


def test_a_new_password_ends_sessions_and_tokens(app: Flask, api) -> None:
    elsewhere = logged_in(app, "operatore")
    token = api.token("operatore")
    assert api.get("/backoffice/applications", "operatore").status_code == 200
    client = app.test_client()
    client.post("/demo/backoffice/password-dimenticata",
                data={"login": "operatore", "csrf_token": office_csrf(client, "/demo/backoffice/password-dimenticata")})
    with app.app_context():
        body = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.created_at.desc())).first().body
    path = re.search(r"http://\S+(/demo/backoffice/reimposta-password/\S+)", body).group(1)
    client.post(path, data={"password": "una-nuova-password", "confirm": "una-nuova-password",
                            "csrf_token": office_csrf(client, path)})
    assert elsewhere.get("/demo/backoffice/pratiche").status_code == 302
    old = app.test_client().get("/demo/api/backoffice/applications", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401
    api.tokens.pop("operatore")
    assert office_login(app.test_client(), "operatore", "una-nuova-password").status_code == 302


def test_a_new_role_ends_sessions_and_tokens(app: Flask, api) -> None:
    operator = logged_in(app, "operatore")
    token = api.token("operatore")
    manager = logged_in(app, "manager")
    with app.app_context():
        operator_id = db.session.scalar(db.select(User.id).where(User.username == "operatore"))
    response = manager.post(f"/demo/backoffice/operatori/{operator_id}/ruolo",
                            data={"manager": "1", "confirm": "1",
                                  "csrf_token": office_csrf(manager, "/demo/backoffice/operatori")})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(User.role).where(User.id == operator_id)) == "manager"
    assert operator.get("/demo/backoffice/pratiche").status_code == 302
    old = app.test_client().get("/demo/api/backoffice/applications", headers={"Authorization": f"Bearer {token}"})
    assert old.status_code == 401
    api.tokens.pop("operatore")


def test_personal_pages_are_never_stored(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    client = app.test_client()
    assert "no-store" not in client.get("/demo/servizi").headers.get("Cache-Control", "")  # public, anonymous
    login(client)
    for path in ("/demo/area-personale", f"/demo/pratiche/{app_id}", "/demo/area-personale/profilo",
                 "/demo/servizi"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert api.get(f"/applications/{app_id}", MARIO).headers.get("Cache-Control") == "no-store"
    static = client.get("/static/css/app.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_hsts_only_over_https(app: Flask, make_app) -> None:
    assert "Strict-Transport-Security" not in app.test_client().get("/demo/servizi").headers
    secure = make_app(SECURE_COOKIES=True)
    hsts = secure.test_client().get("/demo/servizi", base_url="https://localhost").headers
    assert hsts["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path", ["/demo/accedi?next=/demo/%0d%0aSet-Cookie:x=1",
                                  "/demo/backoffice/login?next=/demo/backoffice/%0d%0aX:1"])
def test_a_return_address_with_cr_lf_is_a_400(app: Flask, path: str) -> None:
    client = app.test_client()
    if "backoffice" in path:
        response = client.post(path, data={"username": "operatore", "password": "demo",
                                           "csrf_token": office_csrf(client, "/demo/backoffice/login")})
    else:
        response = client.get(path)
    assert response.status_code == 400
    assert "Set-Cookie: x" not in str(response.headers) and "X: 1" not in str(response.headers)


def test_an_expired_token_is_refused_and_the_suites_client_renews_it(app: Flask, api) -> None:
    """The suite's token cache outlives a token (a full run takes over an hour): it must log in anew."""
    api.token("operatore")
    claims = jwt.decode(api.tokens["operatore"], options={"verify_signature": False})
    claims["exp"] = int((datetime.now(UTC) - timedelta(seconds=1)).timestamp())
    expired = jwt.encode(claims, app.config["SECRET_KEY"], algorithm="HS256")
    refused = app.test_client().get("/demo/api/backoffice/applications",
                                    headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code == 401
    assert "scaduto" in refused.get_json()["description"]
    api.tokens["operatore"] = expired
    assert api.get("/backoffice/applications", "operatore").status_code == 200
    assert api.tokens["operatore"] != expired


def test_a_session_is_anonymous_on_another_entes_pages_and_after_it_ends(app: Flask) -> None:
    """The page's tenant and the person its cookie names are read in one statement: the rules stay."""
    make_tenant(app, "altro")
    client = app.test_client()
    login(client)
    assert client.get("/demo/area-personale").status_code == 200
    assert client.get("/altro/area-personale").status_code == 302  # signed in at demo, not at altro
    assert client.get("/nessuno/area-personale").status_code == 404  # an unknown ente stays a 404
    with client.session_transaction() as session:
        session["_user_id"] = "not:ids"
    assert client.get("/demo/area-personale").status_code == 302
    login(client)
    with app.app_context(), unit_of_work():
        db.session.execute(db.delete(LoginSession))  # every session ended on the server
    assert client.get("/demo/area-personale").status_code == 302
