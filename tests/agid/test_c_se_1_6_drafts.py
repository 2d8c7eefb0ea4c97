"""C.SE.1.6, drafts (ui.md §4): "A draft can be saved at any step and resumed later. An earlier version
of the criteria also required drafts to stay available for at least one year; keep that as the
retention default."
Check: "'Salva richiesta' on step N, log out, log in, resume at step N with the values kept; a retention
test keeps drafts of 364 days".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.agid.test_c_se_1_5_once_only import start_contributo
from tests.browser.test_citizen_flow import login, logout, tick
from tests.citizen.helpers import MARIO, app_id_from, post_form
from tests.citizen.helpers import login as client_login
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from webapp.extensions import db
from webapp.models import Application
from webapp.services.common import statuses
from webapp.services.jobs import sweep


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_6_saved_on_step_n_resumed_at_step_n_after_logging_out_and_in(live_server, page):
    start_contributo(page, live_server)
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/passi/situazione$"))  # step 3 of 4
    tick(page, "f-residente")
    page.fill("#f-isee", "9400,25")
    page.get_by_role("button", name="Salva richiesta").click()
    page.get_by_text("Richiesta salvata come bozza").wait_for()
    assert_accessible(page)
    draft_url = page.url
    assert draft_url.endswith("/passi/situazione")
    logout(page)
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(live_server + "/demo/area-personale?stato=bozza")
    card = page.get_by_role("link", name=re.compile("Completa")).first
    card.click()
    page.wait_for_url(draft_url)  # at step N again
    assert page.locator("#f-isee").input_value() in ("9400.25", "9400,25", "9.400,25")
    assert page.locator("#f-residente").is_checked()
    assert page.locator("[aria-current='step']").inner_text().startswith("Situazione economica")  # the stepper says so
    assert_accessible(page)


def test_c_se_1_6_a_draft_of_364_days_is_still_there_and_resumes(app):
    client = app.test_client()
    client_login(client, MARIO)
    first = post_form(client, "/demo/servizi/contributo/domanda", {"privacy": "true", "action": "save"})
    assert first.status_code == 302
    app_id = app_id_from(first.location)
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(db.update(Application).where(Application.id == app_id).values(
            created_at=now - timedelta(days=364), updated_at=now - timedelta(days=364),
            latest_status_change_at=now - timedelta(days=364)))
        db.session.commit()
        sweep(now)  # the periodic housekeeping
        sweep(now + timedelta(days=1))  # and a day later: 365 days, still kept
        draft = db.session.get(Application, app_id)
        assert draft is not None and draft.status == statuses.DRAFT
    resumed = client.get(f"/demo/pratiche/{app_id}/riprendi")
    assert resumed.status_code == 302 and resumed.location.endswith(f"/pratiche/{app_id}/passi/privacy")
    assert client.get(resumed.location).status_code == 200
