"""The HTTP benchmark's lean path (validation, the engine and one row) submits for real: what it measures as
the ceiling is a submission the process accepts, not a quick refusal."""

from __future__ import annotations

import importlib.util
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from tests.webapp.helpers import contributo_data
from webapp.services.common import statuses

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def lean(app: Flask, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        bench = _module("http_submissions", ROOT / "benchmarks" / "http_submissions.py")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    url = make_url(database_url)
    dsn = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    (tmp_path / "start.json").write_text(json.dumps(bench.submission_start(app)))
    monkeypatch.setenv("FLOOR_DSN", dsn)
    monkeypatch.setenv("LEAN_START", str(tmp_path / "start.json"))
    monkeypatch.setenv("LEAN_SERVICE", str(ROOT / "workflows" / "contributo"))
    bench.create_bench_tables(database_url)
    lean_app = _module("lean_app", bench.APPS / "lean_app.py")
    try:
        yield lean_app.app.test_client(), dsn
    finally:
        lean_app.pool.close()
        with psycopg.connect(dsn, autocommit=True) as conn:
            for table in bench.BENCH_TABLES:
                conn.execute(f"DROP TABLE {table}")  # the benchmark's own constants


def test_the_lean_path_submits_and_refuses_what_the_app_refuses(lean: Any) -> None:
    client, dsn = lean
    created = client.post("/lean/applications", json={"service": "contributo", "data": contributo_data()})
    assert created.status_code == 201, created.get_json()
    app_id = created.get_json()["id"]
    assert client.post(f"/lean/applications/{app_id}/transition/submit", json={}).status_code == 204
    with psycopg.connect(dsn) as conn:
        status = conn.execute("SELECT status FROM lean_applications WHERE id = %s", (app_id,)).fetchone()
    # Sent, awaiting its receipt: the process's status once submit completes (the app's worker then runs the
    # receipt's service call, which the lean path leaves out with the rest of the product).
    assert status == (statuses.PRE_SUBMIT,)
    refused = client.post("/lean/applications", json={"service": "contributo", "data": {"isee": "molto"}})
    assert refused.status_code == 400
    assert client.post(f"/lean/applications/{uuid.uuid4()}/transition/submit", json={}).status_code == 404
