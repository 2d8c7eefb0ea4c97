"""Back-office scale: 1,000,000 applications over 50 services and 5 tenants in PostgreSQL.

Creates its own database (dropped at the end), migrates it, seeds 5 demo tenants with 10 services
each, loads citizens and applications with COPY, then prints:
  - p95 server time of the filtered and sorted list page (target <= 50 ms);
  - p95 server time of a fiscal-code search (target <= 50 ms);
  - CSV export rate and peak memory for 100,000 rows (targets >= 20,000 rows/s, <= 200 MB).
Server time = the whole request through the Flask app in-process (routing, queries, template).

Run: .venv/bin/python benchmarks/backoffice_scale.py [applications] [samples]
     (BENCH_ADMIN_URL overrides postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from webapp.app import create_app
from webapp.cli import upgrade_database
from webapp.demo import seed_demo
from webapp.extensions import db
from webapp.models import Service, ServiceVersion, User
from webapp.services.common.uow import unit_of_work

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TENANTS, SERVICES_PER_TENANT, CITIZENS_PER_TENANT = 5, 10, 20_000
STATUSES = [(1000, 3), (2000, 12), (3000, 8), (4000, 25), (4200, 5), (4500, 5), (7000, 25), (7100, 2), (9000, 10),
            (20000, 5)]
NAMES = ["Mario", "Giuseppina", "Luca", "Anna", "Paolo", "Francesca", "Marco", "Giulia", "Andrea", "Chiara"]
SURNAMES = ["Rossi", "Verdi", "Bianchi", "Russo", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino",
            "Greco", "Bruno", "Gallo", "Conti", "De Luca"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _admin(sql: str) -> None:
    url = make_url(ADMIN_URL)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _raw(url: str) -> psycopg.Connection[Any]:
    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                           dbname=parsed.database)


def _config(url: str, storage: str) -> dict[str, Any]:
    return {"SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij", "SQLALCHEMY_DATABASE_URI": url,
            "CELERY_ALWAYS_EAGER": True, "SEED_DEMO_DATA": True, "CITIZEN_PASSWORD_LOGIN": True,
            "STORAGE_DIR": storage, "SECURE_COOKIES": False, "MAIL_BACKEND": "capture",
            "WTF_CSRF_ENABLED": True}


def seed_catalogue() -> list[dict[str, Any]]:
    """5 tenants x 10 services (copies of the shipped versions), the operator enabled for all."""
    tenants = []
    for index in range(TENANTS):
        tenant = seed_demo(f"bench{index}", f"Comune Bench {index}")
        with unit_of_work():
            shipped = list(db.session.scalars(db.select(Service).where(Service.tenant_id == tenant.id)))
            services = list(shipped)
            for number in range(SERVICES_PER_TENANT - len(shipped)):
                model = shipped[number % len(shipped)].current_version
                service = Service(tenant_id=tenant.id, slug=f"servizio-{number + 1}", name=f"Servizio {number + 1}")
                db.session.add(service)
                db.session.flush()
                version = ServiceVersion(tenant_id=tenant.id, service_id=service.id, version=1,
                                         definition_hash=model.definition_hash, spec_hash=model.spec_hash,
                                         manifest=model.manifest, forms=model.forms)
                db.session.add(version)
                db.session.flush()
                service.current_version_id = version.id
                services.append(service)
            operator = db.session.scalar(db.select(User).where(User.tenant_id == tenant.id,
                                                               User.username == "operatore"))
            operator.services = services
            staff = [u.id for u in db.session.scalars(db.select(User).where(
                User.tenant_id == tenant.id, User.role != "citizen"))]
            tenants.append({"id": tenant.id, "slug": tenant.slug, "staff": staff, "office": operator.office_id,
                            "services": [(s.id, s.current_version_id, s.current_version.definition_hash, s.slug)
                                         for s in services]})
    return tenants


def _fiscal_code(rng: random.Random, index: int) -> str:
    letters = "".join(rng.choice("ABCDEFGHILMNOPRSTUVZ") for _ in range(6))
    return f"{letters}{index:08d}Z{rng.randint(0, 9)}"[:16]


APP_COLUMNS = ("id, tenant_id, service_id, service_version_id, definition_hash, user_id, applicant_fiscal_code, "
               "applicant_name, auth_method, data, status, created_at, submitted_at, latest_status_change_at, "
               "updated_at, office_id, operator_id, priority, protocol_numbers, engine_state, waits, version")


def _copy_citizens(cur: Any, tenant: dict[str, Any], rng: random.Random, now: datetime) -> list[tuple[Any, ...]]:
    citizens = []
    with cur.copy("COPY users (id, tenant_id, role, fiscal_code, name, family_name, created_at) FROM STDIN") as copy:
        for index in range(CITIZENS_PER_TENANT):
            name, surname = rng.choice(NAMES), rng.choice(SURNAMES)
            citizen, code = uuid.uuid4(), _fiscal_code(rng, index)
            citizens.append((citizen, code, f"{name} {surname}"))
            copy.write_row((citizen, tenant["id"], "citizen", code, name, surname, now))
    return citizens


def _copy_applications(cur: Any, tenant: dict[str, Any], citizens: list[tuple[Any, ...]], count: int,
                       rng: random.Random, now: datetime) -> None:
    weights = [w for _s, w in STATUSES]
    with cur.copy(f"COPY applications ({APP_COLUMNS}) FROM STDIN") as copy:
        for _ in range(count):
            service_id, version_id, definition, _slug = rng.choice(tenant["services"])
            citizen, code, full_name = rng.choice(citizens)
            status = rng.choices([s for s, _w in STATUSES], weights)[0]
            created = now - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
            changed = created + timedelta(seconds=rng.randint(0, 30 * 86400))
            taken = status >= 4000 and status != 20000
            data = {"nome": full_name.split()[0], "cognome": full_name.split()[1], "codice_fiscale": code,
                    "email": "cittadino@example.it", "importo_richiesto": rng.randint(50, 3000),
                    "motivazione": rng.choice(["=cmd|' /C calc'!A0", "Affitto", "Spese mediche"])}
            copy.write_row((uuid.uuid4(), tenant["id"], service_id, version_id, definition, citizen, code, full_name,
                            rng.choice(["spid", "cie"]), json.dumps(data), status, created,
                            None if status == 1000 else created, changed, changed,
                            tenant["office"] if taken else None, rng.choice(tenant["staff"]) if taken else None,
                            rng.randint(0, 3), "[]", "{}", "{}", 1))


def load(url: str, tenants: list[dict[str, Any]], total: int) -> dict[str, list[str]]:
    """Citizens, then applications, with COPY; returns some fiscal codes per tenant for the searches."""
    rng = random.Random(42)
    codes: dict[str, list[str]] = {}
    now = datetime.now(UTC)
    with _raw(url) as conn, conn.cursor() as cur:
        for tenant in tenants:
            citizens = _copy_citizens(cur, tenant, rng, now)
            codes[tenant["slug"]] = [c[1] for c in citizens[:500]]
            _copy_applications(cur, tenant, citizens, total // len(tenants), rng, now)
            conn.commit()
            print(f"  loaded {tenant['slug']}: {total // len(tenants):,} applications", flush=True)
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return codes


def _login(client: Any, slug: str, username: str) -> None:
    token = CSRF.search(client.get(f"/{slug}/backoffice/login").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    response = client.post(f"/{slug}/backoffice/login", data={"username": username, "password": "demo",
                                                               "csrf_token": token})
    assert response.status_code == 302, response.status_code


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def time_pages(app: Any, tenants: list[dict[str, Any]], codes: dict[str, list[str]], samples: int) -> None:
    rng = random.Random(7)
    list_times, search_times = [], []
    clients = {}
    for tenant in tenants:
        clients[tenant["slug"]] = app.test_client()
        _login(clients[tenant["slug"]], tenant["slug"], "operatore")
    sorts = ["latest_status_change_at", "submitted_at", "applicant_name", "priority"]
    for index in range(samples + 20):
        tenant = rng.choice(tenants)
        client = clients[tenant["slug"]]
        slug = rng.choice(tenant["services"])[3]
        args = {"service": slug, "status": rng.choice([2000, 4000, 7000]), "sort": rng.choice(sorts),
                "dir": rng.choice(["asc", "desc"]), "page": rng.randint(1, 5)}
        start = time.perf_counter()
        response = client.get(f"/{tenant['slug']}/backoffice/pratiche", query_string=args)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200
        if index >= 20:  # warm-up excluded
            list_times.append(elapsed)
        start = time.perf_counter()
        response = client.get(f"/{tenant['slug']}/backoffice/pratiche",
                              query_string={"q": rng.choice(codes[tenant["slug"]])})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200
        if index >= 20:
            search_times.append(elapsed)
    print(f"list page (service + status filter, sorted, paged): p95 {_p95(list_times):.1f} ms, "
          f"median {statistics.median(list_times) * 1000:.1f} ms over {len(list_times)} requests (target <= 50 ms)")
    print(f"fiscal-code search: p95 {_p95(search_times):.1f} ms, "
          f"median {statistics.median(search_times) * 1000:.1f} ms over {len(search_times)} requests (target <= 50 ms)")


def _rss_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_export(app: Any, tenant: dict[str, Any], rows: int) -> None:
    client = app.test_client()
    _login(client, tenant["slug"], "manager")
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS to the current RSS
    baseline = _rss_peak_mb()
    start = time.perf_counter()
    response = client.get(f"/{tenant['slug']}/backoffice/pratiche/export.csv", query_string={
        "sort": "submitted_at", "dir": "desc", "limit": rows}, buffered=False)
    count, size = 0, 0
    for chunk in response.response:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        count += text.count("\r\n")
        size += len(text)
        if count > rows:
            break
    response.close()
    elapsed = time.perf_counter() - start
    exported = min(count - 1, rows)
    print(f"CSV export: {exported:,} rows in {elapsed:.2f} s = {exported / elapsed:,.0f} rows/s (target >= 20,000); "
          f"peak RSS {_rss_peak_mb():.0f} MB during the export, {baseline:.0f} MB before it (target <= 200 MB)")


PLANNED = {
    "count": "SELECT count(*) FROM applications WHERE tenant_id = %s AND service_id = %s AND status = 4000",
    "page ids": "SELECT id FROM applications WHERE tenant_id = %s AND service_id = %s AND status = 4000 "
                "ORDER BY applicant_name, id LIMIT 20 OFFSET 40",
}


def explain(url: str, tenant: dict[str, Any]) -> None:
    """The plans of the list's two queries (expected: index-only scans of ix_applications_list)."""
    with _raw(url) as conn, conn.cursor() as cur:
        service = tenant["services"][3][0]
        for name, sql in PLANNED.items():
            cur.execute("EXPLAIN (ANALYZE, TIMING OFF) " + sql, (tenant["id"], service))
            plan = [row[0].strip() for row in cur.fetchall()]
            scans = [line.split("(")[0].strip("-> ") for line in plan if " Scan " in line]
            print(f"  plan of the {name} query: {'; '.join(scans)}; {plan[-1]}")


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    name = f"comuni_bench_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as storage:
            app = create_app(_config(url, storage))
            with app.app_context():
                upgrade_database()
                started = time.perf_counter()
                tenants = seed_catalogue()
                codes = load(url, tenants, total)
                print(f"loaded {total:,} applications over {TENANTS * SERVICES_PER_TENANT} services and {TENANTS} "
                      f"tenants in {time.perf_counter() - started:.0f} s")
                explain(url, tenants[0])
                db.session.remove()
            time_pages(app, tenants, codes, samples)
            with app.app_context():
                export_rows = min(100_000, total // TENANTS)
            time_export(app, tenants[0], export_rows)
            with app.app_context():
                db.engine.dispose()
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept database {name}")
        else:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
