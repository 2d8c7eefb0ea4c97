"""The multi-step form on the server: prefill, steps, conditional sections, errors, drafts, submission."""

from __future__ import annotations

import html as html_text
import io
import json
import re
import uuid

from tests.citizen.helpers import MARIO, PDF, app_id_from, csrf, login, post_form
from tests.webapp.tenants import make_tenant, service_copy
from webapp.extensions import db
from webapp.models import Application, Attachment

APPLICANT = {"nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO, "email": "mario.rossi@example.it"}
DELEGATE = {"delegante.nome": "Anna", "delegante.cognome": "Verdi", "delegante.codice_fiscale": "VRDGPP85M41F205X"}


def _start(client, service="accesso-atti"):
    login(client, MARIO)
    response = post_form(client, f"/demo/servizi/{service}/domanda", {"privacy": "true", "action": "next"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return app_id_from(response.location)


def _app(app, app_id) -> Application:
    with app.app_context():
        row = db.session.get(Application, uuid.UUID(app_id))
        db.session.expunge(row)
        return row


def test_privacy_is_the_first_step_and_required(app):
    client = app.test_client()
    login(client, MARIO)
    response = post_form(client, "/demo/servizi/accesso-atti/domanda", {"action": "next"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'href="#f-privacy"' in html and 'aria-invalid="true"' in html


def test_applicant_step_is_prefilled_from_the_identity(app):
    client = app.test_client()
    app_id = _start(client)
    html = client.get(f"/demo/pratiche/{app_id}/passi/richiedente").get_data(as_text=True)
    assert 'value="Mario"' in html and f'value="{MARIO}"' in html and 'value="mario.rossi@example.it"' in html
    assert _app(app, app_id).data["codice_fiscale"] == MARIO


def test_conditional_section_only_when_delegate(app):
    client = app.test_client()
    app_id = _start(client)
    url = f"/demo/pratiche/{app_id}/passi/richiedente"
    assert "f-delegante-nome" not in client.get(url).get_data(as_text=True)
    preview = post_form(client, url + "/anteprima", {**APPLICANT, "in_qualita_di": "delegato"}, token_from=url)
    fragment = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'id="sezioni-condizionali"' in fragment and "f-delegante-nome" in fragment
    assert "is-invalid" not in fragment  # a preview shows no errors
    assert "in_qualita_di" not in _app(app, app_id).data  # and saves nothing
    missing = post_form(client, url, {**APPLICANT, "in_qualita_di": "delegato", "action": "next"})
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert 'href="#f-delegante-nome"' in html and 'href="#f-documento-delega"' in html


def test_delegate_with_pdf_then_summary_then_submit(app):
    client = app.test_client()
    app_id = _start(client)
    url = f"/demo/pratiche/{app_id}/passi/richiedente"
    response = post_form(client, url, {**APPLICANT, **DELEGATE, "in_qualita_di": "delegato", "action": "next",
                                       "documento_delega": (io.BytesIO(PDF), "delega.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/passi/richiesta")
    stored = _app(app, app_id).data["documento_delega"]
    with app.app_context():
        assert db.session.get(Attachment, uuid.UUID(stored)).original_filename == "delega.pdf"
    response = post_form(client, f"/demo/pratiche/{app_id}/passi/richiesta", {
        "atti_richiesti": "Delibera n. 12/2026 sul traffico", "motivazione": "Residente", "modalita_accesso": "visione",
        "action": "next"})
    assert response.location.endswith("/riepilogo")
    summary = client.get(f"/demo/pratiche/{app_id}/riepilogo").get_data(as_text=True)
    assert "delega.pdf" in summary and "Anna" in summary and "Conferma e invia" in summary
    sent = post_form(client, f"/demo/pratiche/{app_id}/invia", {}, token_from=f"/demo/pratiche/{app_id}/riepilogo")
    assert sent.location.endswith("/inviata")
    again = post_form(client, f"/demo/pratiche/{app_id}/invia", {}, token_from="/demo/area-personale")
    assert again.status_code == 302  # a double click submits once
    page = client.get(sent.location).get_data(as_text=True)
    assert app_id in page and "numero-protocollo" in page
    assert _app(app, app_id).status >= 3000


def test_switching_back_drops_the_conditional_data(app):
    client = app.test_client()
    app_id = _start(client)
    url = f"/demo/pratiche/{app_id}/passi/richiedente"
    post_form(client, url, {**APPLICANT, **DELEGATE, "in_qualita_di": "delegato", "action": "save"})
    assert "delegante" in _app(app, app_id).data
    post_form(client, url, {**APPLICANT, **DELEGATE, "in_qualita_di": "diretto interessato", "action": "next"})
    assert "delegante" not in _app(app, app_id).data


def test_save_draft_keeps_partial_data_and_resumes_there(app):
    client = app.test_client()
    app_id = _start(client, "contributo")
    post_form(client, f"/demo/pratiche/{app_id}/passi/richiedente", {**APPLICANT, "action": "next"})
    response = post_form(client, f"/demo/pratiche/{app_id}/passi/situazione", {"action": "save"})
    assert response.status_code == 302
    assert _app(app, app_id).last_compiled_step == "situazione"
    resumed = client.get(f"/demo/pratiche/{app_id}/riprendi")
    assert resumed.location.endswith("/passi/situazione")
    wrong = post_form(client, f"/demo/pratiche/{app_id}/passi/situazione", {"isee": "tanti", "action": "save"})
    assert wrong.status_code == 422 and "è atteso un numero" in wrong.get_data(as_text=True)
    later = client.get(f"/demo/pratiche/{app_id}/passi/richiesta")
    assert later.status_code == 302 and later.location.endswith("/passi/situazione")  # not reachable yet
    assert client.get(f"/demo/pratiche/{app_id}/riepilogo").status_code == 302


def test_italian_decimal_comma(app):
    client = app.test_client()
    app_id = _start(client, "contributo")
    post_form(client, f"/demo/pratiche/{app_id}/passi/richiedente", {**APPLICANT, "action": "next"})
    post_form(client, f"/demo/pratiche/{app_id}/passi/situazione", {"isee": "8.500,50", "action": "next"})
    assert _app(app, app_id).data["isee"] == 8500.5


def test_forged_field_is_refused(app):
    client = app.test_client()
    app_id = _start(client)
    url = f"/demo/pratiche/{app_id}/passi/richiedente"
    for forged in ({"is_admin": "1"}, {"motivazione": "campo di un altro passo"}, {"delegante.ruolo": "x"}):
        response = post_form(client, url, {**APPLICANT, "in_qualita_di": "diretto interessato", "action": "next",
                                           **forged})
        assert response.status_code == 400, forged
        assert "Campo non previsto dal modulo" in response.get_data(as_text=True)
    bad_enum = post_form(client, url, {**APPLICANT, "in_qualita_di": "sindaco", "action": "next"})
    assert bad_enum.status_code == 422 and "Scegli uno dei valori previsti" in bad_enum.get_data(as_text=True)
    assert "in_qualita_di" not in _app(app, app_id).data


def test_sent_application_is_no_longer_editable(app, api):
    client = app.test_client()
    app_id = _start(client, "contributo")
    for step, values in (("richiedente", APPLICANT), ("situazione", {"isee": "100"}),
                         ("richiesta", {"importo_richiesto": "50", "iban": "IT60X0542811101000000123456",
                                        "motivazione": "Affitto"})):
        post_form(client, f"/demo/pratiche/{app_id}/passi/{step}", {**values, "action": "next"})
    post_form(client, f"/demo/pratiche/{app_id}/invia", {}, token_from=f"/demo/pratiche/{app_id}/riepilogo")
    response = client.get(f"/demo/pratiche/{app_id}/passi/situazione")
    assert response.status_code == 302 and response.location.endswith(f"/pratiche/{app_id}")


def test_a_section_is_required_only_when_the_submitted_data_opens_it(app):
    """Conditions are evaluated on the data posted: a stale section's values never block, nor are kept."""
    client = app.test_client()
    app_id = _start(client)
    post_form(client, f"/demo/pratiche/{app_id}/passi/richiedente",
              {**APPLICANT, "in_qualita_di": "diretto interessato", "action": "next"})
    url = f"/demo/pratiche/{app_id}/passi/richiesta"
    request = {"atti_richiesti": "Delibera n. 12/2026 sul traffico", "motivazione": "Residente"}
    opened = post_form(client, url, {**request, "modalita_accesso": "copia conforme", "action": "next"})
    html = opened.get_data(as_text=True)
    assert opened.status_code == 422
    assert 'id="f-marca-da-bollo-identificativo"' in html and 'href="#f-marca-da-bollo-identificativo"' in html
    stale = post_form(client, url, {**request, "modalita_accesso": "visione", "action": "next",
                                    "marca_da_bollo.identificativo": "123"})  # left on the page, and wrong
    assert stale.status_code == 302 and stale.location.endswith("/riepilogo")
    assert "marca_da_bollo" not in _app(app, app_id).data


KEPT = re.compile(r'<input type="hidden" name="documento_delega" value="([0-9a-f-]{36})">')


def _delegate_step(client, app_id, **fields):
    url = f"/demo/pratiche/{app_id}/passi/richiedente"
    return post_form(client, url, {**APPLICANT, **DELEGATE, "in_qualita_di": "delegato", "action": "next", **fields},
                     content_type="multipart/form-data")


def _citizen_files(app, app_id) -> list[str]:
    with app.app_context():
        return sorted(a.original_filename for a in db.session.scalars(
            db.select(Attachment).where(Attachment.application_id == uuid.UUID(app_id))))


def test_a_file_is_kept_when_another_field_of_the_step_is_wrong(app):
    client = app.test_client()
    app_id = _start(client)
    failed = _delegate_step(client, app_id, **{"delegante.codice_fiscale": "SBAGLIATO",
                                               "documento_delega": (io.BytesIO(PDF), "delega.pdf")})
    html = failed.get_data(as_text=True)
    assert failed.status_code == 422 and 'href="#f-delegante-codice-fiscale"' in html
    assert "File già caricato" in html and "delega.pdf" in html and 'href="#f-documento-delega"' not in html
    assert "documento_delega" not in _app(app, app_id).data  # the step is not saved while it has errors
    kept = KEPT.search(html).group(1)
    fixed = _delegate_step(client, app_id, documento_delega=kept)  # the file input left empty
    assert fixed.status_code == 302 and fixed.location.endswith("/passi/richiesta")
    assert _app(app, app_id).data["documento_delega"] == kept and _citizen_files(app, app_id) == ["delega.pdf"]


def test_a_kept_file_can_be_replaced_or_removed(app):
    client = app.test_client()
    app_id = _start(client)
    _delegate_step(client, app_id, documento_delega=(io.BytesIO(PDF), "prima.pdf"))
    first = _app(app, app_id).data["documento_delega"]
    replaced = _delegate_step(client, app_id, **{"delegante.codice_fiscale": "SBAGLIATO",
                                                 "documento_delega": (io.BytesIO(PDF), "seconda.pdf")})
    assert replaced.status_code == 422 and "seconda.pdf" in replaced.get_data(as_text=True)
    assert _app(app, app_id).data["documento_delega"] == first  # the draft keeps its file until saved
    second = KEPT.search(replaced.get_data(as_text=True)).group(1)
    assert _delegate_step(client, app_id, documento_delega=second).status_code == 302
    assert _app(app, app_id).data["documento_delega"] == second
    assert _citizen_files(app, app_id) == ["seconda.pdf"]  # the office never sees the file taken back
    removed = _delegate_step(client, app_id, documento_delega=second, rimuovi="documento_delega")
    html = removed.get_data(as_text=True)
    assert removed.status_code == 422 and 'href="#f-documento-delega"' in html and "File già caricato" not in html
    forged = _delegate_step(client, app_id, documento_delega=str(uuid.uuid4()))  # not a file of this draft
    assert forged.status_code == 302 and _app(app, app_id).data["documento_delega"] == second


def test_a_refused_file_leaves_the_one_uploaded_before(app):
    client = app.test_client()
    app_id = _start(client)
    _delegate_step(client, app_id, documento_delega=(io.BytesIO(PDF), "delega.pdf"))
    kept = _app(app, app_id).data["documento_delega"]
    refused = _delegate_step(client, app_id, documento_delega=(io.BytesIO(b"MZ not a document"), "virus.pdf"))
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "non è di un tipo ammesso" in html
    assert KEPT.search(html).group(1) == kept and _citizen_files(app, app_id) == ["delega.pdf"]


def test_a_one_page_form_keeps_its_file_or_says_to_choose_it_again(app, tmp_path):
    """A form without steps has its file on the first page, before any draft exists to keep it in."""
    folder = service_copy(tmp_path, "accesso-atti", 1)
    form_file = folder / "forms" / "domanda.json"
    document = json.loads(form_file.read_text())
    del document["ui"]["steps"]
    form_file.write_text(json.dumps(document))
    make_tenant(app, "unapagina", [folder])
    client = app.test_client()
    token = csrf(client, "/unapagina/accedi/prova/spid")
    client.post("/unapagina/accedi/prova/spid", data={"csrf_token": token, "fiscal_code": MARIO})
    url = "/unapagina/servizi/accesso-atti/domanda"
    fields = {**APPLICANT, **DELEGATE, "privacy": "true", "in_qualita_di": "delegato", "action": "next",
              "atti_richiesti": "Delibera n. 12/2026 sul traffico", "motivazione": "Residente",
              "modalita_accesso": "visione"}
    wrong = post_form(client, url, {**fields, "delegante.codice_fiscale": "SBAGLIATO",
                                    "documento_delega": (io.BytesIO(PDF), "delega.pdf")},
                      content_type="multipart/form-data")
    assert wrong.status_code == 422
    assert "Scegli di nuovo il file" in html_text.unescape(wrong.get_data(as_text=True))
    sent = post_form(client, url, {**fields, "documento_delega": (io.BytesIO(PDF), "delega.pdf")},
                     content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    app_id = app_id_from(sent.location)
    assert _citizen_files(app, app_id) == ["delega.pdf"]
    with app.app_context():
        stored = db.session.get(Attachment, uuid.UUID(_app(app, app_id).data["documento_delega"]))
        assert stored.original_filename == "delega.pdf"
