"""The four services with their own processes, each at its distinctive step in a real browser: an office's
opinion, a manager's co-signature, closing a report, the citizen's choice of tariff; axe on each page."""

from __future__ import annotations

import re

from tests.api.test_own_services import _contributo, _mensa, _occupazione, _segnalazione, _status
from tests.browser.test_backoffice_handling import staff_login
from tests.browser.test_citizen_flow import login, tick
from tests.conftest import assert_accessible
from tests.webapp.helpers import act


def _open_task(page, base: str, label: str) -> None:
    page.goto(f"{base}/attivita")
    assert_accessible(page)
    page.get_by_role("link", name=label).first.click()
    page.wait_for_url(re.compile(r".*/attivita/.*"))
    assert_accessible(page)


def test_the_technical_office_gives_its_opinion(live_server, page, api):
    app_id = _occupazione(api)
    base = staff_login(page, live_server, "tecnico")
    _open_task(page, base, "Parere dell'Ufficio Tecnico")
    page.get_by_label("Motivazione").fill("Nessun impedimento tecnico")
    tick(page, page.locator('input[name="action"][value="favorevole"]').get_attribute("id"))
    page.get_by_role("button", name="Completa l'attività").click()
    page.get_by_text("Attività completata.").wait_for()
    assert _status(api, app_id)[0] == 4000


def test_the_manager_co_signs_a_large_contribution(live_server, page, api):
    app_id = _contributo(api, importo_richiesto=1500.0)
    act(api, app_id, "assign", "operatore")
    act(api, app_id, "accept", "operatore", {"message": "Concesso"})
    base = staff_login(page, live_server, "manager")
    _open_task(page, base, "Co-firma del responsabile")
    tick(page, page.locator('input[name="action"][value="conferma"]').get_attribute("id"))
    page.get_by_role("button", name="Completa l'attività").click()
    page.get_by_text("Attività completata.").wait_for()
    assert _status(api, app_id)[0] == 7000


def test_the_maintenance_office_closes_a_report(live_server, page, api):
    app_id = _segnalazione(api, "buca_stradale")
    act(api, app_id, "assign", "manutentore")
    base = staff_login(page, live_server, "manutentore")
    page.goto(f"{base}/pratiche/{app_id}")
    page.get_by_text("Attività da svolgere").wait_for()
    assert_accessible(page)
    page.locator("#attivita").get_by_label("Resoconto").fill("Buca chiusa con asfalto a freddo")
    tick(page, page.locator('#attivita input[name="action"][value="risolta"]').get_attribute("id"))
    page.locator("#attivita").get_by_role("button", name="Completa l'attività").click()
    page.get_by_text("Attività completata.").wait_for()
    assert _status(api, app_id)[0] == 7000


def test_the_citizen_chooses_the_tariff_from_the_area_personale(live_server, page, api):
    app_id = _mensa(api)
    login(page, live_server)
    page.wait_for_url(re.compile(r".*/demo/.*"))
    page.goto(f"{live_server}/demo/area-personale")
    page.get_by_role("heading", name="Da completare").wait_for()
    assert_accessible(page)
    page.locator("#da-completare ~ ul a").first.click()
    page.wait_for_url(re.compile(f".*/pratiche/{app_id}/attivita/.*"))
    assert_accessible(page)
    tick(page, page.locator('input[name="action"][value="fascia-massima"]').get_attribute("id"))
    page.get_by_role("button", name="Invia").click()
    page.get_by_text("Fatto: l'ufficio riceverà quanto hai inviato.").wait_for()
    assert _status(api, app_id)[0] == 7000
