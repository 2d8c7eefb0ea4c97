"""Work that never reached a worker (broker down at commit time) is picked up by the periodic sweep."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.webapp.helpers import MARIO, submitted
from webapp.extensions import db
from webapp.models import ServiceCallRow
from webapp.services.jobs import sweep


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_calls_left_behind_by_a_broker_outage_are_swept(app: Flask, make_app: Any) -> None:
    broken = make_app(CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"redis://127.0.0.1:{_dead_port()}/0")
    started = time.monotonic()
    app_id = submitted(Api(broken), "contributo")
    assert time.monotonic() - started < 5  # the citizen is not kept waiting for the broker
    api = Api(app)
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "1900"  # saved, work pending
    with app.app_context():
        assert [c.status for c in db.session.scalars(db.select(ServiceCallRow))] == ["pending"]
        fresh = sweep()  # too young: it may still be on its way to a worker
        assert fresh.calls_redispatched == 0
        report = sweep(datetime.now(UTC) + timedelta(minutes=5))
        assert report.calls_redispatched == 1
        again = sweep(datetime.now(UTC) + timedelta(minutes=5))
        assert again.calls_redispatched == 0
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "2000"
