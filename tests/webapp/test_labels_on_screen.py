"""People read labels and Italian formats, never internal keys: the iter, the protocol tab, the
application's data (back office, citizen, receipt PDF), error pages and the demo mail page."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Flask
from pypdf import PdfReader

from tests.backoffice.conftest import logged_in
from tests.citizen.helpers import login
from tests.webapp.helpers import MARIO, accesso_atti_data, act, contributo_data, create
from webapp.extensions import db
from webapp.models import Application
from webapp.services.jobs import render_receipt

ISSUED = date.today() - timedelta(days=3)
STAMP = {"identificativo": "01234567890123", "data_emissione": ISSUED.isoformat()}


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def _accesso_conforme(api) -> str:
    app_id = create(api, "accesso-atti", accesso_atti_data(modalita_accesso="copia conforme",
                                                           marca_da_bollo=STAMP))["id"]
    act(api, app_id, "submit", MARIO)
    return str(app_id)


def test_iter_and_protocol_tab_name_the_steps(app: Flask, api) -> None:
    app_id = _accesso_conforme(api)
    client = logged_in(app, "operatore")
    iter_tab = _text(client.get(f"/demo/backoffice/pratiche/{app_id}/iter"))
    assert "Generazione della ricevuta della domanda" in iter_tab and "Protocollazione della domanda" in iter_tab
    for raw in ("Documents generate receipt", "documents_generate_receipt", "Protocol register application"):
        assert raw not in iter_tab
    protocol_tab = _text(client.get(f"/demo/backoffice/pratiche/{app_id}/protocollo"))
    assert "Domanda" in protocol_tab and "In entrata" in protocol_tab and "Protocollata" in protocol_tab
    for raw in ("protocol.register_application", "application", "registered"):
        assert raw not in protocol_tab


def test_application_data_reads_with_labels_and_italian_formats(app: Flask, api) -> None:
    app_id = _accesso_conforme(api)
    contributo = create(api, "contributo", contributo_data(isee=8500.5))["id"]
    act(api, contributo, "submit", MARIO)
    office = logged_in(app, "operatore")
    dati = _text(office.get(f"/demo/backoffice/pratiche/{app_id}"))
    assert "Marca da bollo: Data di emissione" in dati and ISSUED.strftime("%d/%m/%Y") in dati
    assert "data_emissione" not in dati and "identificativo:" not in dati and ISSUED.isoformat() not in dati
    citizen = app.test_client()
    login(citizen)
    for page in (_text(office.get(f"/demo/backoffice/pratiche/{contributo}")),
                 _text(citizen.get(f"/demo/pratiche/{contributo}"))):
        assert "8.500,5" in page and "8500.5" not in page and "8500,5" not in page
    assert ISSUED.strftime("%d/%m/%Y") in _text(citizen.get(f"/demo/pratiche/{app_id}"))


def test_receipt_pdf_follows_the_form(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data(isee=8500.5))["id"]
    act(api, app_id, "submit", MARIO)
    with app.app_context():
        pdf = render_receipt(db.session.get(Application, app_id))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Ho letto e compreso l'informativa sulla privacy: Sì" in text
    assert "Valore ISEE in corso di validità (euro): 8.500,5" in text
    assert "privacy: true" not in text and "isee:" not in text
    assert text.index("Nome: Mario") < text.index("Cognome: Rossi") < text.index("Codice fiscale")  # the form's order
    assert text.index("Dati del richiedente") < text.index("Situazione economica")


def test_error_pages_speak_italian(app: Flask) -> None:
    office = logged_in(app, "operatore")
    forbidden = office.get("/demo/area-personale")  # a staff account on the citizen's pages
    body = forbidden.get_data(as_text=True)
    assert forbidden.status_code == 403
    assert "permission" not in body and "Forbidden" not in body and "Non hai i permessi" in body
    api_405 = app.test_client().delete("/demo/api/services")
    assert api_405.status_code == 405 and api_405.get_json()["title"] == "Metodo non consentito"
    missing = app.test_client().get("/demo/api/nessuna-risorsa").get_json()
    assert missing["title"] == "Non trovato" and "URL" not in missing["description"]


def test_demo_mail_page_names_the_delivery_state(app: Flask, api) -> None:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    page = _text(app.test_client().get("/demo/posta-demo"))
    assert "· Inviata" in page and "· sent" not in page


def test_profile_shows_the_birth_date_the_italian_way(app: Flask) -> None:
    citizen = app.test_client()
    login(citizen)
    page = _text(citizen.get("/demo/area-personale/profilo"))
    assert "Data di nascita: 01/01/1980" in page and "Data di nascita: 1980-01-01" not in page
