"""Go-live from nothing: an empty PostgreSQL database in the production configuration, the onboarding
commands, the new administrator's password-set link, an office and an operator made in the back office, the
shipped services published, and a citizen who logs in through SPID (SAML, answered by spid-sp-test's
identity provider) and submits a report."""

from __future__ import annotations

import base64
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin

import pytest
import requests
from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from tests.conftest import ADMIN_URL, _admin, _bodies_read_eagerly, app_config
from tests.saml.test_saml_login import idp_answer
from tests.saml.test_spid_sp_test import SPID_SP_TEST_IDP
from webapp.app import create_app
from webapp.extensions import db
from webapp.models import Application, Tenant

# The production configuration (no demo data, no test identity provider, no citizen passwords); the
# connectors are the loopback simulators, and the cookies are not Secure since the server speaks plain http.
PRODUCTION = {"SEED_DEMO_DATA": False, "ALLOW_DEMO_CONNECTORS": True, "CITIZEN_PASSWORD_LOGIN": False,
              "TEST_IDENTITY_PROVIDER": False, "SECURE_COOKIES": False}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SLUG = "comune-nuovo"


@pytest.fixture
def empty_database() -> Iterator[str]:
    name = f"comuni_golive_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def production(empty_database: str, tmp_path: Path) -> Iterator[tuple[Flask, str]]:
    """The production app on the empty database, served on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    flask_app = create_app(app_config(empty_database, tmp_path / "files", PUBLIC_URL=url, **PRODUCTION))
    server = make_server("127.0.0.1", port, _bodies_read_eagerly(flask_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield flask_app, url
    server.shutdown()
    thread.join(timeout=10)
    with flask_app.app_context():
        db.engine.dispose()


def _cli(flask_app: Flask, *args: str) -> str:
    result = flask_app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _post(session: requests.Session, url: str, page_url: str, data: dict[str, Any]) -> requests.Response:
    """A form post with the CSRF token of the page it comes from."""
    page = session.get(page_url, timeout=30)
    assert page.status_code == 200, (page_url, page.status_code)
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    return session.post(url, data={"csrf_token": token, **data}, timeout=30, allow_redirects=False)


def test_an_ente_goes_live_from_an_empty_database(production: tuple[Flask, str], tmp_path: Path) -> None:
    flask_app, url = production
    base = f"{url}/{SLUG}"
    _cli(flask_app, "db-upgrade")
    _cli(flask_app, "create-tenant", "--slug", SLUG, "--name", "Comune Nuovo", "--fiscal-code", "80014890638",
         "--ipa-code", "c_x124")
    link = re.search(rf"{re.escape(url)}(/{SLUG}/backoffice/reimposta-password/[\w-]+)",
                     _cli(flask_app, "create-admin", "--tenant", SLUG, "--email", "segretario@comune-nuovo.it"))
    assert link, "no password-set link printed"
    assert "pubblicat" in _cli(flask_app, "publish-services", "--tenant", SLUG, "--all")

    admin = requests.Session()
    password = "una-password-davvero-lunga"
    done = _post(admin, url + link.group(1), url + link.group(1), {"password": password, "confirm": password})
    assert done.status_code == 302, done.text[:2000]
    signed_in = _post(admin, f"{base}/backoffice/login", f"{base}/backoffice/login",
                      {"username": "segretario@comune-nuovo.it", "password": password})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/backoffice/pratiche")

    office = _post(admin, f"{base}/backoffice/uffici/nuovo", f"{base}/backoffice/uffici/nuovo",
                   {"name": "Ufficio Manutenzioni", "code": "manutenzioni", "email": "manutenzioni@comune-nuovo.it"})
    assert office.status_code == 302, office.text[:2000]
    form_page = admin.get(f"{base}/backoffice/operatori/nuovo", timeout=30).text
    office_id = re.search(r'<option value="([0-9a-f-]{36})"[^>]*>Ufficio Manutenzioni</option>', form_page)
    service_id = re.search(r'id="services-([0-9a-f-]{36})" name="services" value="[0-9a-f-]{36}"[^>]*>\s*'
                           r'<label for="services-[0-9a-f-]{36}">Segnalazione', form_page)
    assert office_id and service_id, form_page[:3000]
    operator = _post(admin, f"{base}/backoffice/operatori/nuovo", f"{base}/backoffice/operatori/nuovo",
                     {"username": "manutentore", "name": "Marco", "family_name": "Manutentore",
                      "email": "manutentore@comune-nuovo.it", "office_id": office_id.group(1),
                      "services": service_id.group(1), "role": "operator"})
    assert operator.status_code == 302, operator.text[:2000]

    citizen = requests.Session()
    started = citizen.get(f"{base}/spid/login?idp={quote(SPID_SP_TEST_IDP, safe='')}&next=/{SLUG}/area-personale",
                          allow_redirects=False, timeout=30)
    assert started.status_code == 302 and "SAMLRequest=" in started.headers["Location"]
    relay_state = unquote(started.headers["Location"].split("RelayState=")[1].split("&")[0])
    response = idp_answer(url, "spid", started.headers["Location"], tmp_path, tenant=SLUG)
    landed = citizen.post(f"{base}/spid/acs", timeout=30, data={
        "SAMLResponse": base64.b64encode(response.encode()).decode(), "RelayState": relay_state})
    assert landed.status_code == 200 and landed.url.endswith(f"/{SLUG}/area-personale"), landed.url

    form = f"{base}/servizi/segnalazione/domanda"
    first = _post(citizen, form, form, {"privacy": "true", "action": "next"})
    assert first.status_code == 302, first.text[:2000]
    app_id = first.headers["Location"].split("/pratiche/")[1].split("/")[0]
    step = f"{base}/pratiche/{app_id}/passi/segnalazione"
    second = _post(citizen, step, step, {"categoria": "buca_stradale", "descrizione": "Una buca profonda",
                                         "luogo": "Via Roma 1", "action": "next"})
    assert second.status_code == 302, second.text[:2000]
    third_url = urljoin(step, second.headers["Location"])
    third = _post(citizen, third_url, third_url, {"action": "next"})
    assert third.status_code == 302 and third.headers["Location"].endswith("/riepilogo"), third.text[:2000]
    sent = _post(citizen, f"{base}/pratiche/{app_id}/invia", f"{base}/pratiche/{app_id}/riepilogo", {})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/inviata")

    with flask_app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == SLUG))
        application = db.session.get(Application, uuid.UUID(app_id))
        assert application is not None and application.tenant_id == tenant.id
        assert application.applicant_fiscal_code == "GDASDV00A01H501J"  # spid-sp-test's citizen
        assert application.status >= 2000 and application.auth_method == "spid"
    inbox = admin.get(f"{base}/backoffice/pratiche", timeout=30).text
    assert "Segnalazione" in inbox
