"""Every way in with a password shares one count: the API's /auth is throttled like the back-office
login form, and a lock from either holds for both, per account and per address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from tests.backoffice.conftest import login as form_login
from webapp.extensions import db
from webapp.models import User
from webapp.models.backoffice import LoginThrottle


@pytest.fixture
def slow(app: Flask, make_app) -> Flask:
    """A minute's wait after the slowdown, so that a slow machine never sees it expire mid-test."""
    return make_app(LOGIN_BACKOFF_SECONDS=60)  # type: ignore[no-any-return]


def _api_login(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post("/demo/api/auth", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _account_row(app: Flask, username: str) -> LoginThrottle:
    user = db.session.scalar(db.select(User).where(User.username == username))
    return db.session.scalar(db.select(LoginThrottle).where(LoginThrottle.scope == "user",
                                                            LoginThrottle.key == str(user.id)))


def test_wrong_passwords_on_the_api_are_throttled(slow: Flask) -> None:
    app = slow
    client = app.test_client()
    codes = [_api_login(client, "operatore", f"sbagliata{n}").status_code for n in range(30)]
    slowdown = app.config["LOGIN_SLOWDOWN_AFTER"]
    assert codes[:slowdown] == [401] * slowdown and set(codes[slowdown:]) == {429}
    refused = _api_login(client, "operatore", "demo")  # even the right password waits now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "riprova tra" in refused.get_json()["description"] and "token" not in refused.get_json()


def test_a_lock_from_the_login_form_holds_on_the_api(slow: Flask) -> None:
    app = slow
    client = app.test_client()
    with app.app_context():  # nine failures an hour ago: the tenth locks the account
        assert form_login(client, "operatore", "sbagliata").status_code == 401
        row = _account_row(app, "operatore")
        row.failures = app.config["LOGIN_LOCK_AFTER"] - 1
        row.last_failure_at = datetime.now(UTC) - timedelta(days=1)
        db.session.commit()
    assert form_login(client, "operatore", "sbagliata").status_code == 401
    locked = _api_login(client, "operatore", "demo", address="10.7.7.7")  # another address: the account is locked
    assert locked.status_code == 429 and "minuti" in locked.get_json()["description"]


def test_api_failures_count_on_the_login_form_under_any_spelling(slow: Flask) -> None:
    app = slow
    client = app.test_client()
    for typed in ("OPERATORE", "operatore", "Operatore"):
        assert _api_login(client, typed, "sbagliata").status_code == 401
    assert form_login(client, "operatore", "demo").status_code == 429


def test_api_failures_are_counted_per_address_too(slow: Flask) -> None:
    app = slow
    client = app.test_client()
    for index in range(app.config["LOGIN_SLOWDOWN_AFTER"] * 5):
        assert _api_login(client, f"nessuno{index}", "x", address="10.1.2.3").status_code == 401
    assert _api_login(client, "manager", "demo", address="10.1.2.3").status_code == 429
    assert _api_login(client, "manager", "demo", address="10.9.9.9").status_code == 200
