"""A full handling in a real browser: log in, filter, take in charge, request integrations, accept them
after the citizen answered (through the API), approve with a message and a document; every page passes axe."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.layout import menu_link
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.calendars import open_every_day
from tests.webapp.helpers import MARIO, status, submitted

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def staff_login(page, live_server: str, username: str) -> str:
    """Log in to the demo back office through its page; returns the back office's base URL."""
    base = f"{live_server}/demo/backoffice"
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/pratiche.*"))
    return base


def _confirm(page, button: str, modal: str) -> None:
    page.get_by_role("button", name=button, exact=True).first.click()
    dialog = page.locator(f"#{modal}")
    dialog.wait_for(state="visible")
    return dialog


def test_full_handling_in_the_browser(live_server, page, api):
    app_id = submitted(api, "contributo")
    base = f"{live_server}/demo/backoffice"
    page.goto(f"{base}/pratiche")
    assert page.url.startswith(f"{base}/login")
    assert_accessible(page)
    page.fill("#username", "Operatore")
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/pratiche.*"))
    assert_accessible(page)

    page.select_option("#service", "contributo")
    page.select_option("#handling", "waiting")
    page.select_option("#period", "today")
    page.get_by_role("button", name="Applica", exact=True).click()
    page.wait_for_url(re.compile(r".*service=contributo.*"))
    assert page.locator("tbody tr").count() == 1
    page.locator(f'a[href$="/pratiche/{app_id}"]').click()
    page.wait_for_url(re.compile(f".*/pratiche/{app_id}$"))
    assert_accessible(page)

    dialog = _confirm(page, "Prendi in carico", "modal-take")
    dialog.get_by_role("button", name="Prendi in carico").click()
    page.get_by_text("Pratica presa in carico.").wait_for()
    assert status(api, app_id) == 4000

    dialog = _confirm(page, "Richiedi integrazioni", "modal-request-integration")
    dialog.locator("textarea").fill("Allegare l'attestazione ISEE aggiornata")
    dialog.locator('input[type="file"]').set_input_files(
        files=[{"name": "richiesta.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    dialog.get_by_role("button", name="Invia richiesta di integrazione").click()
    page.get_by_text("Richiesta di integrazioni inviata.").wait_for()
    assert status(api, app_id) == 4200

    answer = {"message": "Ecco l'ISEE aggiornato", "attachments": [
        {"name": "isee.pdf", "mime_type": "application/pdf", "file": base64.b64encode(PDF).decode()}]}
    assert api.post(f"/applications/{app_id}/messages", MARIO, json=answer).status_code == 201
    page.get_by_role("link", name="Messaggi").click()
    page.get_by_text("Ecco l'ISEE aggiornato").wait_for()
    assert_accessible(page)

    dialog = _confirm(page, "Accetta integrazioni", "modal-accept-integration")
    dialog.get_by_role("button", name="Accetta integrazioni").click()
    page.get_by_text("Integrazioni accettate.").wait_for()

    dialog = _confirm(page, "Approva", "modal-accept")
    dialog.locator("textarea").fill("Il contributo è concesso.")
    dialog.locator('input[name="response"]').set_input_files(
        files=[{"name": "esito.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    dialog.get_by_role("button", name="Invia").click()
    page.get_by_text("Pratica approvata.").wait_for()
    assert status(api, app_id) == 7000
    assert_accessible(page)

    page.get_by_role("link", name="Documenti").click()
    assert page.get_by_role("link", name="esito.pdf").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Iter").click()
    assert_accessible(page)
    page.goto(f"{base}/statistiche")
    page.locator("canvas").first.wait_for()
    assert_accessible(page)

    listed = api.get("/backoffice/applications?service=contributo&handling=mine", "operatore").get_json()
    assert [(row["id"], row["status"]) for row in listed["data"]] == [(app_id, "7000")]
    page_rows = page.goto(f"{base}/pratiche?service=contributo&handling=mine")
    assert page_rows.status == 200 and page.locator(f'a[href$="/pratiche/{app_id}"]').count() == 1


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_manager_pages_are_accessible(live_server, page):
    base = staff_login(page, live_server, "manager")
    for path in ("/servizi", "/operatori", "/operatori/nuovo", "/calendari", "/calendari/notifiche",
                 "/password-dimenticata"):
        page.goto(base + path)
        assert page.locator("h1").count() == 1
        assert_accessible(page)
    page.goto(f"{base}/operatori/nuovo")
    page.get_by_role("button", name="Salva").click()
    page.locator("#error-summary").wait_for()
    expect(page.locator("#error-summary")).to_be_focused()  # focus moves there once the page's script ran
    assert_accessible(page)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_calendar_pages_are_accessible(app, live_server, page):
    base = staff_login(page, live_server, "admin")
    menu_link(page, "Calendari").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Modifica Ufficio Relazioni")).click()
    assert page.locator("h1").inner_text().startswith("Modifica")
    assert page.locator("#orari tbody tr").count() == 1 and "Festività natalizie" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="Aggiungi orario di apertura").click()
    assert_accessible(page)
    page.fill("#name", "")
    page.get_by_role("button", name="Salva").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page)
    open_every_day(app)  # whatever today's date, the next days have free slots
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="Vedi gli appuntamenti").click()
    assert_accessible(page)  # the empty agenda
    page.get_by_role("link", name="Crea appuntamento").click()
    page.fill("#giorno", (date.today() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Mostra gli orari").click()
    for field, value in (("#name", "Luigi"), ("#surname", "Neri"), ("#email", "luigi@example.it"),
                         ("#user_message", "Al telefono")):
        page.fill(field, value)
    assert_accessible(page)
    page.get_by_role("button", name="Crea appuntamento").click()
    page.get_by_text("Appuntamento creato").wait_for()
    page.fill("#dal", (date.today() + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Cerca").click()
    assert "Luigi Neri" in page.locator("table").inner_text()
    assert_accessible(page)  # a row with its actions
    page.get_by_role("link", name="Sposta Luigi Neri").click()
    page.get_by_role("heading", name="Sposta appuntamento").wait_for()
    assert_accessible(page)
    page.goto(f"{base}/calendari/nuovo")
    page.fill("#rolling_days", "0")
    page.get_by_role("button", name="Salva").click()
    page.locator("#error-summary").wait_for()
    assert page.locator("#error-summary li").count() == 2  # the title and the horizon
    assert_accessible(page)
    page.fill("#title", "Ufficio Tributi")
    page.fill("#rolling_days", "45")
    page.get_by_role("button", name="Salva").click()
    page.get_by_text("Calendario «Ufficio Tributi» creato.").wait_for()
    assert_accessible(page)
