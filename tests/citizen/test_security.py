"""Security of the citizen pages: other people's objects are 404, every POST needs the CSRF token,
uploads are checked by size and content, nothing is stored when they are refused."""

from __future__ import annotations

import base64
import html as html_text
import re

import pytest

from tests.citizen.helpers import GIUSEPPINA, MARIO, PDF, app_id_from, csrf, login, multipart, post_form
from tests.webapp.helpers import submitted
from webapp.extensions import db
from webapp.models import Attachment, Message

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 64


def _mario_with_file(app, api) -> tuple[str, str, str]:
    """Mario's sent application, a message with an attachment: (app id, message id, attachment id)."""
    app_id = submitted(api, "contributo")
    response = api.post(f"/applications/{app_id}/messages", MARIO, json={
        "message": "Ecco il documento", "attachments": [
            {"name": "doc.pdf", "mime_type": "application/pdf", "file": base64.b64encode(PDF).decode()}]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    return app_id, body["id"], body["attachments"][0]["id"]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model)) or 0


def _written(app) -> int:
    """Messages people wrote (not the ente's acknowledgement of each submission, which has no author)."""
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Message)
                                 .where(Message.author_id.is_not(None))) or 0


def test_another_citizens_objects_are_not_found(app, api):
    app_id, _message_id, attachment_id = _mario_with_file(app, api)
    mario = app.test_client()
    login(mario, MARIO)
    assert mario.get(f"/demo/pratiche/{app_id}").status_code == 200
    assert mario.get(f"/demo/pratiche/{app_id}/allegati/{attachment_id}").data == PDF
    giuseppina = app.test_client()
    login(giuseppina, GIUSEPPINA)
    token = csrf(giuseppina, "/demo/area-personale")
    for path in ("", "/riepilogo", "/passi/richiedente", "/ritira", "/integrazioni", f"/allegati/{attachment_id}"):
        assert giuseppina.get(f"/demo/pratiche/{app_id}{path}").status_code in (404, 302), path
    assert giuseppina.get(f"/demo/pratiche/{app_id}").status_code == 404
    assert giuseppina.get(f"/demo/pratiche/{app_id}/allegati/{attachment_id}").status_code == 404
    for path in ("/messaggi", "/ritira", "/invia", "/seguito/rinnovo", "/integrazioni"):
        response = giuseppina.post(f"/demo/pratiche/{app_id}{path}", data={"csrf_token": token, "message": "x"})
        assert response.status_code == 404, path
    assert "Ecco il documento" not in giuseppina.get("/demo/area-personale/messaggi").get_data(as_text=True)
    assert "doc.pdf" not in giuseppina.get("/demo/area-personale/documenti").get_data(as_text=True)
    assert _written(app) == 1


def test_private_notes_are_never_shown(app, api):
    app_id = submitted(api, "contributo")
    api.post(f"/applications/{app_id}/transition/assign", "operatore")
    note = api.post(f"/applications/{app_id}/messages", "operatore",
                    json={"message": "Nota riservata interna", "visibility": "internal"})
    assert note.status_code == 201
    client = app.test_client()
    login(client, MARIO)
    assert "Nota riservata interna" not in client.get(f"/demo/pratiche/{app_id}").get_data(as_text=True)
    assert "Nota riservata interna" not in client.get("/demo/area-personale/messaggi").get_data(as_text=True)


def _post_routes(app) -> list[str]:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("citizen.") and "POST" in r.methods]
    assert len(rules) >= 10
    return [r.rule for r in rules]


def test_every_post_without_csrf_token_is_refused(app, api):
    app_id, _, _ = _mario_with_file(app, api)
    client = app.test_client()
    login(client, MARIO)
    before = (_count(app, Message), _count(app, Attachment))
    values = {"<tenant>": "demo", "<app_id>": app_id, "<step_id>": "richiedente", "<kind>": "rinnovo",
              "<slug>": "contributo", "<method>": "spid", "<payment_id>": app_id, "<calendar_id>": app_id,
              "<token>": "some-token", "<task_id>": app_id, "<any(spid, cie):method>": "spid"}
    for rule in _post_routes(app):
        url = rule
        for placeholder, value in values.items():
            url = url.replace(placeholder, value)
        assert "<" not in url, url
        # The SAML ACS takes the identity provider's cross-site POST, so it has no CSRF token: the response,
        # matched to a request we stored and used once, is its proof; without one it is refused (403).
        expected = 403 if url.endswith("/acs") else 400
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.post(url, data={**data, "message": "x", "privacy": "true", "fiscal_code": MARIO})
            assert response.status_code == expected, (url, response.status_code)
    assert (_count(app, Message), _count(app, Attachment)) == before
    assert client.get("/demo/area-personale").status_code == 200  # still logged in: logout was refused too


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("grande.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), "supera la dimensione massima"),
    ("programma.exe", EXE, "non è di un tipo ammesso"),
    ("foto.pdf", PNG, "non corrisponde all'estensione"),
])
def test_refused_uploads_on_a_form_step(app, name, content, expected):
    client = app.test_client()
    login(client, MARIO)
    start = post_form(client, "/demo/servizi/accesso-atti/domanda", {"privacy": "true", "action": "next"})
    app_id = app_id_from(start.location)
    before = _count(app, Attachment)
    response = multipart(client, f"/demo/pratiche/{app_id}/passi/richiedente", {
        "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO, "email": "m@example.it",
        "in_qualita_di": "delegato", "delegante.nome": "Anna", "delegante.cognome": "Verdi",
        "delegante.codice_fiscale": GIUSEPPINA, "action": "next"}, {"documento_delega": (content, name)})
    assert response.status_code == 422
    html = html_text.unescape(response.get_data(as_text=True))
    assert expected in html and 'href="#f-documento-delega"' in html
    assert _count(app, Attachment) == before


@pytest.mark.parametrize(("name", "content", "expected", "status"), [
    ("grande.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), "supera la dimensione massima", 413),
    ("programma.exe", EXE, "non è di un tipo ammesso", 415),
    ("foto.pdf", PNG, "non corrisponde all'estensione", 415),
])
def test_refused_uploads_on_a_message(app, api, name, content, expected, status):
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    before = (_count(app, Message), _count(app, Attachment))
    response = multipart(client, f"/demo/pratiche/{app_id}/messaggi", {"message": "Allego"},
                         {"allegati": (content, name)}, token_from=f"/demo/pratiche/{app_id}")
    assert response.status_code == status
    assert expected in html_text.unescape(response.get_data(as_text=True))
    assert (_count(app, Message), _count(app, Attachment)) == before


def test_request_over_the_content_limit_is_refused_clearly(app, api):
    app_id = submitted(api, "contributo")
    client = app.test_client()
    login(client, MARIO)
    response = multipart(client, f"/demo/pratiche/{app_id}/messaggi", {"message": "Allego"},
                         {"allegati": (b"%PDF" + b"0" * (3 * 1024 * 1024), "x.pdf")},
                         token_from=f"/demo/pratiche/{app_id}")
    assert response.status_code == 413
    assert re.search(r"superano la dimensione massima consentita", response.get_data(as_text=True))
    assert _written(app) == 0
