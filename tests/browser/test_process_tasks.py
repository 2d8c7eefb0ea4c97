"""A process's own task in a real browser: the Attività inbox, the task's form with its errors next to the
fields, completing it; each page passes axe at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_backoffice_handling import staff_login
from tests.browser.test_citizen_flow import tick
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.process_tasks import submitted, tasks


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_an_office_gives_its_opinion_from_the_inbox(live_server, page, api, pareri):
    app_id = submitted(api, 20)
    base = staff_login(page, live_server, "tecnico")
    page.goto(f"{base}/attivita")
    assert_accessible(page)
    page.get_by_role("link", name="Parere tecnico").click()
    page.wait_for_url(re.compile(f".*/pratiche/{app_id}/attivita/.*"))
    assert_accessible(page)
    tick(page, "f-esito")  # "favorevole", the first choice
    page.get_by_label("Motivazione").fill("no")
    page.get_by_role("button", name="Completa l'attività").click()
    page.get_by_text("Correggi gli errori").wait_for()
    assert_accessible(page)
    page.get_by_label("Motivazione").fill("Conforme al regolamento comunale")
    page.get_by_role("button", name="Completa l'attività").click()
    page.get_by_text("Attività completata.").wait_for()
    assert page.url.endswith(f"/pratiche/{app_id}")
    assert [t["name"] for t in tasks(api, app_id, "manager")] == ["ut_decisione"]
