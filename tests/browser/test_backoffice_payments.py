"""The back office's payment pieces in a real browser: the Approva modal with a deferred payment,
the Pagamenti tab and Registra pagamento, checked with axe."""

from __future__ import annotations

from tests.browser.test_backoffice_handling import _confirm, staff_login
from tests.conftest import assert_accessible
from tests.webapp.helpers import act, status, submitted


def _settled(page, modal: str) -> None:
    """Wait for the modal's fade-in: mid-animation colours are blended and fail the contrast rule."""
    previous = None
    for _ in range(50):  # polled from here: the page's CSP forbids evaluating strings in it
        opacity = page.locator(f"#{modal}").evaluate("element => getComputedStyle(element).opacity")
        backdrop = page.locator(".modal-backdrop").first.evaluate("element => getComputedStyle(element).opacity")
        if opacity == "1" and backdrop == previous:
            return
        previous = backdrop
        page.wait_for_timeout(100)
    raise AssertionError(f"{modal} never finished opening")


def test_deferred_payment_then_registered_by_the_office(live_server, page, api):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    base = staff_login(page, live_server, "operatore")
    page.goto(f"{base}/pratiche/{app_id}")
    dialog = _confirm(page, "Approva", "modal-accept")
    _settled(page, "modal-accept")
    assert_accessible(page)
    dialog.locator("#accept-payment-amount").fill("25,50")
    dialog.get_by_role("button", name="Invia").click()
    page.wait_for_load_state()
    assert status(api, app_id) == 1500
    page.goto(f"{base}/pratiche/{app_id}/pagamenti")
    assert page.get_by_text("€ 25,50").count() == 1
    assert_accessible(page)
    dialog = _confirm(page, "Registra pagamento", "modal-complete-payment")
    dialog.locator("textarea").fill("Pagato allo sportello, quietanza 12")
    dialog.get_by_role("button", name="Procedi").click()
    page.wait_for_load_state()
    assert status(api, app_id) == 7000
