"""C.SE.1.7, rating (ui.md §4.7): "The rating component of §3.7 appears at the end of every flow, with
exactly those questions and answers. E2E: the `data-element` set is present and the follow-up switches
at 3 versus 4 stars."

Every flow the citizen can finish ends on a page with the component: the submission's confirmation,
the booking's confirmation, the integrations sent, the withdrawal, the payment back from pagoPA and a
task of the process completed by the citizen. Each is reached in the browser the way a citizen
reaches it, at desktop and phone width; the component is read by its data-elements as AgID's checker
does, the follow-up is seen to switch between 3 and 4 stars, and a rating sent from it is stored for
that flow (and service) for the statistics.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.agid.test_c_se_1_8_steps import draft, logged_in
from tests.browser.test_citizen_flow import tick
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.calendars import open_every_day
from tests.webapp.helpers import MARIO, act, submitted
from webapp.extensions import db
from webapp.models import Service, ServiceRating

TITLE = "Quanto è stato facile usare questo servizio?"
NEGATIVE = ("Dove hai incontrato le maggiori difficoltà?",
            ["A volte le indicazioni non erano chiare", "A volte le indicazioni non erano complete",
             "A volte non capivo se stavo procedendo correttamente", "Ho avuto problemi tecnici", "Altro"])
POSITIVE = ("Quali sono stati gli aspetti che hai preferito?",
            ["Le indicazioni erano chiare", "Le indicazioni erano complete",
             "Capivo sempre che stavo procedendo correttamente", "Non ho avuto problemi tecnici", "Altro"])


def _tag(locator: Any) -> str:
    return str(locator.evaluate("node => node.tagName.toLowerCase()"))


def _assert_component(page: Any) -> None:
    """The checker's reading of §3.7: one container, the h2 question, five star labels, the two fieldsets
    with their legend and answers, the text input; then 3 stars ask what was hard, 4 what was liked."""
    box = page.locator('[data-element="feedback"]')
    expect(box).to_have_count(1)
    title = box.locator('[data-element="feedback-title"]')
    assert _tag(title) == "h2" and title.inner_text().strip() == TITLE
    for star in range(1, 6):
        label = box.locator(f'[data-element="feedback-rate-{star}"]')
        expect(label).to_have_count(1)
        assert _tag(label) == "label"
    fieldsets = {}
    for kind, (question, answers) in (("negative", NEGATIVE), ("positive", POSITIVE)):
        fieldset = box.locator(f'[data-element="feedback-rating-{kind}"]')
        assert _tag(fieldset) == "fieldset"
        legend = fieldset.locator('[data-element="feedback-rating-question"]')
        assert _tag(legend) == "legend" and legend.inner_text().strip() == question
        labels = fieldset.locator('[data-element="feedback-rating-answer"]')
        assert [text.strip() for text in labels.all_inner_texts()] == answers
        fieldsets[kind] = fieldset
    assert _tag(box.locator('[data-element="feedback-input-text"]')) == "input"
    box.locator('[data-element="feedback-rate-3"]').click()
    expect(fieldsets["negative"]).to_be_visible()
    expect(fieldsets["positive"]).to_be_hidden()
    box.locator('[data-element="feedback-rate-4"]').click()
    expect(fieldsets["positive"]).to_be_visible()
    expect(fieldsets["negative"]).to_be_hidden()
    assert_accessible(page)


def _rate(page: Any, app: Flask, flow: str, service: str | None) -> None:
    """Send a 4-star rating from the page; it is stored for this flow and service."""
    box = page.locator('[data-element="feedback"]')
    box.locator('[data-element="feedback-rating-positive"] [data-element="feedback-rating-answer"]').first.click()
    box.locator('[data-element="feedback-input-text"]').fill("Tutto chiaro")
    box.get_by_role("button", name="Invia la valutazione").click()
    page.get_by_text("Grazie, il tuo parere ci aiuterà a migliorare il servizio!").wait_for()
    assert_accessible(page)
    with app.app_context():
        [rating] = db.session.scalars(db.select(ServiceRating)).all()
        slug = db.session.get(Service, rating.service_id).slug if rating.service_id else None
        assert (rating.flow, slug, rating.score, rating.answers, rating.comment) == (
            flow, service, 4, ["clear"], "Tutto chiaro")


def _ends_with_rating(page: Any, app: Flask, heading: str, flow: str, service: str | None) -> None:
    page.get_by_role("heading", name=heading).wait_for()
    _assert_component(page)
    _rate(page, app, flow, service)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_7_rating_ends_the_submission(app, api, live_server, page):
    app_id = submitted(api, "contributo")
    logged_in(page, live_server)
    page.goto(f"{live_server}/demo/pratiche/{app_id}/inviata")
    _ends_with_rating(page, app, "Richiesta inviata", "invio", "contributo")


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_7_rating_ends_the_booking(app, live_server, page):
    calendar_id = open_every_day(app)
    logged_in(page, live_server)
    page.goto(f"{live_server}/demo/prenota-appuntamento/{calendar_id}")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/dettagli"))
    page.select_option("#service", "accesso-atti")
    page.fill("#user_message", "Consultare una delibera")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/richiedente$"))
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Conferma").click()
    _ends_with_rating(page, app, "Appuntamento confermato", "prenotazione", "accesso-atti")


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_7_rating_ends_the_integrations_sent(app, api, live_server, page):
    app_id = submitted(api, "contributo")
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "request-integration", "operatore", {"message": "Indica l'ISEE corretto"})
    logged_in(page, live_server)
    page.goto(f"{live_server}/demo/pratiche/{app_id}/integrazioni")
    page.fill("#messaggio", "Ecco l'ISEE corretto")
    page.get_by_role("button", name="Invia integrazioni").click()
    _ends_with_rating(page, app, "Integrazioni inviate", "integrazione", "contributo")


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_7_rating_ends_the_withdrawal(app, api, live_server, page):
    app_id = submitted(api, "accesso-atti")
    logged_in(page, live_server)
    page.goto(f"{live_server}/demo/pratiche/{app_id}/ritira")
    page.get_by_role("button", name="Conferma il ritiro").click()
    _ends_with_rating(page, app, "Pratica ritirata", "ritiro", "accesso-atti")


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_7_rating_ends_the_payment(app, live_server, page):
    """pagoPA sends the citizen back to the Pagamenti tab with esito=ok: the payment flow ends there."""
    logged_in(page, live_server)
    page.goto(f"{live_server}/demo/area-personale/pagamenti?esito=ok")
    page.get_by_text("l'esito del pagamento ti sarà confermato").wait_for()
    _assert_component(page)
    _rate(page, app, "pagamento", None)
    page.goto(f"{live_server}/demo/area-personale/pagamenti")  # a plain visit is no flow's end
    expect(page.locator('[data-element="feedback"]')).to_have_count(0)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_7_rating_ends_a_task_completed_by_the_citizen(app, api, live_server, page):
    app_id = draft(api, "mensa-scolastica")
    act(api, app_id, "submit", MARIO)
    act(api, app_id, "assign", "scuola")
    act(api, app_id, "accept", "scuola", {"message": "Posto disponibile"})
    logged_in(page, live_server)
    page.goto(f"{live_server}/demo/area-personale")
    page.locator("#da-completare ~ ul a").first.click()
    page.wait_for_url(re.compile(f".*/pratiche/{app_id}/attivita/.*"))
    tick(page, page.locator('input[name="action"][value="fascia-massima"]').get_attribute("id"))
    page.get_by_role("button", name="Invia").click()
    _ends_with_rating(page, app, "Attività completata", "attivita", "mensa-scolastica")
