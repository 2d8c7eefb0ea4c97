"""The production shape on one machine: two web processes (gunicorn) and two Celery workers plus beat
on one PostgreSQL database and one Redis; hundreds of submissions arrive through both web processes
while one worker is killed (SIGKILL, as when its machine dies) and started again. Every application
reaches its status, every notification is sent and every service call done exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import app_config
from tests.webapp.helpers import MARIO, contributo_data
from tests.webapp.smtp_sink import Sink, start_sink
from tests.webapp.tenants import make_tenant
from tests.webapp.workers import ROOT, Beat, ThrowawayRedis, Worker, free_port, wait_until
from webapp.app import create_app
from webapp.extensions import db
from webapp.models import Application, Attachment, OutboxMessage, ServiceCallRow, Tenant

pytestmark = pytest.mark.worker
TENANT = "scala"
SUBMISSIONS = 200
KILL_AFTER = 70  # submissions accepted before the first worker is killed


class Web:
    """gunicorn on a free loopback port, configured from the environment like `make serve`."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.port = free_port()
        self.env = {**os.environ, **{key: str(value) for key, value in config.items()},
                    # production's shape: one-thread (sync) workers, each with its enqueue sender thread
                    "WEB_CONCURRENCY": "2", "WEB_THREADS": "1", "PORT": str(self.port), "HOST": "127.0.0.1",
                    "LOG_LEVEL": "WARNING"}
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Web:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf", "webapp.worker:app"],
            env=self.env, cwd=ROOT)
        return self

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _call(url: str, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()[:300]


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, Sink]]:
    port = free_port()
    sink, controller = start_sink(port)
    yield port, sink
    controller.stop()


def test_two_web_processes_two_workers_and_beat_lose_nothing(app: Flask, database_url: str, storage_dir: Path,
                                                              tmp_path: Path, smtp_sink: tuple[int, Sink]) -> None:
    smtp_port, sink = smtp_sink
    make_tenant(app, TENANT)
    broker = ThrowawayRedis().start()
    config = app_config(database_url, storage_dir, CELERY_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker.url,
                        MAIL_BACKEND="smtp", MAIL_PORT=smtp_port, SWEEP_SECONDS=5, LOG_FORMAT="text",
                        # a killed worker's message comes back after this many seconds (production: 300)
                        CELERY_VISIBILITY_TIMEOUT=8, DB_POOL_SIZE=4, DB_MAX_OVERFLOW=2)
    webs = [Web(config), Web(config)]
    first, second = Worker(config), Worker(config)
    beat = Beat(config, tmp_path / "beat-schedule")
    check = create_app(config)
    processes: list[Any] = [*webs, first, second, beat]
    try:
        for process in processes:
            process.start()
        wait_until(lambda: all(web.ready() for web in webs), timeout=60)
        status, answer = _call(f"{webs[0].url}/{TENANT}/api/auth", {"username": MARIO, "password": "demo"})
        assert status == 200, answer
        token = answer["token"]
        accepted: list[str] = []

        def submit(index: int) -> str:
            base = f"{webs[index % 2].url}/{TENANT}/api"  # alternate: the two processes share nothing in memory
            status, created = _call(f"{base}/applications", {"service": "contributo", "data": contributo_data()},
                                    token)
            assert status == 201, created
            status, answer = _call(f"{base}/applications/{created['id']}/transition/submit", {}, token)
            assert status == 204, answer
            accepted.append(created["id"])
            return str(created["id"])

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(submit, index) for index in range(SUBMISSIONS)]
            wait_until(lambda: len(accepted) >= KILL_AFTER, timeout=120, every=0.05)
            first.kill()  # mid-stream, with tasks taken and not yet acknowledged
            time.sleep(2)
            first.start()
            ids = [future.result() for future in futures]
        submitted_in = time.monotonic() - started
        assert len(set(ids)) == SUBMISSIONS
        wait_until(lambda: _all_done(check), timeout=120, every=1.0)
    finally:
        for process in reversed(processes):
            process.stop()
        broker.stop()
        with check.app_context():
            db.engine.dispose()  # the rows are read below with a fresh connection
    with check.app_context():
        tenant_id = db.session.scalar(db.select(Tenant.id).where(Tenant.slug == TENANT))
        calls = db.session.execute(db.select(ServiceCallRow.application_id, ServiceCallRow.operation,
                                             ServiceCallRow.status).where(ServiceCallRow.tenant_id == tenant_id)).all()
        receipts = db.session.scalar(db.select(db.func.count()).select_from(Attachment).where(
            Attachment.tenant_id == tenant_id, Attachment.kind == "compiled_form_pdf"))
        db.session.remove()
        db.engine.dispose()
    assert {row.status for row in calls} == {"done"}
    # One row per (application, operation), each done once: one receipt generated per application.
    assert len({(row.application_id, row.operation) for row in calls}) == len(calls)
    assert {row.operation for row in calls} >= {"documents.generate_receipt"}
    assert len({row.application_id for row in calls}) == SUBMISSIONS
    assert receipts == SUBMISSIONS
    mails = [m for m in sink.messages if m["To"] == "mario.rossi@example.it"]
    # "Domanda ricevuta" for each application, none lost, no two different mails for one notification.
    assert len({m["Message-ID"] for m in mails}) == SUBMISSIONS
    # SMTP has no way to ask whether a mail arrived: a worker killed after the server took the mail and
    # before the row was marked sent repeats it, with the same Message-ID, so the receiver keeps one.
    # That window is the one kill's, so at most one repeat.
    assert SUBMISSIONS <= len(mails) <= SUBMISSIONS + 1
    print(f"{SUBMISSIONS} submissions through two web processes in {submitted_in:.1f}s")


def _all_done(check: Flask) -> bool:
    with check.app_context():
        tenant_id = db.session.scalar(db.select(Tenant.id).where(Tenant.slug == TENANT))
        waiting = db.session.scalar(db.select(db.func.count()).select_from(Application).where(
            Application.tenant_id == tenant_id, Application.status != 2000))
        unsent = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.tenant_id == tenant_id, OutboxMessage.status != "sent"))
        total = db.session.scalar(db.select(db.func.count()).select_from(Application).where(
            Application.tenant_id == tenant_id))
        db.session.remove()
        return bool(total == SUBMISSIONS and waiting == 0 and unsent == 0)
