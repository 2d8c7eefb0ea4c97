"""C.SE.2.2, appointment booking (ui.md §4.12): "Booking is reachable from every step of every service. It
lets the citizen choose the office, date and time, give a topic and reason, and leave name and
contacts, and the logged-in name is pre-filled. E2E: a "Prenota appuntamento" link on every step page;
the booking steps of §3.6; the name is pre-filled."

At desktop and phone width: every step page and the summary of every demo service carry the help box's
"Prenota appuntamento" link, which opens the booking for that service and leads back to the step; the
booking started from a step has the five steps of §3.6 (the service's office preselected, the slots as
a radio list, the reason and details, the applicant pre-filled from the login, the summary), and its
confirmation shows what to bring, the office card and the rating.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.agid.test_c_se_1_8_steps import draft, every_service, logged_in, step_links
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.calendars import URP, open_every_day
from webapp.extensions import db
from webapp.models import Calendar, Office, OpeningHour, Service
from webapp.services.common.uow import unit_of_work

WHAT_TO_BRING = "Un documento di identità e l'ISEE in corso di validità"


def _booking_link(page: Any) -> Any:
    link = page.locator('[data-element="appointment-booking"]')
    expect(link).to_have_count(1)
    expect(link).to_be_visible()
    assert link.inner_text().strip() == "Prenota appuntamento"
    return link


def _office_for(app: Flask, slug: str) -> None:
    """The URP handles the service and says what to bring; another bookable office sorts before it."""
    with app.app_context(), unit_of_work():
        urp = db.session.scalar(db.select(Calendar).where(Calendar.title == URP))
        urp.what_to_bring = WHAT_TO_BRING
        office = db.session.get(Office, urp.office_id)
        office.services = [*office.services, db.session.scalar(db.select(Service).where(Service.slug == slug))]
        other = Calendar(tenant_id=urp.tenant_id, title="Ufficio Anagrafe", location="Via Verdi 2")
        other.opening_hours.append(OpeningHour(
            tenant_id=urp.tenant_id, name="Mattine", start_date=urp.opening_hours[0].start_date,
            end_date=urp.opening_hours[0].end_date, days_of_week=[1, 2, 3, 4, 5, 6, 7], begin_hour=time(9),
            end_hour=time(10), meeting_minutes=30, interval_minutes=0, meeting_queue=1, is_moderated=False))
        db.session.add(other)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_2_2_booking_link_on_every_step_of_every_service(app, api, live_server, page):
    slugs = every_service(app)
    logged_in(page, live_server)
    for slug in slugs:
        page.goto(f"{live_server}/demo/servizi/{slug}/domanda")  # the first step, before any draft
        _booking_link(page)
        assert_accessible(page)
        app_id = draft(api, slug)
        summary = f"/demo/pratiche/{app_id}/riepilogo"
        page.goto(live_server + summary)
        pages = [href for _title, href in step_links(page)] + [summary]
        for path in pages:
            page.goto(live_server + path)
            href = _booking_link(page).get_attribute("href")
            target = urlsplit(href)
            query = parse_qs(target.query)
            assert target.path == "/demo/prenota-appuntamento", href
            assert query["servizio"] == [slug] and query["torna"] == [path] and query["pratica"] == [app_id], href
            assert_accessible(page)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_2_2_booking_from_a_step_has_the_steps_and_the_name_prefilled(app, api, live_server, page):
    open_every_day(app)
    _office_for(app, "contributo")
    app_id = draft(api, "contributo")
    logged_in(page, live_server)
    step = f"{live_server}/demo/pratiche/{app_id}/riepilogo"
    page.goto(step)
    _booking_link(page).click()
    # 1. Luogo: the office handling the service comes preselected.
    page.get_by_role("heading", name="Luogo").wait_for()
    assert page.locator('.steppers-header li.active[aria-current="step"]').inner_text().startswith("Luogo")
    expect(page.get_by_role("radio", name=URP)).to_be_checked()
    expect(page.get_by_role("radio", name="Ufficio Anagrafe")).not_to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Avanti").click()
    # 2. Data e orario: a day, then the free slots as a radio list.
    page.get_by_role("heading", name="Data e orario").wait_for()
    assert URP in page.locator("main").inner_text()
    slots = page.locator('fieldset:has(legend:has-text("Appuntamenti disponibili")) input[type="radio"]')
    assert slots.count() >= 1
    assert_accessible(page)
    page.get_by_role("button", name="Avanti").click()
    # 3. Dettagli appuntamento: the reason (the service) and details.
    page.wait_for_url(re.compile(r"/dettagli"))
    assert page.locator("#service").input_value() == "contributo"
    page.fill("#user_message", "Chiarimenti sull'ISEE")
    assert_accessible(page)
    page.get_by_role("button", name="Avanti").click()
    # 4. Richiedente: pre-filled from the login.
    page.wait_for_url(re.compile(r"/richiedente$"))
    assert (page.locator("#name").input_value(), page.locator("#surname").input_value()) == ("Mario", "Rossi")
    assert page.locator("#email").input_value() == "mario.rossi@example.it"
    assert_accessible(page)
    page.get_by_role("button", name="Avanti").click()
    # 5. Riepilogo.
    page.wait_for_url(re.compile(r"/riepilogo$"))
    summary = page.locator("main").inner_text()
    for label in ("Ufficio", "Data e orario", "Dettagli appuntamento", "Richiedente"):
        assert label in summary
    assert "Chiarimenti sull'ISEE" in summary and "Mario Rossi" in summary
    assert_accessible(page)
    page.get_by_role("button", name="Conferma").click()
    # The confirmation: what to bring, the office card, the rating, the way back to the step.
    page.get_by_role("heading", name="Appuntamento confermato").wait_for()
    expect(page.get_by_role("heading", name="Cosa serve")).to_be_visible()
    assert page.locator('[data-testid="cosa-serve"]').inner_text().strip() == WHAT_TO_BRING
    card = page.locator('[data-element="office-card"]')
    card_text = card.inner_text()
    for part in (URP, "Piazza del Municipio 1", "urp@demo.example.it", "dalle 09:00 alle 10:00"):
        assert part in card_text, (part, card_text)
    expect(page.locator('[data-element="feedback"]')).to_have_count(1)
    expect(page.get_by_role("link", name="Aggiungi al tuo calendario")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Torna alla pagina da cui hai iniziato la prenotazione").click()
    page.wait_for_url(step)
    page.get_by_role("heading", name="Riepilogo", exact=True).wait_for()
