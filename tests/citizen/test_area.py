"""The Area personale: tabs, filters, detail with timeline, messages, withdrawal, integrations,
follow-up requests and the profile."""

from __future__ import annotations

import base64
import html as html_text
import io
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.citizen.helpers import LUCA, MARIO, PDF, login, post_form
from tests.webapp.helpers import accesso_atti_data, act, create, submitted
from webapp.extensions import db
from webapp.models import Application, User

ROME = ZoneInfo("Europe/Rome")


def _client(app, who=MARIO):
    client = app.test_client()
    login(client, who)
    return client


def _text(response) -> str:
    return html_text.unescape(response.get_data(as_text=True))


def test_tabs_are_links_and_filters_work(app, api):
    sent = submitted(api, "contributo")
    draft = create(api, "accesso-atti", accesso_atti_data())["id"]
    client = _client(app)
    page = _text(client.get("/demo/area-personale"))
    assert sent in page and "Completa" in page
    for tab in ("messaggi", "pagamenti", "documenti", "profilo"):
        assert f'href="/demo/area-personale/{tab}"' in page
    assert draft not in _text(client.get("/demo/area-personale?stato=inviate"))
    only_drafts = _text(client.get("/demo/area-personale?stato=bozza"))
    assert sent not in only_drafts and f"/demo/pratiche/{draft}/riprendi" in only_drafts
    assert sent not in _text(client.get("/demo/area-personale?servizio=accesso-atti"))
    assert "Non hai pagamenti" in _text(client.get("/demo/area-personale/pagamenti"))


def test_detail_shows_data_timeline_and_empty_states(app, api):
    app_id = submitted(api, "contributo")
    page = _text(_client(app).get(f"/demo/pratiche/{app_id}"))
    for expected in ("Iter della pratica", "Inviata", "Acquisita", "Spese scolastiche", "Nessun pagamento",
                     "Nessun appuntamento", "Ritira pratica"):
        assert expected in page, expected


def test_message_with_attachment_then_withdrawal(app, api):
    app_id = submitted(api, "contributo")
    client = _client(app)
    response = post_form(client, f"/demo/pratiche/{app_id}/messaggi",
                         {"message": "Ecco la ricevuta", "allegati": (io.BytesIO(PDF), "ricevuta.pdf")},
                         token_from=f"/demo/pratiche/{app_id}", content_type="multipart/form-data")
    assert response.status_code == 302
    messages = api.get(f"/applications/{app_id}/messages", "operatore").get_json()
    assert messages[-1]["message"] == "Ecco la ricevuta" and messages[-1]["attachments"][0]["name"] == "ricevuta.pdf"
    assert "ricevuta.pdf" in _text(client.get("/demo/area-personale/documenti"))
    assert "Ecco la ricevuta" in _text(client.get("/demo/area-personale/messaggi"))
    response = post_form(client, f"/demo/pratiche/{app_id}/ritira", {}, token_from=f"/demo/pratiche/{app_id}/ritira")
    assert response.status_code == 302
    page = _text(client.get(f"/demo/pratiche/{app_id}"))
    assert "Ritirata" in page and f"/pratiche/{app_id}/ritira" not in page


def test_withdrawal_refused_shows_the_reason(app, api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Manca l'ISEE aggiornato"})
    client = _client(app)
    page = _text(client.get(f"/demo/pratiche/{app_id}"))
    assert f"/pratiche/{app_id}/ritira" not in page
    assert "non può essere ritirata" in page
    response = post_form(client, f"/demo/pratiche/{app_id}/ritira", {}, token_from=f"/demo/pratiche/{app_id}")
    assert response.status_code == 409


def test_answering_an_integration_request(app, api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Indica l'ISEE corretto"})
    client = _client(app)
    assert "Rispondi alla richiesta di integrazioni" in _text(client.get(f"/demo/pratiche/{app_id}"))
    url = f"/demo/pratiche/{app_id}/integrazioni"
    fields = {"nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO, "email": "mario.rossi@example.it",
              "importo_richiesto": "300", "iban": "IT60X0542811101000000123456", "motivazione": "Spese scolastiche"}
    bad = post_form(client, url, {**fields, "isee": "-5", "message": "Ecco"})
    assert bad.status_code == 422 and "almeno 0" in _text(bad)
    forged = post_form(client, url, {**fields, "isee": "7000", "ruolo": "admin"})
    assert forged.status_code == 422 and "Campo non previsto" in _text(forged)
    good = post_form(client, url, {**fields, "isee": "7000", "message": "ISEE corretto",
                                   "allegati": (io.BytesIO(PDF), "isee.pdf")}, content_type="multipart/form-data")
    assert good.status_code == 302
    body = api.get(f"/applications/{app_id}", "operatore").get_json()
    assert body["data"]["isee"] == 7000 and body["status"] != 4200


def test_the_integration_page_shows_the_offices_latest_request(app, api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Manca la pagina 2 dell'ISEE"})
    act(api, app_id, "submit", MARIO, {"message": "Ecco la pagina 2"})
    act(api, app_id, "request-integration", "operatore", {
        "message": "Serve anche la ricevuta dell'affitto di marzo",
        "attachments": [{"name": "modello-ricevuta.pdf", "mime_type": "application/pdf",
                         "file": base64.b64encode(PDF).decode()}]})
    client = _client(app)
    page = _text(client.get(f"/demo/pratiche/{app_id}/integrazioni"))
    request_box = page.split("Rispondi alla richiesta di integrazioni</h1>")[1].split('<form method="post"')[0]
    assert "Serve anche la ricevuta dell'affitto di marzo" in request_box
    assert "Manca la pagina 2" not in request_box  # the latest request, not an earlier one
    assert datetime.now(ROME).strftime("%d/%m/%Y") in request_box  # the office's date, in Italian time
    link = re.search(r'href="([^"]+)">modello-ricevuta.pdf<', request_box)
    assert link, request_box
    download = client.get(link.group(1))
    assert download.status_code == 200 and download.data == PDF


def test_follow_up_starts_a_linked_application(app, api):
    original = submitted(api, "contributo")
    act(api, original, "assign", "operatore")
    act(api, original, "accept", "operatore", {"message": "Concesso"})
    client = _client(app)
    page = _text(client.get(f"/demo/pratiche/{original}"))
    assert "Richiedi rinnovo" in page and "Richiedi modifica" in page
    assert post_form(client, f"/demo/pratiche/{original}/seguito/voltura", {},
                     token_from=f"/demo/pratiche/{original}").status_code == 404  # not enabled
    response = post_form(client, f"/demo/pratiche/{original}/seguito/rinnovo", {},
                         token_from=f"/demo/pratiche/{original}")
    assert response.status_code == 302
    with app.app_context():
        new = db.session.scalar(db.select(Application).where(Application.parent_id == uuid.UUID(original)))
        old = db.session.get(Application, uuid.UUID(original))
        assert new.follow_up_kind == "rinnovo" and new.status == 1000
        assert new.data["iban"] == old.data["iban"] and "privacy" not in new.data
        assert old.status == 7000
    privacy = client.get(response.location, follow_redirects=True)
    assert "Informativa sulla privacy" in _text(privacy)


def test_profile_edits_contacts_and_addresses_but_not_spid_birth_data(app):
    client = _client(app, LUCA)
    page = _text(client.get("/demo/area-personale/profilo"))
    assert "Napoli" in page and 'name="birth_date"' not in page  # asserted by SPID: read-only
    forged = post_form(client, "/demo/area-personale/profilo", {"birth_date": "2000-01-01"})
    assert forged.status_code == 400
    bad = post_form(client, "/demo/area-personale/profilo", {"email": "x", "residence.postal_code": "12"})
    assert bad.status_code == 422 and "error-summary" in _text(bad)
    ok = post_form(client, "/demo/area-personale/profilo", {
        "email": "luca@example.it", "phone": "+39 320 0000000", "birth_country": "Italia",
        "domicile.address": "Via Chiaia 5", "domicile.postal_code": "80121", "domicile.city": "Napoli"})
    assert ok.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.fiscal_code == LUCA))
        assert user.email == "luca@example.it" and user.domicile["city"] == "Napoli"
        assert user.birth_date == "1990-03-15"


PROFILE = "/demo/area-personale/profilo"
_PROFILE_INPUT = re.compile(
    r'<input type="[a-z]+" class="form-control[^"]*" id="p-[^"]+" name="([^"]+)" value="([^"]*)"')


def _profile_values(page: str) -> dict[str, str]:
    """What the browser would post back: every text input of the profile form as shown."""
    return {name: html_text.unescape(value) for name, value in _PROFILE_INPUT.findall(page)}


def _profile_row(app, fiscal_code: str) -> dict:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.fiscal_code == fiscal_code))
        return {k: getattr(user, k) for k in ("email", "phone", "birth_country", "residence", "domicile")}


def test_an_unchanged_profile_saves_and_empty_fields_stay_empty(app):
    client = _client(app)  # Mario has no birth country and no domicile
    page = client.get(PROFILE).get_data(as_text=True)
    shown = _profile_values(page)
    assert "domicile.postal_code" in shown and "birth_country" in shown
    assert shown["birth_country"] == "" and shown["domicile.postal_code"] == "" and "None" not in page
    before = _profile_row(app, MARIO)
    unchanged = post_form(client, PROFILE, shown)
    assert unchanged.status_code == 302, _text(unchanged)
    assert _profile_row(app, MARIO) == before
    wrong = post_form(client, PROFILE, {**shown, "domicile.postal_code": "001"})
    text = _text(wrong)
    assert wrong.status_code == 422 and 'id="p-domicile-postal-code-error"' in text
    assert text.count("CAP non valido") == 2  # the field and the error summary; the empty CAPs are no error
    assert 'value="001"' in text and "None" not in text  # what was typed is kept, nothing invented


def test_a_refused_message_or_integration_says_the_files_must_be_chosen_again(app, api):
    app_id = submitted(api, "contributo")
    client = _client(app)
    note = "I file scelti non sono stati inviati: sceglili di nuovo."
    empty = post_form(client, f"/demo/pratiche/{app_id}/messaggi",
                      {"message": "", "allegati": (io.BytesIO(PDF), "ricevuta.pdf")},
                      token_from=f"/demo/pratiche/{app_id}", content_type="multipart/form-data")
    assert empty.status_code == 422 and note in _text(empty)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Indica l'ISEE corretto"})
    url = f"/demo/pratiche/{app_id}/integrazioni"
    fields = {"nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO, "email": "mario.rossi@example.it",
              "importo_richiesto": "300", "iban": "IT60X0542811101000000123456", "motivazione": "Spese scolastiche"}
    bad = post_form(client, url, {**fields, "isee": "-5", "allegati": (io.BytesIO(PDF), "isee.pdf")},
                    content_type="multipart/form-data")
    assert bad.status_code == 422 and note in _text(bad) and "almeno 0" in _text(bad)
    without_files = post_form(client, url, {**fields, "isee": "-5"})
    assert without_files.status_code == 422 and note not in _text(without_files)
