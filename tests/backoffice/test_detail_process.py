"""The operator's application page: the service version it runs on and its process with the path taken."""

from __future__ import annotations

import json
import re
from html import unescape

from tests.backoffice.conftest import logged_in
from tests.webapp.helpers import submitted
from webapp.extensions import db
from webapp.models import Application, ServiceVersion


def _trail(html: str) -> dict[str, list[str]]:
    found = re.search(r'data-trail="([^"]+)"', html)
    assert found, html[:3000]
    return json.loads(unescape(found.group(1)))  # type: ignore[no-any-return]


def test_own_process_shows_the_version_and_the_path(app, api):
    app_id = submitted(api, "contributo")
    client = logged_in(app, "admin")
    page = client.get(f"/demo/backoffice/pratiche/{app_id}").get_data(as_text=True)
    with app.app_context():
        version = db.session.get(Application, app_id).service_version.version
    assert f"Versione {version} del servizio" in page
    html = client.get(f"/demo/backoffice/pratiche/{app_id}/iter").get_data(as_text=True)
    trail = _trail(html)
    assert trail["completed"] and trail["current"]
    assert 'id="processo-elenco"' in html and "(adesso)" in html
    xml = client.get(f"/demo/backoffice/pratiche/{app_id}/processo.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    for element in trail["current"]:
        if "/" not in element:
            assert f'id="{element}"'.encode() in xml.data  # the markers land on the diagram's elements


def test_a_service_on_the_shared_lifecycle_shows_the_lifecycle(app, api):
    app_id = submitted(api, "accesso-atti")
    client = logged_in(app, "admin")
    html = client.get(f"/demo/backoffice/pratiche/{app_id}/iter").get_data(as_text=True)
    assert _trail(html)["completed"]
    xml = client.get(f"/demo/backoffice/pratiche/{app_id}/processo.bpmn")
    assert xml.status_code == 200 and b"lifecycle" in xml.data.lower()


def test_no_diagram_is_a_sentence_not_an_error(app, api):
    app_id = submitted(api, "contributo")
    with app.app_context():
        version = db.session.get(Application, app_id).service_version
        row = db.session.get(ServiceVersion, version.id)
        manifest = dict(row.manifest)
        manifest["process"] = ["gone.bpmn"]
        row.manifest, row.files = manifest, None
        db.session.commit()
    client = logged_in(app, "admin")
    html = client.get(f"/demo/backoffice/pratiche/{app_id}/iter")
    assert html.status_code == 200
    assert "Il diagramma di questa versione non è disponibile" in html.get_data(as_text=True)
    assert client.get(f"/demo/backoffice/pratiche/{app_id}/processo.bpmn").status_code == 404


def test_another_operators_application_bpmn_is_not_served(app, api):
    app_id = submitted(api, "contributo")
    assert logged_in(app, "scuola").get(f"/demo/backoffice/pratiche/{app_id}/processo.bpmn").status_code in (403, 404)
