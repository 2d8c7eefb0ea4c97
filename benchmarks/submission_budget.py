"""Where a submission's time goes, in one process: the part no change to the web path can remove.

`http_submissions.py` measures the whole stack over HTTP; this script asks what the targets leave to spend.
On a PostgreSQL database of its own (migrated and seeded like a fresh demo, dropped at the end) it runs, in
this process, with Flask's test client (no HTTP server, no load generator: CPU time of this process only):
  - the floor: the benchmark's one-row-insert Flask app (psycopg-pool, one INSERT, commit);
  - a full submission: POST /demo/api/applications (contributo) then POST .../transition/submit, with a token;
  - the engine alone, on the same process and data: start to the first user task and store the state, then
    restore it, complete the submission's task and store it again (what the two requests ask of SpiffWorkflow);
  - the form's validation alone: the draft's on create and the full one on submit;
  - the citizen's form-step page and the back-office list.
Prints CPU milliseconds per operation (median of ten batches) and Python function calls per operation
(counted by cProfile over a hundred: the same on every run), then the budget the ratio targets set: a full
submission at 0.15x the floor may cost 1/0.15 floor requests, a page at 0.3x, 1/0.3 (over HTTP the server's
own work per request is added to both sides, so the in-process budget is, if anything, generous).

Run: .venv/bin/python benchmarks/submission_budget.py [operations per batch]
"""

from __future__ import annotations

import copy
import cProfile
import importlib.util
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_submissions as bench  # noqa: E402  (the same database set-up, floor app, data and secret)

SUBMISSION_TARGET, PAGE_TARGET = 0.15, 0.3


def cpu_ms(operation: Callable[[], object], per_batch: int) -> float:
    """Median CPU milliseconds per operation over ten batches, after a warm-up batch."""
    for _ in range(per_batch):
        operation()
    batches = []
    for _ in range(10):
        started = time.process_time()
        for _ in range(per_batch):
            operation()
        batches.append(1000 * (time.process_time() - started) / per_batch)
    return statistics.median(batches)


def calls(operation: Callable[[], object], count: int = 100) -> float:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        operation()
    profile.disable()
    return pstats.Stats(profile).total_calls / count  # type: ignore[attr-defined]


def floor_client(dsn: str) -> Any:
    os.environ["FLOOR_DSN"] = dsn
    spec = importlib.util.spec_from_file_location("floor_app", bench.APPS / "floor_app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.app.test_client()

    def insert() -> None:
        assert client.post("/rows", json={"a": 1, "b": "due"}).status_code == 201

    return insert


def app_operations(url: str, work: Path) -> dict[str, Callable[[], object]]:
    import engine
    from webapp.app import create_app
    from webapp.services import catalogue
    from webapp.services.common.tenancy import get_tenant

    app = create_app({"SECRET_KEY": bench.SECRET, "SQLALCHEMY_DATABASE_URI": url, "CELERY_ALWAYS_EAGER": False,
                      "CELERY_BROKER_URL": bench.REDIS_URL, "CITIZEN_PASSWORD_LOGIN": True,
                      "TEST_IDENTITY_PROVIDER": True, "SECURE_COOKIES": False, "MAIL_BACKEND": "capture",
                      "STORAGE_DIR": str(work / "files")})
    api = app.test_client()
    token = api.post("/demo/api/auth", json={"username": bench.MARIO, "password": "demo"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def submission() -> None:
        created = api.post("/demo/api/applications", json={"service": "contributo", "data": bench.CONTRIBUTO},
                           headers=headers)
        assert created.status_code == 201, created.get_json()
        sent = api.post(f"/demo/api/applications/{created.get_json()['id']}/transition/submit", json={},
                        headers=headers)
        assert sent.status_code == 204, sent.get_json()

    citizen = _signed_in(app, "/demo/accedi/prova/spid", {"fiscal_code": bench.MARIO})
    draft = api.post("/demo/api/applications", json={"service": "contributo", "data": {}},
                     headers=headers).get_json()["id"]
    step = citizen.get(f"/demo/pratiche/{draft}/riprendi").headers["Location"]
    operator = _signed_in(app, "/demo/backoffice/login", {"username": "operatore", "password": "demo"})
    for _ in range(20):  # a page of applications for the list
        submission()

    with app.app_context():  # what the engine and the form are given, read once
        version = catalogue.get_service(get_tenant("demo"), "contributo").current_version
        process, form = catalogue.process_for(version), catalogue.form_for(version)
    start = bench.submission_start(app)

    def engine_pair() -> None:
        instance, wait = engine.start_instance(process, copy.deepcopy(start))
        stored = instance.dump()
        task = next(t for t in wait.user_tasks if "submit" in t.actions)
        again = engine.restore_instance(process, stored)
        again.complete_user_task(task.task_id, {"action": "submit", "domanda": copy.deepcopy(bench.CONTRIBUTO)})
        again.dump()

    def validation_pair() -> None:
        form.validate(bench.CONTRIBUTO)
        form.validate(bench.CONTRIBUTO)

    def page(client: Any, address: str) -> Callable[[], object]:
        def get() -> None:
            response = client.get(address)
            assert response.status_code == 200, (address, response.status_code)
            response.get_data()
        return get

    return {"submission": submission, "engine": engine_pair, "validation": validation_pair,
            "form step": page(citizen, step), "back-office list": page(operator, "/demo/backoffice/pratiche")}


def _signed_in(app: Any, login_page: str, form: dict[str, str]) -> Any:
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(login_page).get_data(as_text=True))
    response = client.post(login_page, data={**form, **({"csrf_token": token.group(1)} if token else {})})
    assert response.status_code in (302, 303), (login_page, response.status_code)
    return client


def main() -> None:
    per_batch = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    name = f"bench_budget_{uuid.uuid4().hex[:8]}"
    admin = make_url(bench.ADMIN_URL)
    url = admin.set(database=name).render_as_string(hide_password=False)
    dsn = f"host={admin.host} port={admin.port or 5432} user={admin.username} dbname={name}" + (
        f" password={admin.password}" if admin.password else "")
    bench._admin(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="bench-budget-") as folder:
            work = Path(folder)
            bench.prepare_database(url)
            operations = {"floor": floor_client(dsn), **app_operations(url, work)}
            measured = {label: (cpu_ms(op, per_batch), calls(op)) for label, op in operations.items()}
    finally:
        bench._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("CPU of this process per operation (median of ten batches) and Python calls per operation:")
    for label, (ms, count) in measured.items():
        print(f"  {label:17} {ms:7.2f} ms  {count:9.0f} calls")
    floor_ms = measured["floor"][0]
    submission_budget, page_budget = floor_ms / SUBMISSION_TARGET, floor_ms / PAGE_TARGET
    engine_ms, validation_ms = measured["engine"][0], measured["validation"][0]
    print(f"\nbudget of a full submission at {SUBMISSION_TARGET}x the floor: {submission_budget:.2f} ms; "
          f"it costs {measured['submission'][0]:.2f} ms "
          f"({measured['submission'][0] / submission_budget:.1f}x the budget)")
    print(f"  the engine alone: {engine_ms:.2f} ms ({100 * engine_ms / submission_budget:.0f}% of the budget); "
          f"with the validation: {engine_ms + validation_ms:.2f} ms "
          f"({100 * (engine_ms + validation_ms) / submission_budget:.0f}%)")
    print(f"  the ratio reachable if everything but the engine and the validation cost what the floor does "
          f"(two requests): {floor_ms / (engine_ms + validation_ms + 2 * floor_ms):.3f}x")
    for label in ("form step", "back-office list"):
        print(f"budget of the {label} at {PAGE_TARGET}x the floor: {page_budget:.2f} ms; it costs "
              f"{measured[label][0]:.2f} ms ({measured[label][0] / page_budget:.1f}x the budget)")


if __name__ == "__main__":
    main()
