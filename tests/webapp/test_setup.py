"""The schema, the configuration rules, the OpenAPI document and the demo command."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from alembic import command

from webapp.cli import alembic_config
from webapp.config import ConfigError, build_config
from webapp.demo import seed_demo
from webapp.services.common.errors import Unauthorized
from webapp.services.common.tenancy import get_tenant
from webapp.services.people import authenticate

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_match_the_models(app, database_url):
    command.check(alembic_config(database_url))  # raises when models and migrations differ


def test_required_configuration_is_checked(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SQLALCHEMY_DATABASE_URI", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build_config()


def test_production_configuration_has_no_demo_accounts(app, make_app):
    production = make_app(CITIZEN_PASSWORD_LOGIN=False, SEED_DEMO_DATA=False)
    with production.app_context():
        with pytest.raises(RuntimeError, match="demo"):
            seed_demo("altro")
        tenant = get_tenant("demo")
        with pytest.raises(Unauthorized):
            authenticate(tenant, "RSSMRA80A01H501U", "demo", "127.0.0.1")  # citizen password login is off
        assert authenticate(tenant, "operatore", "demo", "127.0.0.1").username == "operatore"
    response = production.test_client().post("/demo/api/auth",
                                              json={"username": "RSSMRA80A01H501U", "password": "demo"})
    assert response.status_code == 401


def test_openapi_document_describes_the_api(api):
    document = api.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/applications", "/applications/{id}/transition/{action}", "/auth"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"id", "status", "status_name", "links", "protocol_number"} <= set(schemas["Application"]["properties"])
    assert "errors" in schemas["Error"]["properties"]


def test_services_and_form_are_public(api):
    services = {s["slug"]: s for s in api.get("/services").get_json()}
    assert {"accesso-atti", "contributo"} <= set(services)
    by_id = api.get(f"/services/{services['contributo']['id']}").get_json()
    assert by_id["slug"] == "contributo" and by_id["texts"]["description"]
    form = api.get("/services/accesso-atti/form").get_json()
    assert form["schema"]["type"] == "object" and form["ui"]["steps"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_demo(database: Path) -> tuple[str, str]:
    """Start `python -m webapp demo`, fetch the home page and the services, stop it."""
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
           "STORAGE_DIR": str(database.parent / "files")}
    log = database.parent / f"demo-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "webapp", "demo"], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/demo/", timeout=2) as page:
                    home = page.read().decode()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/demo/api/services", timeout=2) as r:
                    return home, r.read().decode()
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text()) from None
                time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_demo_command_serves_the_seeded_comune_and_keeps_data(tmp_path):
    database = tmp_path / "demo.sqlite3"
    home, services = _serve_demo(database)
    assert "Comune di Demo" in home and "Richiesta di accesso agli atti" in home
    assert "contributo" in services
    size = database.stat().st_size
    home_again, _ = _serve_demo(database)  # a second run migrates nothing and seeds nothing new
    assert home_again == home and database.stat().st_size == size


def test_openapi_references_resolve(api):
    """Every $ref in the document names a schema the document defines."""
    import json
    import re

    document = api.get("/openapi.json").get_json()
    text = json.dumps(document)
    defined = set(document["components"]["schemas"])
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert referenced <= defined, referenced - defined
    assert "/payments/checkout" in document["paths"]
    bare = re.findall(r'"(?:schema|items)": "([A-Za-z]+)"', text)  # a name that was never turned into a $ref
    assert not bare, bare


def test_migrations_have_one_head(database_url):
    from alembic.script import ScriptDirectory

    assert len(ScriptDirectory.from_config(alembic_config(database_url)).get_heads()) == 1
