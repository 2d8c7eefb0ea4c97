"""Back-office login: argon2id passwords, case-insensitive usernames, throttling, password reset."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from tests.backoffice.conftest import csrf, login
from webapp.extensions import db
from webapp.models import OutboxMessage, User
from webapp.models.backoffice import LoginThrottle, PasswordResetToken

LINK = re.compile(r"http://\S+/demo/backoffice/reimposta-password/(\S+)")


def test_login_case_insensitive_and_cookie_flags(app):
    client = app.test_client()
    response = login(client, "  OPERATORE ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/demo/backoffice/pratiche")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/demo/backoffice/pratiche")
    assert page.status_code == 200 and "Olivia Operatrice" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_secure_cookie_outside_demo(app):
    from tests.conftest import app_config
    from webapp.app import create_app

    secure = create_app(app_config(app.config["SQLALCHEMY_DATABASE_URI"], app.config["STORAGE_DIR"],
                                   SECURE_COOKIES=True))
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    client = secure.test_client()
    response = login(client, "operatore")
    assert "Secure" in response.headers["Set-Cookie"]
    with secure.app_context():
        db.engine.dispose()  # this second app's pool: closed now, not by the garbage collector later


def test_wrong_password_citizen_and_next_redirect(app):
    client = app.test_client()
    assert login(client, "operatore", "sbagliata").status_code == 401
    assert login(client, "RSSMRA80A01H501U").status_code == 401  # citizens have no back office
    anonymous = client.get("/demo/backoffice/pratiche?service=contributo")
    assert anonymous.status_code == 302 and "/demo/backoffice/login?next=" in anonymous.headers["Location"]
    token = csrf(client, "/demo/backoffice/login")
    response = client.post("/demo/backoffice/login?next=/demo/backoffice/statistiche",
                           data={"username": "manager", "password": "demo", "csrf_token": token})
    assert response.headers["Location"] == "/demo/backoffice/statistiche"
    client = app.test_client()
    token = csrf(client, "/demo/backoffice/login")
    response = client.post("/demo/backoffice/login?next=//evil.example/x",
                           data={"username": "manager", "password": "demo", "csrf_token": token})
    assert response.headers["Location"] == "/demo/backoffice/pratiche"


def test_logout_is_a_post(app):
    client = app.test_client()
    login(client, "operatore")
    token = csrf(client, "/demo/backoffice/pratiche")
    assert client.get("/demo/backoffice/logout").status_code == 405
    assert client.post("/demo/backoffice/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/demo/backoffice/pratiche").status_code == 302


def _account_throttle(username: str) -> LoginThrottle:
    """An account's failures are counted by its id, however its name was typed."""
    user = db.session.scalar(db.select(User).where(User.username == username))
    return db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.scope == "user",
                                                            LoginThrottle.key == str(user.id)))


def test_failures_slow_down_then_lock_the_account(app, make_app):
    app = make_app(LOGIN_BACKOFF_SECONDS=60)  # a slow machine must not see the wait expire mid-test
    client = app.test_client()
    slowdown, lock = app.config["LOGIN_SLOWDOWN_AFTER"], app.config["LOGIN_LOCK_AFTER"]
    for _ in range(slowdown):
        assert login(client, "operatore", "sbagliata").status_code == 401
    throttled = login(client, "operatore", "demo")  # even the right password must wait now
    assert throttled.status_code == 429 and "riprova tra" in throttled.get_data(as_text=True)
    with app.app_context():
        row = _account_throttle("operatore")
        row.failures, row.last_failure_at = lock - 1, datetime.now(UTC) - timedelta(days=1)
        db.session.commit()
    assert login(client, "operatore", "sbagliata").status_code == 401
    locked = login(client, "operatore", "demo")
    assert locked.status_code == 429 and "minuti" in locked.get_data(as_text=True)
    with app.app_context():  # the lock expires
        row = _account_throttle("operatore")
        row.blocked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    assert login(client, "operatore", "demo").status_code == 302


def test_failures_are_counted_per_address_too(app, make_app):
    app = make_app(LOGIN_BACKOFF_SECONDS=60)
    client = app.test_client()
    per_ip = app.config["LOGIN_SLOWDOWN_AFTER"] * 5
    for index in range(per_ip):
        login(client, f"nessuno{index}", "x", REMOTE_ADDR="10.1.2.3")
    assert login(client, "manager", "demo", REMOTE_ADDR="10.1.2.3").status_code == 429
    assert login(client, "manager", "demo", REMOTE_ADDR="10.9.9.9").status_code == 302


def _reset_link(app) -> str:
    with app.app_context():
        row = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.created_at.desc())).first()
        assert row.recipient == "operatore@demo.example.it"
        return LINK.search(row.body).group(1)


def test_password_reset_single_use_and_hashed(app):
    client = app.test_client()
    token = csrf(client, "/demo/backoffice/password-dimenticata")
    response = client.post("/demo/backoffice/password-dimenticata", data={"login": "Operatore", "csrf_token": token})
    assert response.status_code == 302
    secret = _reset_link(app)
    with app.app_context():
        stored = db.session.scalars(db.select(PasswordResetToken)).all()
        assert [r.token_hash for r in stored] == [hashlib.sha256(secret.encode()).hexdigest()]
    path = f"/demo/backoffice/reimposta-password/{secret}"
    assert client.get(path).status_code == 200
    form = {"password": "corta", "confirm": "corta", "csrf_token": csrf(client, path)}
    assert client.post(path, data=form).status_code == 400
    form.update(password="una-nuova-password", confirm="una-nuova-password")
    assert client.post(path, data=form).status_code == 302
    assert client.get(path).status_code == 400  # single use
    assert login(app.test_client(), "operatore", "una-nuova-password").status_code == 302
    assert login(app.test_client(), "operatore", "demo").status_code == 401


def test_password_reset_unknown_user_and_expiry(app):
    client = app.test_client()
    token = csrf(client, "/demo/backoffice/password-dimenticata")
    client.post("/demo/backoffice/password-dimenticata", data={"login": "nessuno", "csrf_token": token})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(PasswordResetToken)) == 0
    client.post("/demo/backoffice/password-dimenticata", data={"login": "operatore@demo.example.it",
                                                                "csrf_token": token})
    secret = _reset_link(app)
    with app.app_context():
        row = db.session.scalars(db.select(PasswordResetToken)).one()
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        assert db.session.scalar(db.select(User.password_hash).where(User.username == "operatore")).startswith(
            "$argon2id$")
    assert client.get(f"/demo/backoffice/reimposta-password/{secret}").status_code == 400
