"""C.SE.1.4, summary (ui.md §4): "All entered data appears as text on one screen, after all data steps
and immediately before the final confirmation."
Check: "every submitted value appears on the summary page; the next POST is the submit".
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.agid.test_c_se_1_5_once_only import start_contributo
from tests.browser.test_citizen_flow import tick
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible

# What the citizen types on each data step of the contributo (the applicant's own data comes pre-filled:
# it is typed again here so that every value on the summary is one the test entered), and how the summary
# writes it: numbers the Italian way, a choice by its label.
TYPED: dict[str, dict[str, str]] = {
    "richiedente": {"#f-nome": "Mario", "#f-cognome": "Rossi", "#f-email": "mario.prova@example.it",
                    "#f-telefono": "+39 333 9876543", "#f-indirizzo-residenza": "Via Nazionale 5",
                    "#f-cap-residenza": "00184", "#f-comune-residenza": "Roma"},
    "situazione": {"#f-isee": "8500,50"},
    "richiesta": {"#f-importo-richiesto": "1200", "#f-iban": "IT60X0542811101000000123456",
                  "#f-motivazione": "Acquisto dei libri di testo"},
}
SHOWN = {"8500,50": "8.500,5", "1200": "1.200"}


def _posts(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.method == "POST" else None)
    return seen


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_4_every_value_entered_is_on_the_summary_and_the_next_post_is_the_submit(live_server, page):
    start_contributo(page, live_server)
    for step, values in TYPED.items():
        page.wait_for_url(re.compile(rf"/passi/{step}$"))
        for selector, value in values.items():
            page.fill(selector, value)
        if step == "situazione":
            tick(page, "f-residente")  # "sì"
        page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/riepilogo$"))  # straight after the last data step
    assert_accessible(page)
    main = page.locator("main")
    text = main.inner_text()
    for values in TYPED.values():
        for value in values.values():
            assert SHOWN.get(value, value) in text, f"{value!r} is not on the summary"
    assert "Sì" in text or "sì" in text  # the choice, as text
    assert main.locator("input:not([type=hidden]), textarea, select").count() == 0  # text, not fields
    posts = _posts(page)
    page.get_by_role("button", name="Conferma e invia").click()
    page.wait_for_url(re.compile(r"/inviata$"))
    assert posts and re.search(r"/pratiche/[0-9a-f-]{36}/invia$", posts[0]), posts  # the submit, nothing before
    assert_accessible(page)
