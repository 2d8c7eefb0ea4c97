"""Shared fixtures: a fresh PostgreSQL database migrated with Alembic, the seeded demo Comune,
an API client, and (for tests marked `worker`) a real Celery worker process on Redis."""

from __future__ import annotations

import gc
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import psycopg
import pytest
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from tests.webapp.process_tasks import PARERI_UFFICI, publish_pareri
from webapp.app import create_app
from webapp.cli import upgrade_database
from webapp.demo import seed_demo
from webapp.extensions import db

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# The seeded database is copied into the `snapshot` schema once; after each test every table is
# restored from it, so tests may change anything (users, roles, services) without leaking.


def _admin(sql: str) -> None:
    url = make_url(ADMIN_URL)
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database,
                         autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    name = f"comuni_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


WEBHOOK_SECRET = "test-webhook-secret"
SIMULATORS: dict[str, Any] = {}  # name -> running loopback simulator, started once per session


@pytest.fixture(scope="session", autouse=True)
def simulators() -> Iterator[dict[str, Any]]:
    """The pagoPA, protocol and App IO simulators: real HTTP services on loopback ports."""
    from connectors.simulators import start_appio, start_pagopa, start_protocol

    SIMULATORS.update(pagopa=start_pagopa(webhook_secret=WEBHOOK_SECRET),
                      protocol=start_protocol(webhook_secret=WEBHOOK_SECRET),
                      appio=start_appio())
    yield SIMULATORS
    for running in SIMULATORS.values():
        running.stop()
    SIMULATORS.clear()


def _connector_config() -> dict[str, Any]:
    if not SIMULATORS:
        return {}
    return {"PAYMENT_CONNECTOR": "demo", "PAGOPA_GPD_URL": SIMULATORS["pagopa"].url,
            "PAGOPA_WEBHOOK_SECRET": WEBHOOK_SECRET, "PROTOCOL_CONNECTOR": "demo",
            "PROTOCOL_URL": SIMULATORS["protocol"].url, "PROTOCOL_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "APP_IO_CONNECTOR": "demo_app_io",
            "APP_IO_URL": SIMULATORS["appio"].url}


SAML_DIR = Path(__file__).resolve().parent / "saml"
# The SP's test key pair (tests only), trusting spid-sp-test's own identity provider for SPID and CIE.
SAML_TEST_CONFIG = {
    "SAML_KEY_FILE": str(SAML_DIR / "keys" / "sp.key"),
    "SAML_CERT_FILE": str(SAML_DIR / "keys" / "sp.crt"),
    "SPID_IDP_METADATA": str(SAML_DIR / "spid-sp-test-idp.xml"),
    "CIE_IDP_METADATA": str(SAML_DIR / "spid-sp-test-idp.xml"),
    "SAML_DEFAULT_IPA_CODE": "c_h501",
}


def app_config(database_url: str, storage: Path, **overrides: Any) -> dict[str, Any]:
    return {
        **_connector_config(),
        "SECRET_KEY": "test-secret-key-of-sufficient-length-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CELERY_ALWAYS_EAGER": True,
        "CELERY_BROKER_URL": f"{REDIS_URL}/5",
        "CITIZEN_PASSWORD_LOGIN": True,
        "SEED_DEMO_DATA": True,
        "STORAGE_DIR": str(storage),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "MAX_ATTACHMENT_BYTES": 1024 * 1024,
        "SECURE_COOKIES": False,
        "MAIL_BACKEND": "capture",
        "TEST_IDENTITY_PROVIDER": True,
        "ALLOW_DEMO_CONNECTORS": True,
        **SAML_TEST_CONFIG,
        **overrides,
    }


@pytest.fixture
def make_app(database_url: str, storage_dir: Path) -> Iterator[Any]:
    """Another app on the test database with other settings; its connections are closed afterwards."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        made.append(create_app(app_config(database_url, storage_dir, **overrides)))
        return made[-1]

    yield make
    for flask_app in made:
        with flask_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def storage_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


@pytest.fixture(scope="session")
def app(database_url: str, storage_dir: Path) -> Iterator[Flask]:
    flask_app = create_app(app_config(database_url, storage_dir))
    with flask_app.app_context():
        upgrade_database()
        seed_demo("demo")
        _take_snapshot()
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    _dispose_other_apps(request)
    gc.collect()  # a connection or file a test forgot to close is reported against that test, not a later one
    if "app" not in request.fixturenames:
        return
    flask_app: Flask = request.getfixturevalue("app")
    with flask_app.app_context():
        _restore_snapshot()
    for running in SIMULATORS.values():  # the outside systems forget too, as the database did
        running.app.reset()


def _dispose_other_apps(request: pytest.FixtureRequest) -> None:
    """Close the pools of apps a test made besides the session's (their threads may still hold one)."""
    session_app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    for other, engines in list(db._app_engines.items()):
        if other is not session_app:
            for engine in engines.values():
                engine.dispose()


def _tables() -> list[str]:
    """The migrated tables (a model without its migration is caught by test_migrations_match_the_models)."""
    existing = set(inspect(db.engine).get_table_names())
    return [t.name for t in db.metadata.sorted_tables if t.name in existing]


def _take_snapshot() -> None:
    db.session.execute(text("DROP SCHEMA IF EXISTS snapshot CASCADE; CREATE SCHEMA snapshot"))
    for table in _tables():
        db.session.execute(text(f'CREATE TABLE snapshot."{table}" AS TABLE public."{table}"'))
    db.session.commit()


def _restore_snapshot() -> None:
    tables = _tables()
    db.session.execute(text("SET session_replication_role = replica"))  # no FK checks while restoring
    db.session.execute(text("TRUNCATE " + ", ".join(f'public."{table}"' for table in tables)))
    for table in tables:
        db.session.execute(text(f'INSERT INTO public."{table}" SELECT * FROM snapshot."{table}"'))
    db.session.execute(text("SET session_replication_role = DEFAULT"))
    db.session.commit()


class Api:
    """A JSON client for /<tenant>/api with cached tokens per user."""

    def __init__(self, flask_app: Flask, tenant: str = "demo") -> None:
        self.app, self.tenant, self.client = flask_app, tenant, flask_app.test_client()
        self.tokens: dict[str, str] = {}

    def token(self, username: str, password: str = "demo") -> str:
        # The cache lives for the whole session, which outlasts a token's lifetime: renew in time.
        if username not in self.tokens or _expires_within(self.tokens[username], seconds=300):
            response = self.client.post(f"/{self.tenant}/api/auth",
                                        json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["token"]
        return self.tokens[username]

    def call(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        return self.client.open(f"/{self.tenant}/api{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, user, **kw)

    def post(self, path: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, user, **kw)

    def patch(self, path: str, user: str | None = None, **kw: Any) -> Any:
        return self.call("PATCH", path, user, **kw)


def _expires_within(token: str, seconds: int) -> bool:
    expiry = jwt.decode(token, options={"verify_signature": False}).get("exp", 0)
    return bool(expiry - time.time() < seconds)


@pytest.fixture(scope="session")
def _api_tokens() -> dict[str, str]:
    return {}


@pytest.fixture
def api(app: Flask, _api_tokens: dict[str, str]) -> Api:
    client = Api(app)
    client.tokens = _api_tokens
    return client


# --- Browser tests: a live server on a free loopback port, Debian's chromium driven by Playwright ---

CHROMIUM = "/usr/bin/chromium"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _bodies_read_eagerly(app: Any) -> Any:
    """werkzeug's development server skips the response's close() when the browser drops the
    connection first (a font request cancelled by a navigation), leaving a static file open for
    the garbage collector to report under -W error. Reading each body here, and closing it, keeps
    the test server's behaviour deterministic; production servers close responses themselves."""
    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return wsgi


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    import socket
    import threading

    from werkzeug.serving import make_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = make_server("127.0.0.1", port, _bodies_read_eagerly(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield launched
        launched.close()


# Window sizes for browser tests: Playwright's default desktop one, and phones (390 px is a common phone,
# 320 px the narrowest WCAG 1.4.10 asks pages to work at). Choose one with
# @pytest.mark.parametrize("page", [...], indirect=True); without it a page is "desktop".
VIEWPORTS = {"desktop": {"width": 1280, "height": 720}, "phone": {"width": 390, "height": 844},
             "small-phone": {"width": 320, "height": 640}}
PHONES = ["phone", "small-phone"]
DESKTOP_AND_PHONE = ["desktop", "phone"]


# axe on every page a browser test loads, at the test's window size: the init script below runs it in the
# page once loaded and reports serious and critical violations through a binding; the `page` fixture fails
# the test at teardown with what it collected. A page left before axe finished goes unchecked (it is
# usually a redirect or a step clicked through). The result stays in the page, with a watch on the DOM and
# the window's size, so that `assert_accessible` on a page nothing has changed since reuses it instead of
# running axe again. AXE_ON_EVERY_PAGE=0 turns it off (to time the cost).
_AXE_ON_LOAD = """(() => {
  if (window.top !== window || !window.axe) return;
  // once the page is idle: the test's next step goes first, and `load` is not held up by axe's own work
  window.addEventListener('load', () => requestIdleCallback(() => {
    if (window.__axeHeld) return;  // assert_accessible is running axe itself
    const stale = () => { window.__axeStale = true; };
    new MutationObserver(stale).observe(document, {subtree: true, childList: true, attributes: true,
                                                   characterData: true});
    window.addEventListener('resize', stale);
    window.__axeOnLoad = axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
      .then(r => {
        const found = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
          .map(v => v.id + ' (' + v.impact + '): ' + JSON.stringify(v.nodes.slice(0, 3).map(n => n.target)));
        window.__axeFound = found;
        return window.__axeReport(location.href, found);
      })
      .catch(() => null).finally(() => { window.__axeOnLoad = null; });
  }, {timeout: 1000}));
})();"""

# The on-load result, when the page has not changed since axe read it; null otherwise (axe must run).
_AXE_RESULT_STILL_TRUE = """async () => {
  window.__axeHeld = true;  // axe refuses two runs at once: the on-load one, if not started, never starts
  if (window.__axeOnLoad) await window.__axeOnLoad;
  return Array.isArray(window.__axeFound) && !window.__axeStale ? window.__axeFound : null;
}"""


def _axe_script() -> str:
    from axe_playwright_python.sync_playwright import Axe

    return str(Axe().axe_script)


def axe_on_every_page(context: Any, ours: str, found: list[str]) -> None:
    """Runs axe on each page of `ours` (the live server) the context loads, collecting into `found`."""
    def report(_source: Any, url: str, violations: list[str]) -> None:
        if url.startswith(ours + "/"):
            found.extend(f"{url}: {violation}" for violation in violations)

    context.expose_binding("__axeReport", report)
    context.add_init_script(_axe_script() + "\n" + _AXE_ON_LOAD % json.dumps(WCAG_21_AA))


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="it-IT", viewport=VIEWPORTS[getattr(request, "param", "desktop")])
    context.set_default_timeout(10_000)
    found: list[str] = []
    if os.environ.get("AXE_ON_EVERY_PAGE", "1") != "0" and "live_server" in request.fixturenames:
        # only the app's pages (not the simulators' checkout)
        axe_on_every_page(context, request.getfixturevalue("live_server"), found)
    tab = context.new_page()
    yield tab
    context.close()
    assert not found, "axe, on the pages this test loaded: " + "; ".join(dict.fromkeys(found))


def assert_accessible(page: Any) -> None:
    """axe-core (WCAG 2.1 A and AA rules): no serious or critical violation on the current page, once
    loaded (a click that navigates returns as the next page starts loading, before its scripts ran)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state()
    already = page.evaluate(_AXE_RESULT_STILL_TRUE)
    if already is not None:
        assert not already, f"{page.url}: " + "; ".join(already)
        return
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad)


@pytest.fixture
def pareri(app: Flask) -> None:
    """The test service with its own process (tests/webapp/processes/pareri), published in the demo."""
    publish_pareri(app)


@pytest.fixture
def pareri_uffici(app: Flask) -> None:
    """The test service with one opinion per named office (tests/webapp/processes/pareri_uffici), in the demo."""
    publish_pareri(app, PARERI_UFFICI, "pareri-uffici")
