"""The pages as AgID's checker (italia/pa-website-validator-ng) walks and reads them.

The checker is not published on npm (neither `pa-website-validator` nor `-ng`), so this test reads the
pages the way its audits do, by their data-element attributes: from the home page it follows the first
`[data-element="all-services"]` href to the services list, collects every `[data-element="service-link"]`
href there, and on each service page reads the title, description, status, topics, the breadcrumb
("Servizi" followed by the category), the page index with its sections in order and with content, the
responsible office (`service-area`, a link with a name) and the booking link (`appointment-booking`, an
`a` whose href it follows; the booking audit C.SI.2.1 also wants one on the services list). The
confirmation page (ui.md §3.4) links the receipt PDF, "Scarica la ricevuta (PDF, n KB)", and shows the
help and contacts box.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.browser.test_citizen_flow import login
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.helpers import accesso_atti_data, create
from webapp.models import Tenant
from webapp.services import catalogue

# The page index entries the checker requires, in this order, each with the data-element of its content.
INDEX = [("A chi è rivolto", ["service-addressed"]), ("Come fare", ["service-how-to"]),
         ("Cosa serve", ["service-needed"]), ("Cosa si ottiene", ["service-achieved"]),
         ("Tempi e scadenze", ["service-calendar-text", "service-calendar-list"]),
         ("Accedi al servizio", ["service-online-access", "service-booking-access", "service-generic-access"]),
         ("Condizioni di servizio", ["service-file"]), ("Contatti", ["service-area"])]
TEXTUAL = {"service-addressed", "service-how-to", "service-needed", "service-achieved"}


def send(page: Any) -> None:
    """Conferma e invia on the summary, on to the confirmation. Sending registers the protocol and makes
    the receipt before it answers, which takes a while on a loaded machine: the click waits longer."""
    page.set_default_timeout(60_000)
    page.get_by_role("button", name="Conferma e invia").click()
    page.wait_for_url(re.compile(r"/inviata$"))
    page.set_default_timeout(10_000)


def hrefs(page: Any, element: str) -> list[str]:
    """The absolute hrefs of the elements carrying `element`, as the checker reads them (el.href)."""
    return list(page.eval_on_selector_all(f'[data-element="{element}"]', "els => els.map(el => el.href)"))


def published(app: Flask) -> set[str]:
    with app.app_context():
        tenant = Tenant.query.filter_by(slug="demo").one()
        return {s.slug for s in catalogue.list_services(tenant)}


def check_service_page(page: Any, url: str) -> None:
    page.goto(url)
    text = {name: page.locator(f'[data-element="{name}"]').first.inner_text().strip()
            for name in ("service-title", "service-description")}
    assert all(len(value) >= 3 for value in text.values()), (url, text)
    assert page.locator('[data-element="service-status"]').count() == 1
    assert page.locator('[data-element="service-topic"]').count() >= 1
    crumbs = [re.sub(r"[^a-z0-9 ]", "", li.lower()).strip()
              for li in page.locator('[data-element="breadcrumb"] li').all_inner_texts()]
    assert "servizi" in crumbs and len(crumbs[crumbs.index("servizi") + 1]) >= 3, crumbs
    index = [a.strip() for a in page.locator('[data-element="page-index"] > li > a').all_inner_texts()]
    assert [entry for entry in index if entry in dict(INDEX)] == [title for title, _ in INDEX], index
    for title, elements in INDEX:
        found = page.locator(", ".join(f'[data-element="{element}"]' for element in elements))
        assert found.count() >= 1, (url, title)
        if elements[0] in TEXTUAL:
            assert len(found.first.inner_text().strip()) >= 3, (url, title)
    area = page.locator('[data-element="service-area"]')
    assert area.first.evaluate("el => el.tagName") == "A"
    assert len(area.first.inner_text().strip()) >= 3 and area.first.get_attribute("href")
    [booking, *_] = hrefs(page, "appointment-booking")
    assert page.locator('[data-element="appointment-booking"]').first.evaluate("el => el.tagName") == "A"
    assert_accessible(page)
    page.goto(booking)  # the checker follows it: the booking flow's first step
    assert page.locator("h1").first.inner_text().strip()


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_a_crawler_walks_from_the_home_page_to_every_service(app, live_server, page):
    page.goto(f"{live_server}/demo/")
    from_home = set(hrefs(page, "service-link"))
    [services_list, *_] = hrefs(page, "all-services")
    assert_accessible(page)
    page.goto(services_list)
    assert page.url.rstrip("/").endswith("/demo/servizi")
    links = hrefs(page, "service-link")
    assert len(links) == len(set(links))
    assert {link.rsplit("/", 1)[1] for link in links} == published(app)  # every service, each once
    assert from_home <= set(links)
    assert page.locator('[data-element="appointment-booking"]').first.evaluate("el => el.tagName") == "A"
    assert hrefs(page, "appointment-booking")[0].startswith(live_server)
    assert_accessible(page)
    for link in links:
        check_service_page(page, link)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_the_responsible_office_is_a_link_to_its_contacts(live_server, page):
    page.goto(f"{live_server}/demo/servizi/occupazione-suolo")
    offices = page.locator('#contatti [data-element="service-area"]')
    assert offices.count() >= 1
    for i in range(offices.count()):
        assert re.match(r"^(mailto:|/demo/)", offices.nth(i).get_attribute("href") or "")
    assert_accessible(page)


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_the_confirmation_links_the_receipt_and_shows_help_and_contacts(live_server, page, api):
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/pratiche/{app_id}/riepilogo")
    send(page)
    receipt = page.get_by_role("link", name=re.compile(r"^Scarica la ricevuta \(PDF, [\d,]+ (KB|byte)\)$"))
    assert receipt.count() == 1
    help_box = page.locator('section[aria-labelledby="assistenza"]')
    assert help_box.get_by_role("heading").inner_text().strip()
    assert help_box.locator('a[data-element="appointment-booking"]').count() == 1
    assert_accessible(page)
    with page.expect_download() as download:
        receipt.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
