"""Page weight of the citizen pages on a phone, and their Lighthouse scores.

Starts the demo app (its own PostgreSQL database, dropped at the end) on a free loopback port and
drives Debian's chromium through Playwright at a phone's size, counting the bytes that came over the
network for each page (DevTools' encodedDataLength: compressed bodies plus headers; files the cache
answered count 0). Prints, per page: requests that went to the network and bytes transferred, for
  - a first visit to the home page (empty cache);
  - a first visit to a form step (empty cache, already logged in);
  - the next page after the home page (the services list, with the home page's files cached).
Targets: <= 300 KB for the first visits, <= 30 KB for the next page. Then runs Lighthouse
(node_modules/.bin/lighthouse, pinned in package.json; mobile settings, simulated throttling) against
the home page, a service page, a form step, the summary and the confirmation (of an application walked
through the flow by the browser first): performance >= 90, accessibility 100.

Run: .venv/bin/python benchmarks/page_weight.py [runs]    (npm ci first, for Lighthouse)
     (BENCH_ADMIN_URL overrides postgresql+psycopg://postgres@127.0.0.1:5432/postgres)
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webapp.app import create_app  # noqa: E402
from webapp.cli import upgrade_database  # noqa: E402
from webapp.demo import seed_demo  # noqa: E402
from webapp.extensions import db  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
PHONE = {"width": 390, "height": 844}
FIRST_VISIT_KB, NEXT_PAGE_KB = 300, 30
MARIO = "RSSMRA80A01H501U"  # a demo identity of the test identity provider
SERVICE_PAGE = "/demo/servizi/accesso-atti"
FORM_STEP = "/demo/servizi/accesso-atti/domanda"


def _admin(sql: str) -> None:
    url = make_url(ADMIN_URL)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                         dbname=url.database, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def demo_server() -> Iterator[str]:
    """The demo app on a free port in a thread, over a database of its own."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the figures
    name = f"comuni_bench_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as storage:
            app = create_app({"SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
                              "SQLALCHEMY_DATABASE_URI": url, "CELERY_ALWAYS_EAGER": True, "SEED_DEMO_DATA": True,
                              "STORAGE_DIR": storage, "SECURE_COOKIES": False, "MAIL_BACKEND": "capture",
                              "TEST_IDENTITY_PROVIDER": True, "CITIZEN_PASSWORD_LOGIN": True,
                              "CELERY_BROKER_URL": "memory://"})
            with app.app_context():
                upgrade_database()
                seed_demo("demo")
                db.session.remove()
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            server = make_server("127.0.0.1", port, app, threaded=True)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.shutdown()
                thread.join(timeout=10)
                with app.app_context():
                    db.engine.dispose()
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Meter:
    """Bytes over the network per page, from the DevTools protocol of one page."""

    def __init__(self, page: Any) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("Network.enable")
        self.session.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.finished: dict[str, int] = {}
        self.urls: dict[str, str] = {}
        self.session.on("Network.loadingFinished", self._finished)
        self.session.on("Network.requestWillBeSent", self._sent)

    def _sent(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]

    def _finished(self, event: dict[str, Any]) -> None:
        self.finished[event["requestId"]] = int(event["encodedDataLength"])

    def measure(self, page: Any, action: Any) -> tuple[int, int]:
        self.finished.clear()
        action()
        page.wait_for_load_state("networkidle")
        network = [size for size in self.finished.values() if size > 0]
        if os.environ.get("BENCH_VERBOSE"):
            for request_id, size in self.finished.items():
                print(f"    {size:8} {self.urls.get(request_id, '?')}")
        return len(network), sum(network)


def login(page: Any, base: str) -> None:
    page.goto(base + "/demo/accedi")
    page.get_by_role("link", name="Entra con SPID").click()
    page.locator(f'label[for="id-{MARIO}"]').click()
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state("networkidle")


def flow_pages(page: Any, base: str) -> dict[str, str]:
    """A logged-in page walks an accesso-atti application to its summary, and another one to its
    confirmation: the URLs of the pages a citizen sees through a flow (C.SE.4.1 names them)."""
    urls = {"home": base + "/demo/", "service page": base + SERVICE_PAGE, "form step": base + FORM_STEP}
    page.set_default_timeout(60_000)  # sending registers the protocol and makes the receipt first
    for last in ("summary", "confirmation"):
        page.goto(base + FORM_STEP)
        page.locator('label[for="f-privacy"]').click()
        page.get_by_role("button", name="Avanti").click()
        page.wait_for_url("**/passi/richiedente")
        page.locator('label[for="f-in-qualita-di"]').click()  # the rest comes from the identity
        page.get_by_role("button", name="Avanti").click()
        page.wait_for_url("**/passi/richiesta")
        page.fill("#f-atti-richiesti", "Copia della delibera n. 12/2026")
        page.fill("#f-motivazione", "Interesse diretto come residente")
        page.locator('label[for="f-modalita-accesso"]').click()
        page.get_by_role("button", name="Avanti").click()
        page.wait_for_url("**/riepilogo")
        if last == "summary":
            urls[last] = page.url
            continue
        page.get_by_role("button", name="Conferma e invia").click()
        page.wait_for_url("**/inviata")
        urls[last] = page.url
    return urls


def lighthouse_targets(browser: Any, base: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The pages Lighthouse measures, and the session cookies of the citizen they belong to."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, base)
    urls = flow_pages(page, base)
    cookies = context.cookies()
    context.close()
    return urls, cookies


def weigh(browser: Any, base: str) -> tuple[dict[str, tuple[int, int]], list[dict[str, Any]]]:
    figures: dict[str, tuple[int, int]] = {}
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    meter = Meter(page)
    figures["home, first visit"] = meter.measure(page, lambda: page.goto(base + "/demo/"))
    figures["services, next page"] = meter.measure(page, lambda: page.goto(base + "/demo/servizi"))
    context.close()

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    login(page, base)
    cookies = context.cookies()
    page.close()
    page = context.new_page()  # same cookies; the cache is cleared below so the form step starts cold
    meter = Meter(page)
    meter.session.send("Network.clearBrowserCache")
    figures["form step, first visit"] = meter.measure(page, lambda: page.goto(base + FORM_STEP))
    context.close()
    return figures, cookies


METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")


def lighthouse(url: str, cookies: list[dict[str, Any]] | None = None) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                   "--only-categories=performance,accessibility",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]
        if cookies:
            header = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
            command.append("--extra-headers=" + json.dumps({"Cookie": header}))
        subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        found = json.loads(report.read_text())
    if os.environ.get("BENCH_VERBOSE"):  # what the score is made of: a loaded machine shows in TBT first
        metrics = {key: found["audits"][key]["displayValue"] for key in METRICS}
        print("    " + "  ".join(f"{key}: {value}" for key, value in metrics.items()), flush=True)
    categories = found["categories"]
    return categories["performance"]["score"] * 100, categories["accessibility"]["score"] * 100


def main() -> int:
    from playwright.sync_api import sync_playwright

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    failures = 0
    with demo_server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"])
        for run in range(1, runs + 1):
            figures, _ = weigh(browser, base)
            for name, (requests, transferred) in figures.items():
                limit = NEXT_PAGE_KB if "next" in name else FIRST_VISIT_KB
                ok = transferred <= limit * 1024
                failures += not ok
                print(f"run {run}  {name:24} {requests:3} requests  {transferred / 1024:7.1f} KB transferred"
                      f"  (target <= {limit} KB: {'ok' if ok else 'MISSED'})")
        urls, cookies = lighthouse_targets(browser, base)
        browser.close()
        if not LIGHTHOUSE.exists():
            print("Lighthouse skipped: run `npm ci` first")
            return 1
        for run in range(1, runs + 1):
            for name, url in urls.items():
                performance, accessibility = lighthouse(url, cookies)
                ok = performance >= 90 and accessibility == 100
                failures += not ok
                print(f"run {run}  Lighthouse {name:12} performance {performance:5.0f}  accessibility "
                      f"{accessibility:5.0f}  (targets >= 90 and 100: {'ok' if ok else 'MISSED'})", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
