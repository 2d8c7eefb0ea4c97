"""Booking an appointment in a real browser, logged in: the details come from the identity; every
step passes axe (WCAG 2.1 A/AA); the booking ends in the Area personale."""

from __future__ import annotations

import re

from tests.browser.test_citizen_flow import login, tick
from tests.conftest import assert_accessible
from tests.webapp.calendars import open_every_day


def test_book_an_appointment_from_a_service_page(app, live_server, page):
    open_every_day(app)
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/servizi/contributo")
    page.get_by_role("button", name="Prenota appuntamento").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Scegli questo ufficio")).click()
    page.get_by_text("Appuntamenti disponibili").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Mostra gli orari").click()
    tick(page, "slot-2")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/dettagli"))
    assert page.locator("#service").input_value() == "contributo"  # the reason comes from the service page
    page.get_by_role("button", name="Avanti").click()  # no details: an error, tied to the field
    page.locator("#error-summary").wait_for()
    assert_accessible(page)
    page.fill("#user_message", "Chiarimenti sui requisiti ISEE")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/richiedente$"))
    assert page.locator("#name").input_value() == "Mario"  # once only: from the identity
    assert_accessible(page)
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/riepilogo$"))
    assert "Chiarimenti sui requisiti ISEE" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Conferma").click()
    page.get_by_role("heading", name="Appuntamento confermato").wait_for()
    assert_accessible(page)
    page.goto(f"{live_server}/demo/area-personale/appuntamenti")
    assert "Confermato" in page.locator("table").inner_text()
