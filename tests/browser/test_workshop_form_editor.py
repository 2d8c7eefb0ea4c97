"""The form editor in a real browser: an administrator adds a fiscal-code field through the visual editor,
sees it in the server's preview, tries a wrong value there and reads the citizen's Italian error, saves the
draft and finds the field again after reloading."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.conftest import assert_accessible

EDITOR = "/demo/backoffice/gestione-servizi/accesso-atti/moduli/domanda"


def _login(page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/demo/backoffice/login")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/backoffice/(?!login).*"))


def test_a_fiscal_code_field_added_visually_is_previewed_validated_and_saved(live_server, page):
    _login(page, live_server, "admin")
    page.goto(live_server + EDITOR)
    preview = page.locator("#fe-anteprima")
    expect(preview.locator("#f-codice-fiscale")).to_be_visible()  # the first preview, drawn by the server
    assert_accessible(page)

    second_step = page.locator(".fe-passo").nth(1)  # "Dati del richiedente"
    second_step.get_by_role("button", name="Aggiungi un campo").click()
    key = page.locator("#fe-c-campo_1-chiave")
    expect(key).to_be_focused()
    key.fill("cf_testimone")
    key.press("Tab")  # a key changes on leaving the box
    page.fill("#fe-c-cf_testimone-etichetta", "Codice fiscale del testimone")
    page.select_option("#fe-c-cf_testimone-formato", label="Codice fiscale")
    page.click('label[for="fe-c-cf_testimone-obbligatorio"]')  # Bootstrap Italia draws the box on the label
    assert json.loads(page.input_value("#fe-json"))["schema"]["properties"]["cf_testimone"] == {
        "type": "string", "title": "Codice fiscale del testimone", "maxLength": 200, "format": "codice-fiscale"}

    page.select_option("#fe-passo", label="Dati del richiedente")
    field = preview.locator("#f-cf-testimone")
    expect(field).to_be_visible()
    expect(preview.locator('label[for="f-cf-testimone"]')).to_have_text("Codice fiscale del testimone *")
    field.fill("RSSMRA80A01H501X")
    preview.get_by_role("button", name="Prova la validazione").click()
    expect(preview.locator("#f-cf-testimone-error")).to_have_text("Codice fiscale non valido")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(preview.locator("#f-cf-testimone")).to_have_value("RSSMRA80A01H501X")
    assert_accessible(page)

    page.get_by_role("button", name="Salva nella bozza").click()
    expect(page.locator("#fe-stato")).to_contain_text("Modulo salvato nella bozza.")
    page.reload()
    saved = json.loads(page.input_value("#fe-json"))
    assert "cf_testimone" in saved["ui"]["steps"][1]["fields"]
    assert "cf_testimone" in saved["schema"]["required"]
    expect(page.locator("#fe-c-cf_testimone-chiave")).to_have_count(1)  # the visual editor draws it again


def test_a_manager_reads_the_form_and_its_preview_but_cannot_change_them(live_server, page):
    _login(page, live_server, "manager")
    page.goto(live_server + EDITOR)
    expect(page.locator("#fe-anteprima #f-nome")).to_be_visible()
    expect(page.get_by_role("button", name="Salva nella bozza")).to_have_count(0)
    expect(page.locator("#fe-json")).to_have_attribute("readonly", "")
    expect(page.locator("#fe-titolo")).to_be_disabled()  # the visual editor's fieldset is disabled
    assert_accessible(page)


def test_a_conditional_field_and_the_json_view_stay_in_step_with_the_visual_editor(live_server, page):
    _login(page, live_server, "admin")
    page.goto(live_server + EDITOR)
    preview = page.locator("#fe-anteprima")
    expect(preview.locator("#f-nome")).to_be_visible()
    page.locator(".fe-passo").nth(1).get_by_role("button", name="Aggiungi un campo").click()
    page.fill("#fe-c-campo_1-etichetta", "Motivo della delega")
    page.select_option("#fe-c-campo_1-quando", label="Presenti la richiesta in qualità di")
    expect(page.locator("#fe-c-campo_1-valore")).to_have_value("diretto interessato")
    page.select_option("#fe-c-campo_1-valore", "delegato")
    blocks = json.loads(page.input_value("#fe-json"))["schema"]["allOf"]
    assert blocks[0]["then"]["properties"] == {"campo_1": True}  # optional, shown only for «delegato»

    page.select_option("#fe-passo", label="Dati del richiedente")
    expect(preview.locator("#f-nome")).to_be_visible()
    expect(preview.locator("#f-campo-1")).to_have_count(0)
    preview.locator('label[for="f-in-qualita-di-2"]').click()  # «delegato», as the citizen would answer
    expect(preview.locator("#f-campo-1")).to_be_visible()
    expect(preview.locator("#f-in-qualita-di-2")).to_be_checked()

    # The JSON view edits the same document: the visual editor follows, and a broken text gets the server's word.
    document = json.loads(page.input_value("#fe-json"))
    document["title"] = "Accesso agli atti, modulo rivisto"
    # a long text, and axe (run on every page) may hold the page for a while
    page.fill("#fe-json", json.dumps(document, ensure_ascii=False, indent=2), timeout=60_000)
    expect(page.locator("#fe-titolo")).to_have_value("Accesso agli atti, modulo rivisto")
    page.fill("#fe-json", '{"title": ')
    expect(page.locator("#fe-visuale")).to_contain_text("Il JSON non è leggibile")
    expect(preview.locator("#fe-problema")).to_contain_text("JSON non leggibile alla riga 1")
