"""The reconciliation run by a real Celery beat + worker: a payment whose receipt never comes is found paid."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from flask import Flask

import connectors
from tests.conftest import REDIS_URL, SIMULATORS, Api, app_config
from tests.webapp.helpers import MARIO, act, contributo_data, create, pay
from tests.webapp.tenants import make_tenant, service_copy, with_options
from tests.webapp.workers import Beat, Worker, wait_until

pytestmark = pytest.mark.worker
BROKER = f"{REDIS_URL}/10"


def _status(api: Api, app_id: str) -> int:
    return int(api.get(f"/applications/{app_id}", MARIO).get_json()["status"])


def test_beat_reconciles_a_payment_without_receipt(app: Flask, make_app, database_url: str, storage_dir: Path,
                                                   tmp_path: Path) -> None:
    folder = with_options(service_copy(tmp_path, "contributo", 1), payment="request", payment_amount=1600)
    make_tenant(app, "riconcilia", [folder])
    SIMULATORS["pagopa"].app.receipt_url = None  # no receipt will ever come
    redis.Redis.from_url(BROKER).flushdb()
    overrides = {"CELERY_ALWAYS_EAGER": False, "CELERY_BROKER_URL": BROKER, "SWEEP_SECONDS": 1,
                 "PAGOPA_RECONCILE_SECONDS": 1, "PAGOPA_RECONCILE_AFTER": 0, "PAGOPA_RECONCILE_EVERY": 1}
    config = app_config(database_url, storage_dir, **overrides)
    api = Api(make_app(**overrides), "riconcilia")
    worker, beat = Worker(config).start(), Beat(config, tmp_path / "beat-schedule").start()
    try:
        app_id = create(api, "contributo", contributo_data())["id"]
        act(api, app_id, "submit", MARIO)
        wait_until(lambda: bool(api.get(f"/applications/{app_id}/payment", MARIO).get_json()), timeout=30)
        [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
        assert pay(api, [payment["id"]], connectors.simulators.SUCCESS_CARD) == 303
        wait_until(lambda: _status(api, app_id) == 2000, timeout=45)
    finally:
        beat.stop()
        worker.stop()
    [paid] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert paid["status"] == "COMPLETE"
