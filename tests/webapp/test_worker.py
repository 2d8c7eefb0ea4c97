"""Service tasks run by a real Celery worker process over Redis, after the web request committed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from tests.conftest import REDIS_URL, Api, app_config
from tests.webapp.helpers import MARIO, accesso_atti_data, act, create, history
from webapp.app import create_app
from webapp.extensions import db

BROKER = f"{REDIS_URL}/6"
pytestmark = pytest.mark.worker


@pytest.fixture
def worker_app(app: Flask, database_url: str, storage_dir: Path) -> Iterator[Flask]:
    redis.Redis.from_url(BROKER).flushdb()
    config = app_config(database_url, storage_dir, CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=BROKER)
    env = {**os.environ, **{key: str(value) for key, value in config.items()}}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "webapp.worker:celery", "worker", "--pool=solo", "--concurrency=1",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        env=env, cwd=Path(__file__).resolve().parents[2],
    )
    flask_app = create_app(config)
    try:
        yield flask_app
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        with flask_app.app_context():
            db.engine.dispose()


def _wait_for_status(api: Api, app_id: str, wanted: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(f"/applications/{app_id}", "operatore").get_json()
        if int(body["status"]) == wanted:
            return body
        time.sleep(0.2)
    raise AssertionError(f"status {wanted} not reached: still {body['status']}")


def test_worker_generates_receipt_and_registers_protocol(worker_app: Flask) -> None:
    api = Api(worker_app)
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    # The request returned at once with the application sent; the worker does the rest.
    body = _wait_for_status(api, app_id, 3000)
    assert body["protocol_number"]
    assert [s for s, _ in history(api, app_id)] == [1000, 1900, 2000, 3000]
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "reject", "operatore", {"message": "Atti non detenuti dal Comune"})
    _wait_for_status(api, app_id, 9000)
    assert [s for s, _ in history(api, app_id)][-3:] == [4000, 8000, 9000]
