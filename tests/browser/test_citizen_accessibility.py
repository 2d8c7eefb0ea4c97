"""axe (WCAG 2.1 A and AA) over every citizen page, logged out and logged in, error states included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_citizen_flow import login, tick
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.helpers import act, submitted

PUBLIC = ["/demo/servizi", "/demo/servizi?q=atti", "/demo/servizi/accesso-atti", "/demo/servizi/contributo",
          "/demo/accedi", "/demo/accedi/prova/spid", "/demo/accedi/prova/cie", "/demo/prenota-appuntamento"]
PERSONAL = ["/demo/area-personale", "/demo/area-personale?stato=inviate", "/demo/area-personale/messaggi",
            "/demo/area-personale/pagamenti", "/demo/area-personale/documenti", "/demo/area-personale/profilo",
            "/demo/area-personale/appuntamenti",
            "/demo/servizi/accesso-atti/domanda", "/demo/servizi/contributo/domanda"]
sizes = pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)  # axe at phone width too


def _check(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert page.locator("h1").count() == 1, url
    assert_accessible(page)


@sizes
@pytest.mark.parametrize("path", PUBLIC)
def test_public_citizen_pages(live_server, page, path):
    _check(page, live_server + path)


@sizes
def test_personal_pages_and_flow_pages(live_server, page, api):
    base = live_server
    login(page, base)
    page.wait_for_url(re.compile(r"/area-personale$"))
    for path in PERSONAL:
        _check(page, base + path)
    page.goto(base + "/demo/servizi/contributo/domanda")
    page.get_by_role("button", name="Avanti").click()  # privacy not ticked: error state
    page.locator("#error-summary").wait_for()
    assert_accessible(page)
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/richiedente$"))
    page.fill("#f-email", "non-una-email")
    page.get_by_role("button", name="Avanti").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page)
    page.fill("#f-email", "mario.rossi@example.it")
    page.get_by_role("button", name="Avanti").click()
    page.fill("#f-isee", "1000")
    page.get_by_role("button", name="Avanti").click()
    page.fill("#f-importo-richiesto", "100")
    page.fill("#f-iban", "IT60X0542811101000000123456")
    page.fill("#f-motivazione", "Affitto")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/riepilogo$"))
    assert_accessible(page)
    page.get_by_role("button", name="Conferma e invia").click()
    page.wait_for_url(re.compile(r"/inviata$"))
    assert_accessible(page)
    _rate_the_service(page)
    page.get_by_role("link", name="Vai alla pratica nell'area personale").click()
    assert_accessible(page)
    page.get_by_role("button", name="Invia messaggio").click()  # empty message: error state
    page.locator("#error-summary").wait_for()
    assert_accessible(page)
    page.goto(page.url.split("/messaggi")[0] + "/ritira")
    assert_accessible(page)


def _rate_the_service(page) -> None:
    """C.SE.1.7: two stars reveal only "where was it hard"; the answer is sent in place by htmx."""
    negative, positive = (page.locator(f'[data-element="feedback-rating-{kind}"]') for kind in ("negative", "positive"))
    page.locator('label[for="star2"]').click()
    expect(positive).to_be_hidden()
    expect(negative).to_be_visible()
    assert_accessible(page)
    page.locator('label[for="star5"]').click()
    expect(negative).to_be_hidden()
    expect(positive).to_be_visible()
    page.locator('label[for="answer-clear"]').click()
    page.fill("#feedback-comment", "Tutto chiaro")
    page.get_by_role("button", name="Invia la valutazione").click()
    page.get_by_text("Grazie, il tuo parere ci aiuterà a migliorare il servizio!").wait_for()
    assert_accessible(page)


@sizes
def test_profile_error_and_htmx_swap(live_server, page):
    base = live_server
    login(page, base)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(base + "/demo/area-personale/profilo")
    page.fill("#p-email", "sbagliata")
    page.get_by_role("button", name="Salva il profilo").click()
    page.locator("#error-summary").wait_for()
    assert_accessible(page)
    page.goto(base + "/demo/servizi/accesso-atti/domanda")
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/richiedente$"))
    tick(page, "f-in-qualita-di-2")
    page.locator("#f-delegante-nome").wait_for()  # the htmx swap brought the section in
    assert_accessible(page)
    tick(page, "f-in-qualita-di")
    page.locator("#f-delegante-nome").wait_for(state="detached")  # and takes it away again
    assert_accessible(page)


def test_the_integration_page_shows_what_the_office_asked(live_server, page, api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Manca l'attestazione ISEE aggiornata"})
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    _check(page, f"{live_server}/demo/pratiche/{app_id}/integrazioni")
    expect(page.get_by_role("region", name="La richiesta dell'ufficio")).to_contain_text(
        "Manca l'attestazione ISEE aggiornata")
