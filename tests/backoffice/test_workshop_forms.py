"""The form editor of a service's draft: the preview drawn by the citizen's own templates from the posted
document (broken documents give their message), sample answers with the citizen's Italian errors, saving
with the server's check and the draft's revision, and who may see or change what."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.backoffice.conftest import csrf, logged_in
from tests.webapp.tenants import WORKFLOWS, make_tenant

EDITOR = "/demo/backoffice/gestione-servizi/accesso-atti/moduli/domanda"
SHIPPED = (WORKFLOWS / "accesso-atti" / "forms" / "domanda.json").read_text(encoding="utf-8")
CSRF = re.compile(r'data-csrf="([^"]+)"')
REVISION = re.compile(r'data-revision="(\d+)"')


def _editor(client: Any, path: str = EDITOR) -> tuple[str, str, int]:
    """The editor page's HTML, its CSRF token and the draft's revision."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    return html, CSRF.search(html).group(1), int(REVISION.search(html).group(1))  # type: ignore[union-attr]


def _preview(client: Any, token: str, text: str, **body: Any) -> Any:
    return client.post(EDITOR + "/anteprima", json={"text": text, **body}, headers={"X-CSRFToken": token})


def _save(client: Any, token: str, text: str, revision: int) -> Any:
    return client.put(EDITOR, json={"text": text, "revision": revision}, headers={"X-CSRFToken": token})


def _textarea(html: str) -> str:
    import html as markup

    found = re.search(r'<textarea id="fe-json"[^>]*>(.*?)</textarea>', html, re.S)
    assert found
    return markup.unescape(found.group(1))


def _with(**changes: Any) -> str:
    document = json.loads(SHIPPED)
    for path, value in changes.items():
        node = document
        *parents, last = path.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    return json.dumps(document, ensure_ascii=False, indent=2)


@pytest.fixture
def admin(app) -> Any:
    return logged_in(app, "admin")


def test_the_editor_shows_the_draft_form_with_its_json(admin):
    html, _, _ = _editor(admin)
    assert json.loads(_textarea(html)) == json.loads(SHIPPED)
    assert 'id="fe-salva"' in html
    assert re.search(r"js/form-editor\.[0-9a-f]+\.js", html) and 'type="module"' in html
    assert "<script>" not in html and " style=" not in html  # CSP: data in attributes, script in a file


def test_the_preview_is_drawn_by_the_citizen_field_macros(admin):
    _, token, _ = _editor(admin)
    response = _preview(admin, token, SHIPPED)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for step in ("Informativa sulla privacy", "Dati del richiedente", "Dati della richiesta"):
        assert step in html  # every step, one after the other
    assert 'id="f-codice-fiscale" name="codice_fiscale"' in html
    assert 'autocomplete="given-name"' in html  # the citizen page's own details
    assert "Correggi" not in html and "is-invalid" not in html  # no errors before "Prova la validazione"
    assert 'id="f-delegante-nome"' not in html  # a conditional section stays closed until its answer

    one = _preview(admin, token, SHIPPED, step="richiedente").get_data(as_text=True)
    assert 'aria-current="step">Dati del richiedente' in one  # the citizen's stepper, on the chosen step
    assert 'id="f-atti-richiesti"' not in one


def test_a_conditional_section_opens_with_the_answer_that_shows_it(admin):
    _, token, _ = _editor(admin)
    html = _preview(admin, token, SHIPPED, step="richiedente",
                    answers=[["in_qualita_di", "delegato"]]).get_data(as_text=True)
    assert 'id="f-delegante-nome"' in html and 'id="f-documento-delega"' in html
    assert "is-invalid" not in html


@pytest.mark.parametrize(("text", "message"), [
    ("{\"title\": ", "JSON non leggibile alla riga 1"),
    ("[]", "il modulo deve essere un oggetto JSON"),
    (_with(schema__properties__codice_fiscale={"type": "string", "format": "codice-fiscal"}),
     "formati sconosciuti: codice-fiscal"),
    (_with(ui__steps=[{"id": "tutto", "title": "Tutto", "fields": ["nome"]}]), "campi non assegnati ad alcuno step"),
    (_with(schema__properties__nome=True), "il campo nome deve essere descritto da un oggetto"),
    ("{\"title\": \"x\\u0000\"}", "NUL"),
])
def test_a_broken_document_gives_its_message_in_place_of_the_preview(admin, text, message):
    _, token, _ = _editor(admin)
    response = _preview(admin, token, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="fe-problema"' in html and message in html, html


def test_sample_answers_get_the_italian_errors_the_citizen_would_see(admin):
    _, token, _ = _editor(admin)
    response = _preview(admin, token, SHIPPED, step="richiedente", validate=True,
                        answers=[["nome", "Mario"], ["codice_fiscale", "RSSMRA80A01H501X"], ["email", "mario@"],
                                 ["in_qualita_di", "delegato"], ["delegante.nome", "Anna"]])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html and "Correggi 6 errori" in html
    assert '<div class="invalid-feedback d-block" id="f-codice-fiscale-error">Codice fiscale non valido</div>' in html
    assert "Indirizzo email non valido" in html
    assert '<a href="#f-cognome">Cognome: Campo obbligatorio</a>' in html
    assert "Persona che ti ha delegato: Cognome: Campo obbligatorio" in html  # the open conditional section
    assert 'value="Mario"' in html  # the answers stay typed in

    good = [["nome", "Mario"], ["cognome", "Rossi"], ["codice_fiscale", "RSSMRA80A01H501U"],
            ["email", "mario.rossi@example.it"], ["in_qualita_di", "diretto interessato"]]
    fine = _preview(admin, token, SHIPPED, step="richiedente", validate=True, answers=good).get_data(as_text=True)
    assert 'id="fe-valido"' in fine and "error-summary" not in fine


def test_the_preview_needs_the_csrf_token(admin):
    _editor(admin)
    assert admin.post(EDITOR + "/anteprima", json={"text": SHIPPED}).status_code == 400
    assert admin.put(EDITOR, json={"text": SHIPPED, "revision": 1}).status_code == 400


def test_saving_stores_the_document_in_the_draft(admin):
    _, token, revision = _editor(admin)
    changed = _with(title="Accesso agli atti (nuovo modulo)")
    response = _save(admin, token, changed, revision)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["revision"] > revision
    html, _, now = _editor(admin)
    assert now == response.get_json()["revision"]
    assert json.loads(_textarea(html))["title"] == "Accesso agli atti (nuovo modulo)"


def test_a_stale_revision_is_refused_with_a_clear_message(admin):
    _, token, revision = _editor(admin)
    assert _save(admin, token, _with(title="Prima versione"), revision).status_code == 200
    late = _save(admin, token, _with(title="Seconda versione"), revision)  # still the revision it loaded
    assert late.status_code == 409
    assert "qualcun altro ha salvato la bozza nel frattempo" in late.get_json()["error"]
    assert json.loads(_textarea(_editor(admin)[0]))["title"] == "Prima versione"


def test_a_broken_document_is_refused_and_not_stored(admin):
    _, token, revision = _editor(admin)
    broken = _with(schema__properties__email={"type": "string", "format": "posta"})
    response = _save(admin, token, broken, revision)
    assert response.status_code == 422
    assert "Il modulo non è stato salvato" in response.get_json()["error"]
    assert "formati sconosciuti: posta" in response.get_json()["error"]
    html, _, now = _editor(admin)
    assert now == revision and json.loads(_textarea(html)) == json.loads(SHIPPED)


def test_a_manager_reads_and_previews_but_cannot_save(app):
    manager = logged_in(app, "manager")
    html, token, revision = _editor(manager)
    assert 'id="fe-salva"' not in html and 'data-editable=""' in html
    assert re.search(r'<textarea id="fe-json"[^>]* readonly>', html)
    assert _preview(manager, token, SHIPPED).status_code == 200
    refused = _save(manager, token, _with(title="Cambiato"), revision)
    assert refused.status_code == 403
    assert json.loads(_textarea(_editor(manager)[0]))["title"] == json.loads(SHIPPED)["title"]


def test_an_operator_is_told_nothing_is_there(app):
    operator = logged_in(app, "operatore")
    assert operator.get(EDITOR).status_code == 404
    token = csrf(operator, "/demo/backoffice/pratiche")
    headers = {"X-CSRFToken": token}
    assert operator.post(EDITOR + "/anteprima", json={"text": SHIPPED}, headers=headers).status_code == 404
    assert operator.put(EDITOR, json={"text": SHIPPED, "revision": 1}, headers=headers).status_code == 404


def test_forms_outside_the_folder_and_unknown_ones_are_not_edited_here(admin):
    assert admin.get("/demo/backoffice/gestione-servizi/accesso-atti/moduli/esito").status_code == 404  # _lifecycle
    assert admin.get("/demo/backoffice/gestione-servizi/accesso-atti/moduli/nessuno").status_code == 404
    assert admin.get("/demo/backoffice/gestione-servizi/nessuno/moduli/domanda").status_code == 404


def test_another_tenants_service_is_not_found(app, admin, tmp_path: Path):
    folder = tmp_path / "solo-altrove"
    shutil.copytree(WORKFLOWS / "_lifecycle", tmp_path / "_lifecycle")
    shutil.copytree(WORKFLOWS / "_fragments", tmp_path / "_fragments")
    shutil.copytree(WORKFLOWS / "accesso-atti", folder)
    manifest = folder / "service.yaml"
    manifest.write_text(manifest.read_text().replace("slug: accesso-atti", "slug: solo-altrove"))
    make_tenant(app, "altro", [folder])
    path = "/demo/backoffice/gestione-servizi/solo-altrove/moduli/domanda"
    assert admin.get(path).status_code == 404
    _, token, _ = _editor(admin)
    assert admin.post(path + "/anteprima", json={"text": SHIPPED}, headers={"X-CSRFToken": token}).status_code == 404
    assert admin.put(path, json={"text": SHIPPED, "revision": 1}, headers={"X-CSRFToken": token}).status_code == 404
    # and the demo's administrator is nobody in the other ente's back office
    assert admin.get("/altro/backoffice/gestione-servizi/solo-altrove/moduli/domanda").status_code == 302
