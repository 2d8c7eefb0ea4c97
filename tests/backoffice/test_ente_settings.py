"""Ente settings: the administrators' pages and API, the sanitiser, the legal pages and links they feed, the
ente's own mail server (against a real SMTP sink) and secrets that never come back."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from tests.backoffice.conftest import csrf, logged_in
from tests.citizen.helpers import login as citizen_login
from tests.conftest import Api
from tests.webapp.helpers import submitted
from tests.webapp.smtp_sink import Sink, start_sink
from tests.webapp.workers import free_port
from webapp.extensions import db
from webapp.models import AuditEvent, OutboxMessage, Tenant
from webapp.services.common.ente_settings import sanitise_html
from webapp.services.common.uow import unit_of_work
from webapp.services.outbound import deliver

HOSTILE = ('<p onclick="steal()">Titolare: <strong>Comune</strong></p><script>alert(1)</script>'
           '<a href="javascript:alert(2)">x</a><a href="https://www.garanteprivacy.it" onmouseover="y()">Garante</a>'
           '<img src="https://tracker.example/p.gif" onerror="z()"><p style="position:fixed">stile</p>'
           '<iframe src="https://evil.example"></iframe><svg><script>1</script></svg>'
           '<a href="JaVaScRiPt&#58;alert(3)">y</a><form action="https://evil.example"><input></form>')
PASSWORD = "s3gret0-Smtp!"
IO_KEY = "io0123456789abcdefKEY"
SETTINGS = "/demo/backoffice/impostazioni"


def _tenant() -> Tenant:
    return db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))


def _settings(app: Flask, **values: Any) -> None:
    with app.app_context(), unit_of_work():
        tenant = _tenant()
        tenant.settings = {**tenant.settings, **values}


def test_the_sanitiser_keeps_structure_and_links_and_drops_everything_active() -> None:
    clean = sanitise_html(HOSTILE)
    for bad in ("<script", "onclick", "onmouseover", "onerror", "javascript", "JaVaScRiPt", "style=", "<img",
                "<iframe", "<svg", "<form", "<input", "alert("):
        assert bad not in clean, (bad, clean)
    assert "<strong>Comune</strong>" in clean
    assert '<a href="https://www.garanteprivacy.it" rel="noopener noreferrer">Garante</a>' in clean
    assert sanitise_html("Primo paragrafo.\n\nSecondo <b>non un tag</b>") != ""
    assert sanitise_html("Riga uno\nriga due\n\nAltro") == "<p>Riga uno<br>riga due</p><p>Altro</p>"
    assert sanitise_html("a < b & c") == "<p>a &lt; b &amp; c</p>"


def test_api_settings_for_administrators_only_and_secrets_never_echoed(app: Flask) -> None:
    api = Api(app)
    assert api.get("/admin/settings", "operatore").status_code == 403
    assert api.get("/admin/settings", "manager").status_code == 403
    assert api.call("PUT", "/admin/settings", "manager", json={"faq_url": "https://x.it"}).status_code == 403
    assert api.get("/admin/settings", "RSSMRA80A01H501U").status_code == 404
    assert api.get("/admin/settings").status_code == 401

    body = {"name": "Comune di Prova", "parent_name": "Regione Lazio", "contact_email": "urp@comune.prova.it",
            "privacy_text": HOSTILE, "faq_url": "https://www.comune.prova.it/faq",
            "report_inefficiency_service": "segnalazione", "email_sender": "servizi@comune.prova.it",
            "smtp": {"host": "smtp.comune.prova.it", "port": 587, "security": "starttls",
                     "username": "servizi", "password": PASSWORD},
            "app_io_keys": {"contributo": IO_KEY}}
    response = api.call("PUT", "/admin/settings", "admin", json=body)
    assert response.status_code == 200, response.get_json()
    for answer in (response, api.get("/admin/settings", "admin")):
        text = answer.get_data(as_text=True)
        assert PASSWORD not in text and IO_KEY not in text
        got = answer.get_json()
        assert got["name"] == "Comune di Prova" and got["faq_url"] == "https://www.comune.prova.it/faq"
        assert got["smtp"] == {"host": "smtp.comune.prova.it", "port": 587, "security": "starttls",
                               "username": "servizi", "password_set": True}
        assert got["app_io_services"] == ["contributo"]
        assert "<script" not in got["privacy_text"] and "<strong>Comune</strong>" in got["privacy_text"]
    with app.app_context():
        stored = json.dumps(_tenant().settings)
    assert PASSWORD not in stored and IO_KEY not in stored  # kept encrypted

    # The keys left out stay; a password left out stays too
    assert api.call("PUT", "/admin/settings", "admin", json={"smtp": {"port": 2525}}).get_json()["smtp"]["password_set"]
    # Refused values change nothing and name their fields
    bad = api.call("PUT", "/admin/settings", "admin", json={"faq_url": "javascript:alert(1)", "contact_email": "nope",
                                                     "faq_service": "non-esiste", "smtp": {"port": 70000},
                                                     "app_io_keys": {"ignoto": IO_KEY}, "colour": "red",
                                                     "email_templates": {"message.it": "{% if %}"}})
    assert bad.status_code == 400
    pointers = {e["pointer"] for e in bad.get_json()["errors"]}
    assert pointers == {"/faq_url", "/contact_email", "/faq_service", "/smtp/port", "/app_io_keys/ignoto",
                        "/colour", "/email_templates/message.it"}
    assert api.get("/admin/settings", "admin").get_json()["faq_url"] == "https://www.comune.prova.it/faq"
    cleared = api.call("PUT", "/admin/settings", "admin", json={"smtp": None, "app_io_keys": {"contributo": None}})
    assert cleared.get_json()["smtp"]["host"] is None and cleared.get_json()["app_io_services"] == []


def test_legal_pages_show_the_ente_text_made_safe(app: Flask) -> None:
    client = app.test_client()
    assert "non è ancora stato pubblicato" in client.get("/demo/note-legali").get_data(as_text=True)  # no draft
    # Written straight into the settings (not through the page): cleaned again when shown
    _settings(app, privacy_text=HOSTILE, legal_notes_text="Note del Comune.\n\nSecondo paragrafo.",
              accessibility_text="<h2>Stato di conformità</h2><p>Parzialmente conforme.</p>")
    privacy = client.get("/demo/privacy").get_data(as_text=True)
    assert "<strong>Comune</strong>" in privacy and "Garante" in privacy
    assert "steal()" not in privacy and "alert(" not in privacy and "tracker.example" not in privacy
    notes = client.get("/demo/note-legali").get_data(as_text=True)
    assert "<p>Note del Comune.</p><p>Secondo paragrafo.</p>" in notes
    assert "<h2>Stato di conformità</h2>" in client.get("/demo/accessibilita").get_data(as_text=True)


def test_faq_assistance_and_report_links_come_from_the_settings(app: Flask) -> None:
    client = app.test_client()
    citizen_login(client)
    form_page = "/demo/servizi/contributo/domanda"  # with the help box
    home = client.get(form_page).get_data(as_text=True)
    assert 'data-element="faq"' not in home and 'data-element="report-inefficiency"' not in home  # not set: left out
    assert "Richiedi assistenza" not in home
    # booking from the step, with the service and the way back to it (C.SE.2.2)
    booking = r'href="/demo/prenota-appuntamento\?[^"]*servizio=contributo[^"]*" data-element="appointment-booking"'
    assert re.search(booking, home)
    _settings(app, faq_url="https://www.comune.demo.it/faq", report_inefficiency_service="segnalazione",
              assistance_url="https://www.comune.demo.it/assistenza")
    page = client.get(form_page).get_data(as_text=True)
    assert '<a href="https://www.comune.demo.it/faq" data-element="faq">' in page
    assert '<a href="/demo/servizi/segnalazione" data-element="report-inefficiency">' in page
    assert '<a href="https://www.comune.demo.it/assistenza">' in page


def test_the_settings_page_saves_and_never_shows_secrets(app: Flask) -> None:
    assert logged_in(app, "manager").get("/demo/backoffice/impostazioni").status_code == 403
    client = logged_in(app, "admin")
    page = client.get("/demo/backoffice/impostazioni")
    assert page.status_code == 200 and "Impostazioni dell'ente" in page.get_data(as_text=True)
    token = csrf(client, "/demo/backoffice/impostazioni")
    form = {"csrf_token": token, "name": "Comune di Demo", "faq_url": "https://www.comune.demo.it/faq",
            "smtp-host": "smtp.comune.demo.it", "smtp-port": "465", "smtp-security": "ssl",
            "smtp-username": "demo", "smtp-password": PASSWORD, "app_io_keys-contributo": IO_KEY,
            "privacy_text": "<p>Informativa</p><script>x()</script>"}
    saved = client.post("/demo/backoffice/impostazioni", data=form)
    assert saved.status_code == 302
    again = client.get("/demo/backoffice/impostazioni").get_data(as_text=True)
    assert PASSWORD not in again and IO_KEY not in again
    assert "Una password è già salvata" in again and "Chiave salvata." in again
    assert "x()" not in again
    # Saving again with the password fields empty keeps them
    form.pop("smtp-password"), form.pop("app_io_keys-contributo")
    client.post(SETTINGS, data={**form, "csrf_token": csrf(client, SETTINGS)})
    with app.app_context():
        smtp = _tenant().settings["smtp"]
    assert smtp["password"] and smtp["security"] == "ssl" and smtp["port"] == 465
    # No CSRF token, no change
    assert client.post("/demo/backoffice/impostazioni", data={"name": "X"}).status_code == 400
    bad = client.post(SETTINGS, data={**form, "faq_url": "ftp://x", "csrf_token": csrf(client, SETTINGS)})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 102, 204)).save(out, "PNG")
    return out.getvalue()


def test_the_logo_is_png_or_jpeg_checked_by_content_and_served_by_us(app: Flask) -> None:
    client = logged_in(app, "admin")

    def upload(content: bytes, name: str) -> str:
        token = csrf(client, "/demo/backoffice/impostazioni")
        client.post(f"{SETTINGS}/logo", data={"csrf_token": token, "logo": (io.BytesIO(content), name)},
                    content_type="multipart/form-data")
        return client.get("/demo/backoffice/impostazioni").get_data(as_text=True)

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert "Logo non caricato" in upload(svg, "logo.svg")
    assert "Logo non caricato" in upload(b"\x89PNG\r\n\x1a\n" + b"<script>" * 10, "logo.png")  # only the magic bytes
    assert "Logo non caricato" in upload(_png((3000, 10)), "logo.png")
    assert app.test_client().get("/demo/logo").status_code == 404
    assert "Logo aggiornato" in upload(_png(), "logo.png")
    served = app.test_client().get("/demo/logo")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff" and served.data == _png()
    assert 'class="icon ente-logo"' in app.test_client().get("/demo/").get_data(as_text=True)
    # Removing it asks first
    assert "Rimuovi il logo" in client.get("/demo/backoffice/impostazioni/logo/rimuovi").get_data(as_text=True)
    token = csrf(client, "/demo/backoffice/impostazioni/logo/rimuovi")
    client.post("/demo/backoffice/impostazioni/logo/rimuovi", data={"csrf_token": token, "confirm": "1"})
    assert app.test_client().get("/demo/logo").status_code == 404


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    port = free_port()
    handler, controller = start_sink(port)
    yield handler, port
    controller.stop()


def test_the_ente_smtp_server_and_sender_carry_its_mail(app: Flask, make_app: Any,
                                                        sink: tuple[Sink, int]) -> None:
    handler, port = sink
    mail_app = make_app(MAIL_BACKEND="smtp", MAIL_PORT=free_port())  # the platform's server is down
    _settings(mail_app, email_sender="servizi@comune.demo.it", email_sender_name="Comune di Demo")
    api = Api(mail_app)
    own = {"host": "127.0.0.1", "port": port, "security": "none"}
    put = api.call("PUT", "/admin/settings", "admin", json={"smtp": own})
    assert put.status_code == 200
    client = logged_in(mail_app, "admin")
    token = csrf(client, "/demo/backoffice/impostazioni")
    client.post("/demo/backoffice/impostazioni/prova-email", data={"csrf_token": token, "recipient": "a@b.it"})
    assert "E-mail di prova inviata" in client.get("/demo/backoffice/impostazioni").get_data(as_text=True)
    assert [m["To"] for m in handler.messages] == ["a@b.it"]
    assert handler.messages[0]["From"] == "Comune di Demo <servizi@comune.demo.it>"

    app_id = submitted(api, "contributo")
    with mail_app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
        assert rows and all(row.status == "sent" for row in rows)
    received = [m for m in handler.messages if m["To"] == "mario.rossi@example.it"]
    assert received
    # The e-mail leads to the application it speaks about, which asks for a login first and then opens it
    body = received[0].get_content()
    link = f"http://127.0.0.1:5000/demo/pratiche/{app_id}"
    assert link in body
    anonymous = mail_app.test_client().get(link.removeprefix("http://127.0.0.1:5000"))
    assert anonymous.status_code == 302 and "accedi" in anonymous.location
    assert f"pratiche/{app_id}" in anonymous.location


def test_a_failing_ente_server_is_told_without_its_password(app: Flask, make_app: Any) -> None:
    mail_app = make_app(MAIL_BACKEND="smtp")
    api = Api(mail_app)
    server = {"host": "127.0.0.1", "port": free_port(), "security": "none", "username": "u", "password": PASSWORD}
    api.call("PUT", "/admin/settings", "admin", json={"smtp": server})
    client = logged_in(mail_app, "admin")
    token = csrf(client, "/demo/backoffice/impostazioni")
    client.post("/demo/backoffice/impostazioni/prova-email", data={"csrf_token": token, "recipient": "a@b.it"})
    page = client.get("/demo/backoffice/impostazioni").get_data(as_text=True)
    assert "E-mail di prova non inviata" in page and PASSWORD not in page


def test_email_texts_page_previews_and_saves(app: Flask) -> None:
    client = logged_in(app, "admin")
    api = Api(app)
    submitted(api, "contributo")
    url = "/demo/backoffice/impostazioni/email"
    source = "Avviso {{ app.service.name }}\nGentile {{ app.applicant_name }}, vedi {{ link }}"
    preview = client.post(url, data={"csrf_token": csrf(client, url), "t-status_change.it": source,
                                     "preview": "status_change.it"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Avviso Richiesta di contributo economico" in html
    assert "/demo/pratiche/" in html
    trick = "{{ app.__class__.__mro__[1].__subclasses__() }}"
    hostile = client.post(url, data={"csrf_token": csrf(client, url), "t-message.it": trick, "preview": "message.it"})
    assert hostile.status_code == 400 and "Popen" not in hostile.get_data(as_text=True)  # the sandbox refuses it
    broken = client.post(url, data={"csrf_token": csrf(client, url), "t-message.it": "{% if %}"})
    assert broken.status_code == 400 and "non è valido" in broken.get_data(as_text=True)
    saved = client.post(url, data={"csrf_token": csrf(client, url), "t-status_change.it": source})
    assert saved.status_code == 302
    assert api.get("/admin/settings", "admin").get_json()["email_templates"] == {"status_change.it": source}


def test_a_service_app_io_key_is_the_one_sent(app: Flask) -> None:
    api = Api(app)
    api.call("PUT", "/admin/settings", "admin", json={"app_io_keys": {"contributo": IO_KEY}})
    with app.app_context():
        from webapp.services.common.ente_settings import app_io_key
        assert app_io_key(_tenant(), "contributo") == IO_KEY
        assert app_io_key(_tenant(), "cdu") is None
    assert deliver  # the relay builds the channel with it (webapp/services/outbound/_relay.py)


def test_a_settings_change_is_audited_by_key_never_by_value(app: Flask) -> None:
    api = Api(app)
    changed = api.call("PUT", "/admin/settings", "admin", json={
        "faq_url": "https://www.comune.prova.it/faq",
        "smtp": {"host": "smtp.comune.prova.it", "port": 587, "security": "starttls", "username": "servizi",
                 "password": PASSWORD}})
    assert changed.status_code == 200, changed.get_json()
    refused = api.call("PUT", "/admin/settings", "admin", json={"faq_url": "javascript:alert(1)"})
    assert refused.status_code == 400
    with app.app_context():
        entries = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.event == "settings_changed")))
        assert len(entries) == 1  # the refused change wrote nothing
        text = str(entries[0].details)
        assert "faq_url" in text and "smtp" in text and PASSWORD not in text and "comune.prova.it" not in text
