"""`/health` and `/ready` outside any ente: no login, no session, no CSRF; `/ready` says which part failed."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import REDIS_URL
from tests.webapp.workers import free_port


def test_health_answers_without_login_or_io(app: Flask, make_app: Any):
    response = app.test_client().get("/health")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                      CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert broken.test_client().get("/health").status_code == 200  # nothing reachable, still alive


def test_ready_with_database_and_broker(make_app: Any, app: Flask):
    response = make_app(CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"{REDIS_URL}/5").test_client().get("/ready")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}


def test_ready_is_503_naming_an_unreachable_broker(make_app: Any, app: Flask):
    broken = make_app(CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = broken.test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "checks": {"database": "ok", "broker": "unreachable"},
                                   "failed": ["broker"]}


def test_ready_is_503_naming_an_unreachable_database(make_app: Any, app: Flask):
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
                      CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"{REDIS_URL}/5")
    response = broken.test_client().get("/ready")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["database"]
    assert response.get_json()["checks"] == {"database": "unreachable", "broker": "ok"}


def test_in_process_work_needs_no_broker(app: Flask):
    response = app.test_client().get("/ready")  # the test configuration runs work eagerly, as the demo does
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "broker": "not used"}


def test_probes_are_not_tenants_and_refuse_posts(app: Flask):
    client = app.test_client()
    assert client.post("/health").status_code == 405
    assert client.get("/health/").status_code == 404
