"""Booking an appointment in a real browser, logged in: the details come from the identity; every
step passes axe (WCAG 2.1 A/AA); the booking ends in the Area personale."""

from __future__ import annotations

import re
from datetime import date, timedelta

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
    tick(page, "ufficio")  # the one bookable office
    page.get_by_role("button", name="Avanti").click()
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


def test_book_without_logging_in_and_cancel(app, live_server, page):
    open_every_day(app)
    page.goto(f"{live_server}/demo/prenota-appuntamento")
    tick(page, "ufficio")  # the one bookable office
    page.get_by_role("button", name="Avanti").click()
    page.select_option("#giorno", (date.today() + timedelta(days=10)).isoformat())  # far enough to cancel
    page.get_by_role("button", name="Mostra gli orari").click()
    page.get_by_role("button", name="Avanti").click()  # the first free slot of the day is preselected
    page.wait_for_url(re.compile(r"/dettagli"))
    page.fill("#user_message", "Certificato di residenza")
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Avanti").click()  # nothing filled in: errors tied to the fields
    page.locator("#error-summary").wait_for()
    assert page.locator("#error-summary li").count() == 3
    assert_accessible(page)
    page.fill("#name", "Anna")
    page.fill("#surname", "Bianchi")
    page.fill("#email", "anna@example.it")
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Conferma").click()
    page.get_by_role("heading", name="Appuntamento confermato").wait_for()
    page.get_by_role("button", name="Disdici l'appuntamento").click()
    page.get_by_text("Appuntamento disdetto").wait_for()
    assert "Annullato" in page.locator('[data-testid="stato-appuntamento"]').inner_text()
    assert_accessible(page)


def test_rating_without_javascript_is_a_plain_form(app, browser, live_server, api):
    """The rating's no-JavaScript path: both follow-ups shown, the answer posted as a page."""
    from tests.webapp.helpers import submitted

    app_id = submitted(api, "contributo")
    context = browser.new_context(locale="it-IT", java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{live_server}/demo/accedi/prova/spid")
        plain.locator('label[for="id-RSSMRA80A01H501U"]').click()
        plain.get_by_role("button", name="Accedi").click()
        plain.goto(f"{live_server}/demo/pratiche/{app_id}/inviata")
        assert plain.locator('[data-element="feedback-rating-negative"]').is_visible()
        assert plain.locator('[data-element="feedback-rating-positive"]').is_visible()
        plain.locator('label[for="star4"]').click()
        plain.locator('label[for="answer-complete"]').click()
        plain.get_by_role("button", name="Invia la valutazione").click()
        plain.get_by_text("Grazie, il tuo parere ci aiuterà a migliorare il servizio!").wait_for()
        assert plain.locator("h1").inner_text() == "Valuta il servizio"
    finally:
        context.close()
