"""C.SE.2.1, digital payment (ui.md §4).

"Every service that charges can be paid fully online (pagoPA)." Check: E2E against the pagoPA
simulator: a citizen applies for the CDU (diritti di segreteria at request), goes from the confirmation's
"Paga ora" to the notice, pays it on the pagoPA checkout with a card and comes back; the receipt reaches
the Comune and the application goes on to the office, with the ricevuta di pagamento to download; at
desktop and phone width. And every published service that charges does so through pagoPA notices.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

import connectors
from tests.agid.test_checker_selectors import send
from tests.browser.test_citizen_flow import login, tick
from tests.conftest import DESKTOP_AND_PHONE, SIMULATORS, assert_accessible
from tests.webapp.helpers import MARIO
from webapp.models import Tenant
from webapp.services import catalogue
from webapp.services.common.options import options_of


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_2_1_a_charging_service_is_paid_fully_online(live_server, page, api):
    SIMULATORS["pagopa"].app.receipt_url = f"{live_server}/demo/webhooks/pagopa"
    page.set_default_timeout(30_000)  # a long way through two sites, each redirect waited for
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/servizi/cdu")
    page.locator('[data-element="service-online-access"]').click()
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Avanti").click()  # the applicant's data are prefilled
    page.wait_for_url(re.compile(r"/passi/immobile$"))
    page.fill("#f-foglio", "12")
    page.fill("#f-particelle", "101, 102")
    tick(page, "f-uso")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/riepilogo$"))
    send(page)
    app_id = re.search(r"/pratiche/([0-9a-f-]{36})/", page.url).group(1)
    assert api.get(f"/applications/{app_id}", MARIO).get_json()["status"] == "1500"  # waiting for the payment
    assert_accessible(page)
    page.get_by_role("link", name="Paga ora").click()
    page.wait_for_url(re.compile(r"/area-personale/pagamenti$"))
    [payment] = api.get(f"/applications/{app_id}/payment", MARIO).get_json()
    assert page.get_by_text(payment["notice_number"]).count() == 1
    assert_accessible(page)
    tick(page, f"avviso-{payment['id']}")
    page.get_by_role("button", name="Paga con pagoPA").click()
    page.wait_for_url(re.compile(r"/checkout/c/"))  # pagoPA's checkout (the simulator)
    page.get_by_label("Numero della carta").fill(connectors.simulators.SUCCESS_CARD)
    page.get_by_label("Scadenza (MM/AA)").fill("12/30")
    page.get_by_label("Codice di sicurezza (CVV)").fill("123")
    page.get_by_role("button", name=re.compile("^Paga")).click()
    page.wait_for_url(re.compile(r"/demo/area-personale/pagamenti\?esito=ok"))
    assert_accessible(page)
    for _ in range(60):  # pagoPA's receipt comes to the Comune's webhook on its own time
        if int(api.get(f"/applications/{app_id}", MARIO).get_json()["status"]) >= 1900:
            break  # paid, and sent on to the office
        page.wait_for_timeout(500)
    assert int(api.get(f"/applications/{app_id}", MARIO).get_json()["status"]) >= 1900
    page.goto(f"{live_server}/demo/pratiche/{app_id}")
    assert page.locator("#pagamenti").get_by_text("Pagato", exact=True).count() == 1
    page.goto(f"{live_server}/demo/area-personale/pagamenti")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Scarica la ricevuta di pagamento")).first.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"


def test_c_se_2_1_every_charging_service_uses_pagopa(app: Flask) -> None:
    with app.app_context():
        tenant = Tenant.query.filter_by(slug="demo").one()
        charging = {s.slug: options_of(s.current_version).payment for s in catalogue.list_services(tenant)
                    if options_of(s.current_version).payment != "none"}
        assert "cdu" in charging  # at least the one paid above
        assert set(charging.values()) <= {"request", "release"}  # notices created on pagoPA (README)
        assert app.config["PAYMENT_CONNECTOR"] == "demo"  # the pagoPA connector, here its simulator
