"""Submissions over HTTP: the whole stack under load, next to a one-row-insert floor on the same stack.

Creates a PostgreSQL database of its own (dropped at the end), migrates and seeds it, then starts under
gunicorn (the project's gunicorn_conf, the same workers and threads for both):
  - the app (webapp.worker:app) against that database and Redis (a Redis database of its own, flushed);
  - the floor: a tiny Flask app that inserts one JSON row with psycopg-pool and commits;
  - the lean path: as tiny, the same two requests as a submission with nothing but the form's validation,
    SpiffWorkflow (the app's engine, the same contributo process) and one row (apps/lean_app.py): the ceiling any
    web path around this engine could reach, measured beside the floor.
wrk (Debian's; installed with apt when missing and run as root) drives each at 16 connections, in
alternating rounds:
  - floor: POST one row;
  - lean submission: the lean path's create then submit, with the same script;
  - submission: POST /demo/api/applications (contributo) then POST .../transition/submit, as a citizen
    with a token (benchmarks/http_submission.lua: one connection per wrk thread, so each keeps its pair);
  - the citizen's form-step page (GET /demo/pratiche/<id>/passi/<step>, signed-in session cookie);
  - the back-office list (GET /demo/backoffice/pratiche as the operator).
Prints rates, p50/p95/p99 latency per request, the ratio to the floor, the SQL statements per request
(counted: the app runs with COUNT_SQL_STATEMENTS and answers X-SQL-Statements) and the memory (RSS) of
each gunicorn worker after the load.

Run: .venv/bin/python benchmarks/http_submissions.py [seconds per round] [rounds]
     (BENCH_ADMIN_URL overrides postgresql+psycopg://postgres@127.0.0.1:5432/postgres;
      BENCH_REDIS_URL overrides redis://127.0.0.1:6379/13; WEB_CONCURRENCY / WEB_THREADS as in gunicorn_conf)
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import psycopg
import redis
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webapp import gunicorn_conf  # noqa: E402  (the workers and threads `make serve` runs, from the environment)

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CONNECTIONS = 16
WORKERS, THREADS = str(gunicorn_conf.workers), str(gunicorn_conf.threads)
SECRET = "benchmark-secret-key-0123456789-abcdefghij"
MARIO = "RSSMRA80A01H501U"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONTRIBUTO = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
              "email": "mario.rossi@example.it", "isee": 8500.0, "importo_richiesto": 300.0,
              "iban": "IT60X0542811101000000123456", "motivazione": "Spese scolastiche dei figli"}
LUA = Path(__file__).with_name("http_submission.lua")
# The floor and the lean path, each a tiny app of its own that gunicorn serves from this folder.
APPS = Path(__file__).with_name("apps")


def submission_start(app: Any) -> dict[str, Any]:
    """What the app gives the engine when Mario creates his contributo: its options and his data."""
    from webapp.extensions import db
    from webapp.models import User
    from webapp.services import catalogue
    from webapp.services.common import process_start
    from webapp.services.common.options import options_of
    from webapp.services.common.tenancy import get_tenant

    with app.app_context():
        version = catalogue.get_service(get_tenant("demo"), "contributo").current_version
        user = db.session.scalar(db.select(User).where(User.fiscal_code == MARIO))
        return process_start.start_data(options_of(version), CONTRIBUTO, user)


def _admin(sql: str) -> None:
    url = make_url(ADMIN_URL)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        conn.execute(sql)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("benchmark: please install wrk (Debian package), or run as root.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, env=env)
    return shutil.which("wrk") or sys.exit("benchmark: wrk is still missing")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(url: str) -> Any:
    """Migrated and seeded like a fresh demo, in-process, before gunicorn starts; the app that did it."""
    from webapp.app import create_app
    from webapp.cli import upgrade_database
    from webapp.demo import seed_demo

    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "CELERY_ALWAYS_EAGER": True,
                      "SEED_DEMO_DATA": True, "CITIZEN_PASSWORD_LOGIN": True})
    with app.app_context():
        upgrade_database()
        seed_demo("demo", "Comune di Demo")
    create_bench_tables(url)
    return app


BENCH_TABLES = {
    "floor_rows": "id bigserial PRIMARY KEY, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now()",
    "lean_applications": "id uuid PRIMARY KEY DEFAULT gen_random_uuid(), status integer, task_id text NOT NULL, "
                         "data json NOT NULL, engine_state text NOT NULL, "
                         "created_at timestamptz NOT NULL DEFAULT now()",
}


def create_bench_tables(url: str) -> None:
    """The floor's and the lean path's tables, beside the app's."""
    parsed = make_url(url)
    with psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                         dbname=parsed.database, autocommit=True) as conn:
        for table, columns in BENCH_TABLES.items():
            conn.execute(f"CREATE TABLE {table} ({columns})")  # our constants


def start(target: str, port: int, env: dict[str, str], cwd: Path, probe: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:webapp.gunicorn_conf", target],
        cwd=cwd, env={**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": WORKERS,
                      "WEB_THREADS": THREADS, "PYTHONPATH": f"{cwd}:{ROOT}", "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL, start_new_session=True)
    # Until a worker answers, not just the master's socket: on a loaded machine a worker's imports take
    # a minute or more, and a request sent before would count that as the app's time.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/{probe}", timeout=30):
                return process
        except (OSError, urllib.error.URLError):
            if process.poll() is not None:
                sys.exit(f"benchmark: gunicorn for {target} exited")
            time.sleep(0.2)
    sys.exit(f"benchmark: gunicorn for {target} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def worker_rss_mb(process: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of each worker (the children of the gunicorn master)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    sizes = []
    for child in children:
        for line in Path(f"/proc/{child}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def _request(opener: urllib.request.OpenerDirector, url: str, body: Any = None, token: str | None = None,
             form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with opener.open(req, timeout=120) as response:  # a loaded machine: the first requests are slow
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _session(base: str, login_page: str, form: dict[str, str]) -> tuple[urllib.request.OpenerDirector, str]:
    """A cookie session signed in through the form (CSRF token read from the page)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    _status, _headers, page = _request(opener, base + login_page)
    token = CSRF.search(page.decode())
    status, _headers, _body = _request(opener, base + login_page,
                                       form={**form, **({"csrf_token": token.group(1)} if token else {})})
    assert status in (302, 303), f"login at {login_page}: {status}"
    return opener, "; ".join(f"{c.name}={c.value}" for c in jar)


def setup_clients(base: str) -> dict[str, Any]:
    """A citizen's token, a draft's form-step address with the citizen's cookie, the operator's cookie;
    and the statements each request runs, counted by the app."""
    plain = urllib.request.build_opener(_NoRedirect())
    status, _h, body = _request(plain, f"{base}/demo/api/auth", {"username": MARIO, "password": "demo"})
    assert status == 200, body
    token = json.loads(body)["token"]
    counts: dict[str, list[int]] = {"create": [], "submit": []}
    # Enough pairs for every worker to have loaded its caches (process specs, forms) once: the median is
    # what a warm worker runs, the maximum what a cold one did.
    for _ in range(3 * int(WORKERS) + 3):
        status, headers, body = _request(plain, f"{base}/demo/api/applications",
                                         {"service": "contributo", "data": CONTRIBUTO}, token)
        assert status == 201, body
        counts["create"].append(int(headers["X-SQL-Statements"]))
        app_id = json.loads(body)["id"]
        status, headers, body = _request(plain, f"{base}/demo/api/applications/{app_id}/transition/submit", {},
                                         token)
        assert status == 204, body
        counts["submit"].append(int(headers["X-SQL-Statements"]))
    citizen, citizen_cookie = _session(base, "/demo/accedi/prova/spid", {"fiscal_code": MARIO})
    status, _h, body = _request(plain, f"{base}/demo/api/applications", {"service": "contributo", "data": {}}, token)
    draft = json.loads(body)["id"]
    status, headers, _b = _request(citizen, f"{base}/demo/pratiche/{draft}/riprendi")
    step = headers["Location"].removeprefix(base)
    counts["form step"], counts["back-office list"] = [], []
    operator, operator_cookie = _session(base, "/demo/backoffice/login", {"username": "operatore", "password": "demo"})
    for _ in range(2 * int(WORKERS) + 1):
        status, headers, _b = _request(citizen, base + step)
        assert status == 200, (step, status)
        counts["form step"].append(int(headers["X-SQL-Statements"]))
        status, headers, _b = _request(operator, f"{base}/demo/backoffice/pratiche")
        assert status == 200, status
        counts["back-office list"].append(int(headers["X-SQL-Statements"]))
    return {"token": token, "step": step, "citizen_cookie": citizen_cookie, "operator_cookie": operator_cookie,
            "counts": counts}


def wrk(binary: str, url: str, seconds: int, script: Path | None, env: dict[str, str],
        headers: tuple[str, ...] = ()) -> dict[str, float]:
    # One connection per thread: the submission script keeps its create -> submit pair per thread.
    command = [binary, "-t", str(CONNECTIONS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency",
               "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True,
                         env={**os.environ, **env}).stdout
    found = re.search(r"^percentiles (\d+) (\d+) (\d+)", out, re.MULTILINE)
    assert found, out
    result = {name: int(value) / 1000 for name, value in zip(("p50", "p95", "p99"), found.groups(), strict=True)}
    result["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["errors"] = float(non_2xx.group(1)) if non_2xx else 0.0
    submissions = re.search(r"^submissions (\d+)", out, re.MULTILINE)
    if submissions:
        result["submissions"] = float(submissions.group(1)) / seconds
    return result


# wrk's --latency table has no 95th percentile: every script prints its own three from wrk's histogram.
PERCENTILES_LUA = """
function done(_summary, latency, _requests)
  io.write(string.format("percentiles %d %d %d\\n", latency:percentile(50), latency:percentile(95),
                         latency:percentile(99)))
end
"""
FLOOR_LUA = """wrk.method = "POST"
wrk.body = '{"a": 1, "b": "due"}'
wrk.headers["Content-Type"] = "application/json"
""" + PERCENTILES_LUA

LABELS = ("lean submission", "submission", "form step", "back-office list")


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    binary = ensure_wrk()
    name = f"bench_http_{uuid.uuid4().hex[:8]}"
    admin = make_url(ADMIN_URL)
    url = admin.set(database=name).render_as_string(hide_password=False)
    floor_dsn = f"host={admin.host} port={admin.port or 5432} user={admin.username} dbname={name}" + (
        f" password={admin.password}" if admin.password else "")
    redis.Redis.from_url(REDIS_URL).flushdb()
    _admin(f'CREATE DATABASE "{name}"')
    processes: list[subprocess.Popen[bytes]] = []
    work = Path(tempfile.mkdtemp(prefix="bench-http-"))
    try:
        prepared = prepare_database(url)
        (work / "lean_start.json").write_text(json.dumps(submission_start(prepared)))
        floor_lua = work / "floor.lua"
        floor_lua.write_text(FLOOR_LUA)
        pages_lua = work / "pages.lua"
        pages_lua.write_text(PERCENTILES_LUA)
        app_port, floor_port, lean_port = free_port(), free_port(), free_port()
        app_env = {"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "CELERY_BROKER_URL": REDIS_URL,
                   "CELERY_ALWAYS_EAGER": "false", "CITIZEN_PASSWORD_LOGIN": "true", "SEED_DEMO_DATA": "true",
                   "TEST_IDENTITY_PROVIDER": "true", "SECURE_COOKIES": "false", "MAIL_BACKEND": "capture",
                   "STORAGE_DIR": str(work / "files"), "COUNT_SQL_STATEMENTS": "true", "LOG_FORMAT": "text"}
        app = start("webapp.worker:app", app_port, app_env, ROOT, "health")
        processes.append(app)
        floor = start("floor_app:app", floor_port, {"FLOOR_DSN": floor_dsn}, APPS, "health")
        processes.append(floor)
        lean = start("lean_app:app", lean_port, {"FLOOR_DSN": floor_dsn, "LEAN_START": str(work / "lean_start.json"),
                                                 "LEAN_SERVICE": str(ROOT / "workflows" / "contributo")},
                     APPS, "health")
        processes.append(lean)
        lean_env = {"BENCH_TOKEN": "none", "BENCH_PREFIX": "/lean"}
        base = f"http://127.0.0.1:{app_port}"
        clients = setup_clients(base)
        for _ in range(3):  # warm every worker (imports, first queries) before measuring
            wrk(binary, f"http://127.0.0.1:{floor_port}/rows", 1, floor_lua, {})
            wrk(binary, f"{base}/demo/api/applications", 1, LUA, {"BENCH_TOKEN": clients["token"]})
            wrk(binary, f"http://127.0.0.1:{lean_port}/lean/applications", 1, LUA, lean_env)
        results: dict[str, list[dict[str, float]]] = {"floor": [], "lean submission": [], "submission": [],
                                                      "form step": [], "back-office list": []}
        for number in range(rounds):
            results["floor"].append(wrk(binary, f"http://127.0.0.1:{floor_port}/rows", seconds, floor_lua, {}))
            results["lean submission"].append(wrk(binary, f"http://127.0.0.1:{lean_port}/lean/applications", seconds,
                                                  LUA, lean_env))
            results["submission"].append(wrk(binary, f"{base}/demo/api/applications", seconds, LUA,
                                             {"BENCH_TOKEN": clients["token"]}))
            results["form step"].append(wrk(binary, base + clients["step"], seconds, pages_lua, {},
                                            (f"Cookie: {clients['citizen_cookie']}",)))
            results["back-office list"].append(wrk(binary, f"{base}/demo/backoffice/pratiche", seconds, pages_lua, {},
                                                   (f"Cookie: {clients['operator_cookie']}",)))
            floor_rate = results["floor"][-1]["rps"]
            print(f"round {number + 1}: floor {floor_rate:.0f} req/s", flush=True)
            for label in LABELS:
                r = results[label][-1]
                rate = r.get("submissions", r["rps"])
                unit = "full submissions/s" if "submissions" in r else "req/s"
                print(f"  {label:17} {rate:7.1f} {unit:19} ({r['rps']:.0f} req/s, {rate / floor_rate:.3f}x floor)  "
                      f"p50 {r['p50']:.1f} ms  p95 {r.get('p95', r.get('p90', 0)):.1f} ms  p99 {r['p99']:.1f} ms"
                      f"{'  non-2xx ' + str(int(r['errors'])) if r['errors'] else ''}", flush=True)
        print("\nmedian of the rounds (ratio to the floor of the same round):")
        for label in LABELS:
            ratios = [r.get("submissions", r["rps"]) / f["rps"] for r, f in zip(results[label], results["floor"],
                                                                            strict=True)]
            p95 = statistics.median(r["p95"] for r in results[label])
            print(f"  {label:17} {statistics.median(ratios):.3f}x floor  p95 {p95:.1f} ms")
        print("\nSQL statements per request (counted; warm worker, and the most a cold one ran):")
        for label, values in clients["counts"].items():
            print(f"  {label:17} {statistics.median_low(values)}  (cold: {max(values)})")
        rss = worker_rss_mb(app)
        print(f"\nmemory per app worker (RSS): {', '.join(f'{m:.0f} MB' for m in rss)}")
        print(f"gunicorn: {WORKERS} workers x {THREADS} threads for both; {CONNECTIONS} connections; "
              f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        for process in processes:
            stop(process)
        redis.Redis.from_url(REDIS_URL).flushdb()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
