"""The Registro di protocollo in a real browser, at desktop and phone width: empty, filled, filtered through
its form, and one application's Protocollo tab, each checked with axe."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_backoffice_handling import staff_login
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.helpers import act, submitted


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_the_register_is_usable_and_accessible(live_server, page, api):
    base = staff_login(page, live_server, "operatore")
    page.goto(f"{base}/protocollo")
    assert page.get_by_text("Registro vuoto").is_visible()
    assert_accessible(page)

    app_id = submitted(api, "accesso-atti")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "reject", "operatore", {"message": "Atti non detenuti dal Comune"})
    page.goto(f"{base}/protocollo")
    assert page.get_by_role("status").inner_text() == "2 registrazioni trovate"
    assert page.locator("tbody tr").count() == 2
    assert page.locator("tbody tr").first.locator("td[data-label=\"Fase\"]").inner_text() == "Esito"  # newest first
    assert page.locator("tbody tr").first.locator("td[data-label=\"Fase\"]").is_visible()  # also stacked
    assert_accessible(page)

    page.select_option("#stage", "application")
    page.get_by_role("button", name="Applica").click()
    page.wait_for_url(re.compile(r".*stage=application.*"))
    assert page.get_by_role("status").inner_text() == "1 registrazione trovata"
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Scarica CSV")).click()
    assert download.value.suggested_filename.endswith(".csv")
    page.get_by_role("link", name=re.compile("Richiesta di accesso agli atti")).click()
    page.wait_for_url(re.compile(rf".*/pratiche/{app_id}/protocollo$"))
    assert page.get_by_role("link", name=re.compile("Scarica PDF")).count() == 2
    assert_accessible(page)
