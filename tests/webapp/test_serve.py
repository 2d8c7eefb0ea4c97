"""`make serve`'s web process (the Procfile's `web` line through scripts/serve.py) starts gunicorn in the
production configuration, answers /health and /ready on its port, logs JSON, and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import runpy
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import REDIS_URL
from tests.webapp.workers import free_port

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_procfile_names_the_four_processes():
    names = [line.split(":", 1)[0] for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    assert names == ["release", "web", "worker", "beat"]
    assert "serve:" in (ROOT / "Makefile").read_text() and "scripts/serve.py" in (ROOT / "Makefile").read_text()


def test_serve_web_starts_gunicorn_and_answers_health(app: Flask, database_url: str, tmp_path: Path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in {"CELERY_ALWAYS_EAGER", "SEED_DEMO_DATA"}}
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "WEB_THREADS": "2",
                "SECRET_KEY": "serve-test-secret-key-0123456789abcdef", "SQLALCHEMY_DATABASE_URI": database_url,
                "CELERY_BROKER_URL": f"{REDIS_URL}/5", "STORAGE_DIR": str(tmp_path), "LOG_LEVEL": "INFO"})
    errors = tmp_path / "stderr.log"
    with errors.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "serve.py"), "web"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            deadline, status = time.monotonic() + 60, 0
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    status, body = _get(f"http://127.0.0.1:{port}/health")
                    break
                except (urllib.error.URLError, ConnectionError):  # not listening yet
                    time.sleep(0.3)
            assert status == 200, errors.read_text()
            assert json.loads(body) == {"status": "ok"}
            ready, body = _get(f"http://127.0.0.1:{port}/ready")
            assert ready == 200, body
            assert json.loads(body)["checks"] == {"database": "ok", "broker": "ok"}
            page, _ = _get(f"http://127.0.0.1:{port}/demo/")
            assert page == 200
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=40)
    assert code == 0, errors.read_text()
    logged = [json.loads(line) for line in errors.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in logged if line["logger"] == "webapp.request"]
    assert [(line["path"], line["status"]) for line in requests][-2:] == [("/ready", 200), ("/<tenant>/", 200)]
    assert any(line["logger"].startswith("gunicorn") for line in logged)  # gunicorn's own lines are JSON too
    assert all(line.startswith(("{", "serve: ")) for line in errors.read_text().splitlines()), errors.read_text()


def test_gunicorn_runs_single_thread_processes_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPU-bound requests in threads of one process wait on each other's GIL: the default is two one-thread
    processes per core, and the environment still decides."""
    config = str(ROOT / "webapp" / "gunicorn_conf.py")
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    defaults = runpy.run_path(config)
    assert (defaults["workers"], defaults["threads"]) == (2 * (os.cpu_count() or 1), 1)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "4")
    told = runpy.run_path(config)
    assert (told["workers"], told["threads"]) == (3, 4)
