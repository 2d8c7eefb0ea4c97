"""Files keep the names people gave them, safely: any Unicode name downloads at once through the API
and the back office, CR/LF and quotes can neither break nor inject headers, an empty file on the
office's form is refused, and a refused step leaves no file behind."""

from __future__ import annotations

import base64
import io
import uuid
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.http import parse_options_header

from tests.backoffice.conftest import logged_in
from tests.webapp.helpers import MARIO, act, contributo_data, create, messages_after_submission
from webapp.extensions import db
from webapp.models import Attachment
from webapp.services.common import uploads

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(api, app_id: str, name: str) -> dict:
    response = api.post(f"/applications/{app_id}/attachments", MARIO,
                        json={"name": name, "file": base64.b64encode(PDF).decode()})
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def _saved_as(header: str) -> str:
    """The name a browser saves the file under (RFC 6266: filename* wins over filename)."""
    _value, options = parse_options_header(header)
    return options.get("filename*") or options["filename"]


@pytest.mark.parametrize(("given", "kept"), [
    ("Carta d’identità.pdf", "Carta d’identità.pdf"),  # the apostrophe word processors type
    ("a\r\nSet-Cookie: x=1.pdf", "a Set-Cookie: x=1.pdf"),
    ('evil"; filename*=UTF-8\'\'evil.html.pdf', "evil'; filename*=UTF-8''evil.html.pdf"),
    ("..\\..\\cartella/segreta.pdf", "segreta.pdf"),
    ("fattura\u202efdp.exe.pdf", "fatturafdp.exe.pdf"),  # a right-to-left override disguising the name
])
def test_names_are_kept_safely_and_download_at_once(app: Flask, api, given: str, kept: str) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    stored = _upload(api, app_id, given)
    assert stored["name"] == kept
    act(api, app_id, "submit", MARIO)  # the office sees sent applications only
    office = logged_in(app, "operatore")
    for response in (api.get(f"/applications/{app_id}/attachments/{stored['id']}", MARIO),
                     office.get(f"/demo/backoffice/pratiche/{app_id}/allegati/{stored['id']}")):
        assert response.status_code == 200 and response.data == PDF
        header = response.headers["Content-Disposition"]
        assert "\r" not in header and "\n" not in header and header.count("filename*=") <= 1
        assert _saved_as(header) == kept


def test_a_name_stored_before_the_fix_still_downloads(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    stored = _upload(api, app_id, "vecchio.pdf")
    with app.app_context():
        row = db.session.get(Attachment, uuid.UUID(stored["id"]))
        row.original_filename = "vecchio\r\n“nome”.pdf"
        db.session.commit()
    response = api.get(f"/applications/{app_id}/attachments/{stored['id']}", MARIO)
    assert response.status_code == 200 and _saved_as(response.headers["Content-Disposition"]) == "vecchio “nome”.pdf"


def test_an_empty_file_on_the_offices_form_is_refused(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    office = logged_in(app, "operatore")
    page = office.get(f"/demo/backoffice/pratiche/{app_id}/messaggi").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = office.post(f"/demo/backoffice/pratiche/{app_id}/messaggi", data={
        "csrf_token": token, "message": "Ecco il documento", "attachments": (io.BytesIO(b""), "vuoto.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "è vuoto" in response.get_data(as_text=True)
    assert messages_after_submission(api, app_id) == []


def _stored_files(app: Flask) -> set[Path]:
    return {path for path in Path(app.config["STORAGE_DIR"]).rglob("*") if path.is_file()}


def test_a_refused_step_leaves_no_file_behind(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    before = _stored_files(app)
    refused = api.post(f"/applications/{app_id}/transition/accept", "operatore", json={
        "message": "Concesso", "attachments": [{"name": "esito.pdf", "file": base64.b64encode(PDF).decode()}],
        "payment": {"amount": "cinquanta"}})
    assert refused.status_code == 400 and refused.get_json()["errors"][0]["pointer"] == "/payment/amount"
    assert _stored_files(app) == before
    assert api.get(f"/applications/{app_id}", "operatore").get_json()["status"] == "4000"


def test_content_disposition_is_plain_for_plain_names() -> None:
    assert uploads.content_disposition("ricevuta.pdf") == 'attachment; filename="ricevuta.pdf"'
    assert uploads.clean_filename("") == "allegato" and uploads.clean_filename("...") == "allegato"
    assert len(uploads.clean_filename("a" * 500 + ".pdf")) <= uploads.MAX_NAME_LENGTH
    assert uploads.clean_filename("a" * 500 + ".pdf").endswith(".pdf")


def test_a_unicode_name_downloads_over_real_http(app: Flask, api, live_server: str) -> None:
    """A real server must encode headers as Latin-1: a raw Unicode name there used to hang the download."""
    import urllib.request

    app_id = create(api, "contributo", contributo_data())["id"]
    stored = _upload(api, app_id, "Carta d’identità.pdf")
    request = urllib.request.Request(f"{live_server}/demo/api/applications/{app_id}/attachments/{stored['id']}",
                                     headers={"Authorization": f"Bearer {api.token(MARIO)}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200 and response.read() == PDF
        assert _saved_as(response.headers["Content-Disposition"]) == "Carta d’identità.pdf"
