"""The citizen's journey in a real browser: login, a multi-step form with a conditional section and an
upload, a validation error fixed, a draft resumed after logging out and in, submission, the Area
personale with its timeline, a message with an attachment, and withdrawal."""

from __future__ import annotations

import re

import pytest

from tests.citizen.helpers import PDF
from tests.conftest import assert_accessible

MARIO = "RSSMRA80A01H501U"


def tick(page, input_id: str) -> None:
    """Bootstrap Italia draws checkboxes and radios on their label: click it, as a person would."""
    page.locator(f'label[for="{input_id}"]').click()
    assert page.locator(f"#{input_id}").is_checked()


def login(page, base: str, fiscal_code: str = MARIO, method: str = "spid") -> None:
    page.goto(base + "/demo/accedi")
    page.get_by_role("link", name="Entra con SPID" if method == "spid" else "Entra con CIE").click()
    tick(page, f"id-{fiscal_code}")
    page.get_by_role("button", name="Accedi").click()


def logout(page) -> None:
    page.get_by_role("button", name="Esci").click()
    page.wait_for_url(re.compile(r"/demo/$"))


@pytest.fixture
def pdf_file(tmp_path):
    path = tmp_path / "delega.pdf"
    path.write_bytes(PDF)
    return path


def test_accesso_atti_as_delegate_draft_resume_submit(live_server, page, pdf_file):
    base = live_server
    page.goto(base + "/demo/servizi/accesso-atti")
    page.get_by_role("button", name="Richiedi online").click()
    page.get_by_role("link", name="Entra con CIE").click()
    tick(page, "id-" + MARIO)  # the test identity provider's page
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r"/demo/servizi/accesso-atti/domanda$"))  # back into the service (C.SE.1.1)
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/richiedente$"))
    assert page.locator("#f-nome").input_value() == "Mario"  # once only: prefilled from the identity
    assert page.locator("#f-codice-fiscale").input_value() == MARIO
    assert page.locator("#f-delegante-nome").count() == 0
    tick(page, "f-in-qualita-di-2")  # htmx brings in the conditional section
    page.locator("#f-delegante-nome").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Avanti").click()  # delegate data missing: errors
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Correggi" in summary.inner_text()
    assert page.locator("#f-delegante-nome").get_attribute("aria-invalid") == "true"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")  # focus moved
    assert_accessible(page)
    page.fill("#f-delegante-nome", "Anna")
    page.fill("#f-delegante-cognome", "Verdi")
    page.fill("#f-delegante-codice-fiscale", "VRDGPP85M41F205X")
    page.set_input_files("#f-documento-delega", str(pdf_file))
    page.get_by_role("button", name="Salva richiesta").click()  # a draft at step 2
    page.get_by_text("Richiesta salvata come bozza").wait_for()
    draft_url = page.url
    assert draft_url.endswith("/passi/richiedente")
    logout(page)
    login(page, base)
    page.goto(base + "/demo/area-personale?stato=bozza")
    page.get_by_role("link", name=re.compile("Completa")).first.click()
    page.wait_for_url(draft_url)  # resumed at the step saved, values kept
    assert page.locator("#f-delegante-nome").input_value() == "Anna"
    assert "delega.pdf" in page.content()
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/richiesta$"))
    page.fill("#f-atti-richiesti", "Verbale della commissione edilizia n. 4/2026")
    page.fill("#f-motivazione", "Tutela di un interesse della delegante")
    tick(page, "f-modalita-accesso")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/riepilogo$"))
    for text in ("Anna", "delega.pdf", "Verbale della commissione edilizia n. 4/2026"):
        assert text in page.content()
    page.get_by_role("button", name="Conferma e invia").click()
    page.wait_for_url(re.compile(r"/inviata$"))
    assert "Richiesta inviata" in page.locator("h1").inner_text()
    assert page.locator('[data-testid="numero-protocollo"]').count() == 1  # eager protocol registration
    page.get_by_role("link", name="Vai alla pratica nell'area personale").click()
    assert page.locator("#iter li").count() >= 3  # Inviata, Acquisita, Protocollata
    assert "Protocollata" in page.locator("#iter").inner_text()
    assert page.get_by_role("link", name="Ritira pratica").count() == 1


def test_message_with_attachment_and_withdrawal(live_server, page, pdf_file):
    base = live_server
    login(page, base)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(base + "/demo/servizi/contributo/domanda")
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Avanti").click()  # applicant data prefilled and valid
    page.wait_for_url(re.compile(r"/passi/situazione$"))
    page.fill("#f-isee", "8500,50")
    page.get_by_role("button", name="Avanti").click()
    page.fill("#f-importo-richiesto", "300")
    page.fill("#f-iban", "IT60X0542811101000000123456")
    page.fill("#f-motivazione", "Spese scolastiche")
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Conferma e invia").click()
    page.wait_for_url(re.compile(r"/inviata$"))
    page.get_by_role("link", name="Vai alla pratica nell'area personale").click()
    page.fill("#messaggio", "Allego la ricevuta delle spese.")
    page.set_input_files("#allegati-messaggio", str(pdf_file))
    page.get_by_role("button", name="Invia messaggio").click()
    page.get_by_text("Messaggio inviato all'ufficio.").wait_for()
    assert "Allego la ricevuta delle spese." in page.locator("#messaggi").inner_text()
    assert page.locator("#messaggi").get_by_role("link", name="delega.pdf").count() == 1
    page.get_by_role("link", name="Ritira pratica").click()
    page.get_by_role("button", name="Conferma il ritiro").click()
    page.get_by_text("La pratica è stata ritirata.").wait_for()
    assert page.locator('[data-element="feedback"]').count() == 1  # the withdrawal ends with the rating
    page.get_by_role("link", name="Vai alla pratica nell'area personale").click()
    assert "Ritirata" in page.locator("h1 + p").inner_text()
    assert page.get_by_role("link", name="Ritira pratica").count() == 0
