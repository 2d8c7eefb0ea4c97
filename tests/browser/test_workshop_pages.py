"""Gestione servizi in a real browser: the service page, its confirmation dialog and a version's
differences are accessible (axe, WCAG 2.1 AA) at desktop and phone widths."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import assert_accessible

BASE = "/demo/backoffice/gestione-servizi/"


def _login(page, live_server: str, username: str = "admin") -> None:
    page.goto(f"{live_server}/demo/backoffice/login")
    page.fill("#username", username)
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()


def test_service_page_dialog_and_version_are_accessible(live_server, page):
    _login(page, live_server)
    page.goto(live_server + BASE + "contributo/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Richiesta di contributo economico")
    assert_accessible(page)
    page.get_by_role("link", name="Pubblica la bozza").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Una versione pubblicata non si modifica più")
    # axe measures contrast on what is painted: wait for the dialog's fade-in to end, or on a loaded
    # machine it can catch the buttons half transparent
    expect(page.locator("#confirm-publish")).to_have_css("opacity", "1")
    assert_accessible(page)
    dialog.get_by_role("button", name="Torna indietro").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="Differenze della versione 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versione 2")
    page.locator("details summary").first.click()
    assert_accessible(page)


def test_the_workshop_fits_a_phone(live_server, page):
    page.set_viewport_size({"width": 360, "height": 740})
    _login(page, live_server)
    for path in ("", "nuovo", "contributo/"):
        page.goto(live_server + BASE + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
        assert_accessible(page)
