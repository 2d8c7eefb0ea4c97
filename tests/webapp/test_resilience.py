"""Crashes and outages with real processes: a worker killed mid-call, Redis down, a connector failing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask

from tests.conftest import REDIS_URL, SIMULATORS, Api, app_config
from tests.webapp.helpers import MARIO, accesso_atti_data, act, contributo_data, create
from tests.webapp.smtp_sink import Sink, start_sink
from tests.webapp.tenants import make_tenant, service_copy, with_options
from tests.webapp.workers import ThrowawayRedis, Worker, free_port, wait_until
from webapp.app import create_app
from webapp.extensions import db
from webapp.models import Application, OutboxMessage, ServiceCallRow
from webapp.services.jobs import sweep

pytestmark = pytest.mark.worker
LATER = timedelta(minutes=5)  # the sweep only resends work older than its grace period


def _status(api: Api, app_id: str, user: str = MARIO) -> int:
    return int(api.get(f"/applications/{app_id}", user).get_json()["status"])


@pytest.fixture
def connector_protocol(app: Flask, tmp_path: Path) -> str:
    make_tenant(app, "registro", [with_options(service_copy(tmp_path, "accesso-atti", 1),
                                               protocol_handler="connector")])
    return "registro"


def test_worker_killed_mid_registration_registers_once(app: Flask, database_url: str, storage_dir: Path,
                                                        connector_protocol: str) -> None:
    broker = f"{REDIS_URL}/8"
    redis.Redis.from_url(broker).flushdb()
    config = app_config(database_url, storage_dir, CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker)
    web = create_app(config)
    api = Api(web, connector_protocol)
    register = SIMULATORS["protocol"].app
    register.fail_next(1, delay=4.0)  # the register answers slowly: the worker dies while it waits
    first = Worker(config).start()
    try:
        app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
        act(api, app_id, "submit", MARIO)
        wait_until(lambda: register.calls >= 1, timeout=30)
        first.kill()
        wait_until(lambda: len(register.registrations) == 1, timeout=15)  # the register did its part
        assert _status(api, app_id) == 2000  # but we never heard back
        second = Worker(config).start()
        try:
            with web.app_context():
                assert sweep(datetime.now(UTC) + LATER).calls_redispatched == 1
            wait_until(lambda: _status(api, app_id) == 3000, timeout=30)
        finally:
            second.stop()
    finally:
        first.stop()
        with web.app_context():
            db.engine.dispose()
    [registration] = register.registrations.values()
    detail = api.get(f"/applications/{app_id}", "op-registro").get_json()
    assert detail["protocol_number"] == registration["protocol_number"]
    assert len(register.registrations) == 1


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, Sink]]:
    port = free_port()
    sink, controller = start_sink(port)
    yield port, sink
    controller.stop()


def test_redis_down_while_200_applications_are_submitted(app: Flask, database_url: str, storage_dir: Path,
                                                         smtp_sink: tuple[int, Sink]) -> None:
    smtp_port, sink = smtp_sink
    make_tenant(app, "blackout")
    broker = ThrowawayRedis().start()
    config = app_config(database_url, storage_dir, CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker.url,
                        MAIL_BACKEND="smtp", MAIL_PORT=smtp_port)
    web = create_app(config)
    api = Api(web, "blackout")
    api.token(MARIO)
    broker.stop()  # Redis goes away
    worker = Worker(config)
    try:
        ids = []
        for _ in range(200):
            app_id = create(api, "contributo", contributo_data())["id"]
            act(api, app_id, "submit", MARIO)
            ids.append(app_id)
        with web.app_context():  # every application accepted and saved, its work waiting in the database
            assert db.session.scalar(db.select(db.func.count()).select_from(Application)
                                     .where(Application.status == 1900)) == 200
            assert db.session.scalar(db.select(db.func.count()).select_from(ServiceCallRow)
                                     .where(ServiceCallRow.status == "pending")) == 200
        broker.start()  # Redis is back
        worker.start()
        with web.app_context():
            sweep(datetime.now(UTC) + LATER)
        wait_until(lambda: _all_delivered(web), timeout=240, every=1.0)
    finally:
        worker.stop()
        broker.stop()
        with web.app_context():
            db.engine.dispose()
    citizen = [m for m in sink.messages if m["To"] == "mario.rossi@example.it"]
    assert len(citizen) == 200  # "domanda ricevuta" (Acquisita) for each of the 200: none lost
    assert len({m["Message-ID"] for m in citizen}) == 200  # and none doubled


def _all_delivered(web: Flask) -> bool:
    with web.app_context():
        waiting = db.session.scalar(db.select(db.func.count()).select_from(Application)
                                    .where(Application.status != 2000))
        unsent = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.status != "sent"))
        if waiting == 0 and unsent:
            sweep(datetime.now(UTC) + LATER)  # mail queued while the first sweep ran
        return waiting == 0 and unsent == 0


def test_connector_failing_until_the_retry_bound_becomes_an_incident(app: Flask, connector_protocol: str) -> None:
    api = Api(app, connector_protocol)
    register = SIMULATORS["protocol"].app
    register.fail_next(10, status=503)
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)  # eager: every attempt runs now, all fail, the bound is reached
    detail = api.get(f"/applications/{app_id}", "op-registro").get_json()
    assert detail["status"] == "2000"
    [incident] = detail["incidents"]
    assert incident["operation"] == "protocol.register_application" and incident["attempts"] == 4
    assert "TransientError" in incident["last_error"]
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["incidents"] == []  # not the citizen's business
    register.fail_next(0)
    retried = api.post(f"/applications/{app_id}/incidents/{incident['id']}/retry", "op-registro")
    assert retried.status_code == 202
    detail = api.get(f"/applications/{app_id}", "op-registro").get_json()
    assert detail["status"] == "3000" and detail["incidents"] == [] and detail["protocol_number"]
    assert api.post(f"/applications/{app_id}/incidents/{incident['id']}/retry", "op-registro").status_code == 409
    for unknown in ("non-un-id", "00000000-0000-0000-0000-000000000000", "1"):
        missing = api.post(f"/applications/{app_id}/incidents/{unknown}/retry", "op-registro")
        assert missing.status_code == 404 and missing.get_json()["status"] == 404


def test_protocol_callback_completes_a_call_once(app: Flask, connector_protocol: str) -> None:
    import json

    import connectors
    from tests.conftest import WEBHOOK_SECRET

    api = Api(app, connector_protocol)
    SIMULATORS["protocol"].app.fail_next(10, status=503)  # our own calls fail: the register calls us back
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    act(api, app_id, "submit", MARIO)
    [incident] = api.get(f"/applications/{app_id}", "op-registro").get_json()["incidents"]
    event = json.dumps({"event": "protocol.registered", "idempotency_key": incident["id"],
                        "protocol_number": "0000042", "document_id": "DOC-42",
                        "registered_at": datetime.now(UTC).isoformat()}).encode()
    url = f"/{connector_protocol}/webhooks/protocol"
    client = app.test_client()
    forged = client.post(url, data=event, headers={connectors.SIGNATURE_HEADER: connectors.sign(event, "nope")})
    assert forged.status_code == 401
    unknown = event.replace(incident["id"].encode(), b"00000000-0000-0000-0000-000000000000")
    assert client.post(url, data=unknown, headers={
        connectors.SIGNATURE_HEADER: connectors.sign(unknown, WEBHOOK_SECRET)}).status_code == 404
    assert _status(api, app_id) == 2000  # nothing changed so far
    signed = {connectors.SIGNATURE_HEADER: connectors.sign(event, WEBHOOK_SECRET)}
    assert client.post(url, data=event, headers=signed).get_json() == {"outcome": "applied"}
    assert client.post(url, data=event, headers=signed).get_json() == {"outcome": "duplicate"}
    detail = api.get(f"/applications/{app_id}", "op-registro").get_json()
    assert (detail["status"], detail["protocol_number"], detail["incidents"]) == ("3000", "0000042", [])
