"""Paying in a real browser: Area personale → Pagamenti → the pagoPA checkout → back, paid."""

from __future__ import annotations

import re

import connectors
from tests.browser.test_citizen_flow import login, tick
from tests.conftest import SIMULATORS, assert_accessible
from tests.webapp.helpers import MARIO, act, contributo_data, create


def _approved_with_payment_due(api) -> str:
    app_id = create(api, "contributo", contributo_data())["id"]
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso", "payment": {"amount": 2500}})
    return app_id


def test_pay_a_due_notice_through_the_checkout(live_server, page, api):
    SIMULATORS["pagopa"].app.receipt_url = f"{live_server}/demo/webhooks/pagopa"
    app_id = _approved_with_payment_due(api)
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    login(page, live_server)
    page.goto(f"{live_server}/demo/area-personale/pagamenti")
    assert page.get_by_text(payment["notice_number"]).count() == 1
    assert_accessible(page)
    tick(page, f"avviso-{payment['id']}")
    page.get_by_role("button", name="Paga con pagoPA").click()
    page.wait_for_url(re.compile(r"/checkout/c/"))  # the pagoPA checkout (the simulator)
    page.get_by_label("Numero della carta").fill(connectors.simulators.SUCCESS_CARD)
    page.get_by_label("Scadenza (MM/AA)").fill("12/30")
    page.get_by_label("Codice di sicurezza (CVV)").fill("123")
    page.get_by_role("button", name=re.compile("^Paga")).click()
    page.wait_for_url(re.compile(r"/demo/area-personale/pagamenti\?esito=ok"))
    assert page.get_by_text("l'esito del pagamento ti sarà confermato").count() == 1
    assert_accessible(page)
    page.goto(f"{live_server}/demo/pratiche/{app_id}")
    assert page.locator("#pagamenti").get_by_text("Pagato", exact=True).count() == 1
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "7000"


def test_notice_pdf_for_paying_offline(live_server, page, api):
    app_id = _approved_with_payment_due(api)
    login(page, live_server)
    page.goto(f"{live_server}/demo/pratiche/{app_id}")
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("#pagamenti").get_by_role("link", name="Scarica avviso (paga offline)").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
