"""Every citizen and back-office page on phones (390 and 320 px wide): nothing wider than the window,
every table column (status and links included) in sight, no label drawn over a heading or another
field, axe clean with warning chips on show; the menu behind the hamburger button opens, lists its
links, and they work."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.backoffice.conftest import logged_in
from tests.browser.layout import assert_laid_out, check_page, settled_box
from tests.browser.test_backoffice_handling import staff_login
from tests.browser.test_backoffice_payments import _settled
from tests.browser.test_citizen_flow import login, tick
from tests.citizen import helpers as citizen
from tests.citizen.booking import book
from tests.conftest import DESKTOP_AND_PHONE, PHONES, assert_accessible
from tests.webapp.calendars import open_every_day
from tests.webapp.helpers import MARIO, act, contributo_data, create, submitted

phones = pytest.mark.parametrize("page", PHONES, indirect=True)


def _applications(app: Flask, api: Any) -> dict[str, Any]:
    """Mario's applications in the states that show every kind of row and chip, and one appointment."""
    waiting = submitted(api)
    act(api, waiting, "assign", "operatore")
    act(api, waiting, "request-integration", "operatore", {"message": "Allegare l'attestazione ISEE aggiornata"})
    assert api.post(f"/applications/{waiting}/notes", "operatore", json={"message": "Sentito al telefono"}
                    ).status_code == 201
    due = submitted(api)
    act(api, due, "assign", "operatore")
    act(api, due, "accept", "operatore", {"message": "Concesso", "payment": {"amount": 2500},
                                          "stamps": [{"reason": "Bollo sul rilascio"}]})
    draft = create(api, "contributo", contributo_data())["id"]
    registered = submitted(api, "accesso-atti")  # with its protocol number
    calendar_id = open_every_day(app)
    client = app.test_client()
    citizen.login(client, MARIO)
    assert book(app, client, calendar_id).status_code == 302
    return {"waiting": waiting, "due": due, "draft": draft, "registered": registered, "calendar": calendar_id}


@phones
def test_citizen_pages_fit_a_phone(app, live_server, page, api):
    ids = _applications(app, api)
    base = f"{live_server}/demo"
    for path in ("/", "/servizi", "/servizi/accesso-atti", "/accedi", "/accedi/prova/spid", "/prenota-appuntamento",
                 f"/prenota-appuntamento/{ids['calendar']}"):
        check_page(page, base + path)
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    for path in ("/area-personale", "/area-personale/messaggi", "/area-personale/pagamenti",
                 "/area-personale/appuntamenti", "/area-personale/documenti", "/area-personale/profilo",
                 f"/pratiche/{ids['waiting']}", f"/pratiche/{ids['waiting']}/integrazioni",
                 f"/pratiche/{ids['due']}", f"/pratiche/{ids['due']}/inviata", f"/pratiche/{ids['draft']}/riepilogo",
                 "/servizi/contributo/domanda"):
        check_page(page, base + path)
    page.goto(f"{base}/area-personale")
    for column in ("Stato", "Dettagli"):  # the columns the issue found hidden, by their labels
        assert page.locator(f'td[data-label="{column}"]').first.is_visible()
    page.get_by_role("link", name=re.compile("Dettaglio")).first.click()  # reachable, and it works
    page.wait_for_url(re.compile(r"/pratiche/[0-9a-f-]+$"))


@phones
def test_backoffice_pages_fit_a_phone(app, live_server, page, api):
    ids = _applications(app, api)
    base = staff_login(page, live_server, "admin")
    calendar = f"/calendari/{ids['calendar']}"
    meetings = logged_in(app, "admin").get(f"/demo/backoffice{calendar}/appuntamenti").get_data(as_text=True)
    move = re.search(r'href="/demo/backoffice(/calendari/[^"]+/sposta)"', meetings)
    assert move, "the agenda lists the booked appointment"
    for path in ("/pratiche", "/pratiche?service=contributo&handling=waiting", f"/pratiche/{ids['waiting']}",
                 f"/pratiche/{ids['waiting']}/messaggi", f"/pratiche/{ids['waiting']}/documenti",
                 f"/pratiche/{ids['waiting']}/iter", f"/pratiche/{ids['due']}/pagamenti",
                 f"/pratiche/{ids['registered']}/protocollo", "/servizi",
                 "/operatori", "/operatori/nuovo", "/calendari", "/calendari/nuovo", "/calendari/notifiche", calendar,
                 f"{calendar}/orari/nuovo", f"{calendar}/appuntamenti", f"{calendar}/appuntamenti/nuovo", move.group(1),
                 "/statistiche"):
        check_page(page, base + path)
    page.goto(f"{base}/pratiche?service=contributo")
    for column in ("Stato", "Servizio"):  # the status, and the service: the link to the application
        assert page.locator(f'tbody [data-label="{column}"]').first.is_visible()


@pytest.mark.parametrize(("page", "who", "link", "lands_on"), [
    *[(width, "citizen", "Area personale", r"/accedi") for width in PHONES],
    *[(width, "admin", "Statistiche", r"/statistiche$") for width in PHONES]], indirect=["page"])
def test_the_menu_opens_from_its_button(live_server, page, who, link, lands_on):
    if who == "citizen":
        page.goto(f"{live_server}/demo/servizi")
    else:
        staff_login(page, live_server, who)
    menu = page.locator("#main-menu")
    toggler = page.get_by_role("button", name="Mostra/Nascondi la navigazione")
    assert toggler.is_visible() and toggler.get_attribute("aria-controls") == "main-menu"
    assert not menu.get_by_role("link", name=link).is_visible()  # tucked away until asked for
    toggler.click()
    entry = menu.get_by_role("link", name=link)
    entry.wait_for(state="visible")
    assert toggler.get_attribute("aria-expanded") == "true"
    box, width = settled_box(page, entry), page.viewport_size["width"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert_accessible(page)
    page.keyboard.press("Escape")  # closes again
    entry.wait_for(state="hidden")
    assert toggler.get_attribute("aria-expanded") == "false"
    toggler.click()
    entry.click()
    page.wait_for_url(re.compile(lands_on))


both_sizes = pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)


@both_sizes
def test_citizen_forms_keep_headings_clear_of_labels(live_server, page, api):
    """The messages form, the delegating person's group, the rating component."""
    app_id = submitted(api)
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    check_page(page, f"{live_server}/demo/pratiche/{app_id}")  # "Scrivi all'ufficio"
    page.goto(f"{live_server}/demo/servizi/accesso-atti/domanda")
    tick(page, "f-privacy")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/richiedente$"))
    tick(page, "f-in-qualita-di-2")  # acting for someone else: the delegating person's group comes in
    page.locator("#f-delegante-nome").wait_for()
    assert_laid_out(page)
    page.goto(f"{live_server}/demo/pratiche/{app_id}/inviata")
    page.locator('label[for="star2"]').click()
    page.locator('[data-element="feedback-rating-negative"]').wait_for()
    assert_laid_out(page)


@both_sizes
def test_backoffice_forms_keep_headings_clear_of_labels(app, live_server, page, api):
    """The messages tab, the approval dialog, calendar rules, the list's and the statistics' filters
    ("Applica" inside its column)."""
    app_id = submitted(api)
    act(api, app_id, "assign", "operatore")
    calendar_id = open_every_day(app)
    base = staff_login(page, live_server, "operatore")
    for path in ("/pratiche", f"/pratiche/{app_id}/messaggi", f"/calendari/{calendar_id}"):
        check_page(page, base + path)
    page.goto(f"{base}/pratiche/{app_id}")
    page.get_by_role("button", name="Approva", exact=True).click()
    _settled(page, "modal-accept")
    assert_laid_out(page)
    check_page(page, f"{base}/statistiche")
    apply = page.get_by_role("form", name="Filtri del grafico").get_by_role("button", name="Applica")
    inner, outer = apply.bounding_box(), apply.locator("xpath=..").bounding_box()
    assert outer["x"] - 0.5 <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5, (
        inner, outer)
