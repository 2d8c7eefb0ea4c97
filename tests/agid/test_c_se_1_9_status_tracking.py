"""C.SE.1.9, status tracking (ui.md §4, item 9).

"The Area personale shows the current state and the main milestones of each pratica. *Test: after every
state transition, the detail page shows the new label and an *iter* entry.*"

Each transition is made as the office and the citizen make it (the API, the same commands as the pages),
then the citizen's detail page is read: the state it shows, and the *Iter della pratica* timeline.
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any

import pytest
from flask import Flask

from tests.agid.test_c_se_1_2_acknowledgement import _segnalazione
from tests.citizen.helpers import login
from tests.conftest import DESKTOP_AND_PHONE, Api, assert_accessible
from tests.webapp.helpers import MARIO, act, submitted

TAGS = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(TAGS.sub(" ", fragment)).split())


def _label(api: Api, app_id: str) -> str:
    return str(api.get(f"/applications/{app_id}", MARIO).get_json()["status_name"])


def _page(client: Any, app_id: str) -> tuple[str, list[str]]:
    """The state the detail page shows, and its iter entries (one text per entry)."""
    page = client.get(f"/demo/pratiche/{app_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    state = re.search(r'<p class="mb-1" id="stato-pratica">(.*?)</p>', body, re.S)
    assert state, "no current state on the detail page"
    iter_section = body.split('id="iter"', 1)[1].split("</section>", 1)[0]
    entries = [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", iter_section, re.S)]
    return _text(state.group(1)), entries


class Tracker:
    """After each step: the page shows the new state, and the iter has grown with an entry for it."""

    def __init__(self, app: Flask, api: Api, app_id: str) -> None:
        self.api, self.app_id = api, app_id
        self.client = app.test_client()
        login(self.client)
        self.seen = 0

    def check(self) -> str:
        label = _label(self.api, self.app_id)
        state, entries = _page(self.client, self.app_id)
        assert state == f"Stato: {label}"
        assert len(entries) > self.seen, "no new iter entry"
        assert any(entry.startswith(label) for entry in entries[self.seen:]), (label, entries[self.seen:])
        self.seen = len(entries)
        return label


def test_c_se_1_9_every_transition_of_the_standard_lifecycle(app: Flask, api: Api) -> None:
    tracker = Tracker(app, api, submitted(api, "accesso-atti"))
    app_id = tracker.app_id
    assert tracker.check() == "Protocollata"
    act(api, app_id, "assign", "operatore")
    assert tracker.check() == "Presa in carico"
    act(api, app_id, "request-integration", "operatore", {"message": "Manca la copia del documento"})
    assert tracker.check() == "In attesa di integrazioni"
    act(api, app_id, "submit", MARIO, {"message": "Ecco il documento"})
    assert tracker.check() == "Presa in carico in seguito a integrazioni"
    act(api, app_id, "accept", "operatore", {"message": "Accolta"})
    assert tracker.check() == "Approvata"


@pytest.mark.parametrize(("action", "user", "body", "label"), [
    ("reject", "operatore", {"message": "Requisiti mancanti"}, "Rifiutata"),
    ("withdraw", MARIO, {"message": "Non mi serve più"}, "Ritirata"),
])
def test_c_se_1_9_the_other_endings(app: Flask, api: Api, action: str, user: str, body: dict[str, Any],
                                    label: str) -> None:
    tracker = Tracker(app, api, submitted(api, "contributo"))
    tracker.check()
    if action == "reject":
        act(api, tracker.app_id, "assign", "operatore")
        tracker.check()
    act(api, tracker.app_id, action, user, body)
    assert tracker.check() == label


def test_c_se_1_9_a_service_with_its_own_process(app: Flask, api: Api) -> None:
    tracker = Tracker(app, api, _segnalazione(api))
    tracker.check()
    act(api, tracker.app_id, "assign", "manutentore")
    assert tracker.check() == "Presa in carico"


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_9_the_detail_page_in_the_browser(live_server: str, page, api: Api) -> None:
    app_id = submitted(api, "contributo")
    page.goto(f"{live_server}/demo/accedi")
    page.get_by_role("link", name="Entra con SPID").click()
    page.locator(f'label[for="id-{MARIO}"]').click()
    page.get_by_role("button", name="Accedi").click()
    seen = 0
    for step in (None, ("assign", "operatore", {})):
        if step is not None:
            act(api, app_id, *step)
        label = _label(api, app_id)
        page.goto(f"{live_server}/demo/pratiche/{app_id}")
        assert page.locator("#stato-pratica").inner_text().strip() == f"Stato: {label}"
        entries = page.locator("#iter li")
        assert entries.count() > seen
        assert any(entries.nth(i).inner_text().startswith(label) for i in range(seen, entries.count()))
        seen = entries.count()
        assert_accessible(page)
