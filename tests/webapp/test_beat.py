"""Timers fired by a real Celery beat + worker, and still fired after both were killed and restarted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis
from flask import Flask

from tests.conftest import REDIS_URL, Api, app_config
from tests.webapp.helpers import MARIO, act, contributo_data, create
from tests.webapp.tenants import make_tenant, service_copy, with_options
from tests.webapp.workers import Beat, Worker, wait_until

pytestmark = pytest.mark.worker
BROKER = f"{REDIS_URL}/9"


def _status(api: Api, app_id: str) -> int:
    return int(api.get(f"/applications/{app_id}", MARIO).get_json()["status"])


def test_payment_expiry_timer_survives_a_restart(app: Flask, make_app, database_url: str, storage_dir: Path,
                                                 tmp_path: Path) -> None:
    folder = with_options(service_copy(tmp_path, "contributo", 1), payment="request", payment_amount=1600,
                          payment_expiry="PT4S")
    make_tenant(app, "scadenze", [folder])
    redis.Redis.from_url(BROKER).flushdb()
    overrides = {"CELERY_ALWAYS_EAGER": False, "CELERY_BROKER_URL": BROKER, "SWEEP_SECONDS": 1}
    config = app_config(database_url, storage_dir, **overrides)
    api = Api(make_app(**overrides), "scadenze")
    worker, beat = Worker(config).start(), Beat(config, tmp_path / "beat-schedule").start()
    try:
        app_id = create(api, "contributo", contributo_data())["id"]
        act(api, app_id, "submit", MARIO)
        wait_until(lambda: bool(api.get(f"/applications/{app_id}/payment", MARIO).get_json()), timeout=30)
        assert _status(api, app_id) == 1500  # the notice exists; its expiry is a timer in the database
        beat.kill()
        worker.kill()  # both gone before the notice expires
        time.sleep(5)
        assert _status(api, app_id) == 1500  # nobody fired it while they were down
        worker, beat = Worker(config).start(), Beat(config, tmp_path / "beat-schedule").start()
        wait_until(lambda: _status(api, app_id) == 1530, timeout=45)
    finally:
        beat.stop()
        worker.stop()
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert payment["status"] == "EXPIRED"
