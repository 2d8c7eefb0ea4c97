"""C.SE.1.8, steps and navigation (ui.md §4.8): "Every step shows the steps and the current one, and the
user can go back and change data. E2E: the stepper is present on every step; clicking a confirmed
step, or "Modifica" on the summary, opens it with the saved values."

For every service of the demo ente, a complete draft is opened in the browser at desktop and phone
width: the summary and every step show the stepper with the current step marked; each confirmed step
of the stepper, and each "Modifica" of the summary, opens that step with the values saved in it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.test_citizen_flow import login
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.helpers import MARIO, accesso_atti_data, contributo_data, create
from webapp.services import catalogue
from webapp.services.common.tenancy import get_tenant

CITIZEN = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
           "email": "mario.rossi@example.it"}
# A complete draft of every demo service: all its steps valid, so all are confirmed.
DRAFTS: dict[str, dict[str, Any]] = {
    "accesso-atti": accesso_atti_data(),
    "cdu": {**CITIZEN, "foglio": "12", "particelle": "101, 102", "uso": "compravendita"},
    "contributo": contributo_data(),
    "mensa-scolastica": {**CITIZEN, "alunno_nome": "Luca", "alunno_cognome": "Bianchi",
                         "alunno_codice_fiscale": "BNCLCU90C15F839M", "scuola": "primaria_collodi", "classe": "3A",
                         "dieta": "standard"},
    "occupazione-suolo": {**CITIZEN, "indirizzo": "Via Roma 1", "superficie_mq": 20, "data_inizio": "2027-06-01",
                          "data_fine": "2027-06-10", "finalita": "trasloco", "su_carreggiata": False},
    "segnalazione": {"privacy": True, "categoria": "buca_stradale", "descrizione": "Una buca davanti al civico 3",
                     "luogo": "Via Roma 3", "anonima": False},
}


PHONE_BELOW = 992  # px: Bootstrap Italia's stepper lists every step from the lg breakpoint up


def every_service(app: Flask) -> list[str]:
    """The slugs of the ente's services, checked to be those DRAFTS covers (a new one needs its draft)."""
    with app.app_context():
        slugs = sorted(s.slug for s in catalogue.list_services(get_tenant("demo")))
    assert slugs == sorted(DRAFTS), "every service needs a complete draft in DRAFTS"
    return slugs


def logged_in(page: Any, live_server: str) -> None:
    """Mario logged in through the test identity provider, in the Area personale."""
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))


def draft(api: Any, slug: str) -> str:
    return str(create(api, slug, DRAFTS[slug])["id"])


def step_links(page: Any) -> list[tuple[str, str]]:
    """(title, href) of the stepper's confirmed steps: the links back."""
    links = page.locator(".steppers-header li.confirmed a")
    return [(links.nth(i).inner_text().strip(), links.nth(i).get_attribute("href")) for i in range(links.count())]


def assert_stepper(page: Any, current: str) -> None:
    """The steps are listed and the current one is marked (and, on a phone, the "n/N" index)."""
    header = page.locator(".steppers .steppers-header")
    expect(header).to_have_count(1)
    assert header.locator("li").count() >= 2
    active = header.locator('li.active[aria-current="step"]')
    expect(active).to_have_count(1)
    assert current in active.inner_text()
    assert re.fullmatch(r"\d+/\d+", header.locator(".steppers-index").inner_text().strip())


def _saved_values(page: Any, data: dict[str, Any]) -> int:
    """Checks the step's fields hold the saved values; returns how many fields it checked."""
    checked = 0
    for name, value in data.items():
        fields = page.locator(f'#modulo [name="{name}"]:not([type="hidden"])')
        if fields.count() == 0:
            continue
        first = fields.first
        kind = (first.get_attribute("type") or "").lower()
        if kind in ("checkbox", "radio"):
            chosen = page.locator(f'#modulo [name="{name}"]:checked')
            if isinstance(value, bool):
                assert chosen.count() == (1 if value else 0), name
            else:
                assert chosen.first.get_attribute("value") == str(value), name
        else:
            shown = first.input_value()
            assert shown == str(value) or (isinstance(value, (int, float)) and float(shown) == float(value)), (
                name, shown, value)
        checked += 1
    return checked


def _on_step(page: Any, title: str, data: dict[str, Any]) -> int:
    """The step opened: its stepper marks it, its heading names it, its fields hold the saved values."""
    assert_stepper(page, title)
    assert page.locator("#titolo-passo").inner_text().strip() == title
    checked = _saved_values(page, data)
    assert_accessible(page)
    return checked


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_8_stepper_on_every_step_and_the_way_back_keeps_the_values(app, api, live_server, page):
    slugs = every_service(app)
    logged_in(page, live_server)
    for slug in slugs:
        page.goto(f"{live_server}/demo/servizi/{slug}/domanda")  # the first step, before any draft
        assert_stepper(page, page.locator("#titolo-passo").inner_text().strip())
        app_id = draft(api, slug)
        summary = f"{live_server}/demo/pratiche/{app_id}/riepilogo"
        page.goto(summary)
        assert_stepper(page, "Riepilogo")
        assert_accessible(page)
        steps = step_links(page)
        assert len(steps) >= 2, (slug, steps)  # the privacy step and the data ones, all confirmed
        checked = 0
        if page.viewport_size["width"] >= PHONE_BELOW:
            for title, href in steps:  # clicking a confirmed step of the stepper
                page.goto(summary)
                page.locator(".steppers-header li.confirmed").get_by_role("link", name=title, exact=True).click()
                page.wait_for_url(re.compile(re.escape(href) + "$"))
                checked += _on_step(page, title, DRAFTS[slug])
        else:
            # On a phone Bootstrap Italia's stepper shows the current step and "n/N" only (the others are
            # for screen readers): the way back is "Indietro", step by step down to the first one.
            page.goto(summary)
            for title, href in reversed(steps):
                page.locator(".steppers-nav, form").get_by_role("link", name="Indietro", exact=True).first.click()
                page.wait_for_url(re.compile(re.escape(href) + "$"))
                checked += _on_step(page, title, DRAFTS[slug])
        assert checked >= len([k for k in DRAFTS[slug] if k != "privacy"]), (slug, checked)
        page.goto(summary)
        edits = page.get_by_role("link", name=re.compile(r"^Modifica"))
        targets = [edits.nth(i).get_attribute("href") for i in range(edits.count())]
        assert targets and set(targets) <= {href for _title, href in steps}, (slug, targets)
        titles = {href: title for title, href in steps}
        for index, href in enumerate(targets):  # and each "Modifica" of the summary
            page.goto(summary)
            page.get_by_role("link", name=re.compile(r"^Modifica")).nth(index).click()
            page.wait_for_url(re.compile(re.escape(href) + "$"))
            assert_stepper(page, titles[href])
            assert _saved_values(page, DRAFTS[slug]) >= 1, (slug, href)
            if page.viewport_size["width"] < PHONE_BELOW:
                expect(page.locator('.steppers-header li.active[aria-current="step"]')).to_be_visible()
                expect(page.locator(".steppers-index")).to_be_visible()
