"""C.SE.1.3, fonts (ui.md §4).

"Headings and paragraphs use only Titillium Web, Lora or Roboto Mono." Check: the computed
`font-family` of every h1-h6 and p on each page starts with one of the three, and `document.fonts`
shows them loaded; on the citizen pages of a whole flow (home, services, service page, login, each
step, summary, confirmation, Area personale, booking), at desktop and phone width.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.agid.test_checker_selectors import send
from tests.browser.test_citizen_flow import login
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.helpers import accesso_atti_data, create

FAMILIES = ("Titillium Web", "Lora", "Roboto Mono")

# Every heading and paragraph whose first font family is not one of the three, and the families used.
_FONTS = """families => {
  const first = el => getComputedStyle(el).fontFamily.split(',')[0].trim().replace(/^["']|["']$/g, '');
  const all = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6, p')];
  return {count: all.length,
          wrong: all.filter(el => !families.includes(first(el)))
                    .map(el => el.tagName + ' «' + el.textContent.trim().slice(0, 30) + '» ' + first(el)).slice(0, 5),
          used: [...new Set(all.map(first))]}; }"""

# The faces the document loaded (FontFace.status), by family.
_LOADED = """async () => { await document.fonts.ready;
  return [...new Set([...document.fonts].filter(f => f.status === 'loaded')
                     .map(f => f.family.replace(/^["']|["']$/g, '')))]; }"""


def check_fonts(page: Any) -> None:
    page.wait_for_load_state()
    found = page.evaluate(_FONTS, list(FAMILIES))
    assert found["count"] > 0, page.url
    assert found["wrong"] == [], f"{page.url}: {found['wrong']}"
    loaded = page.evaluate(_LOADED)
    for family in found["used"]:  # each family the text is set in was really loaded, no silent fallback
        assert family in loaded, f"{page.url}: {family} not loaded ({loaded})"
        assert page.evaluate("f => document.fonts.check(`16px \"${f}\"`)", family), (page.url, family)
    assert "Titillium Web" in loaded, page.url


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_1_3_headings_and_paragraphs_use_the_three_fonts(live_server, page, api):
    base = f"{live_server}/demo"
    for path in ("/", "/servizi", "/servizi/accesso-atti", "/accedi", "/prenota-appuntamento"):
        page.goto(base + path)
        check_fonts(page)
    assert_accessible(page)
    app_id = create(api, "accesso-atti", accesso_atti_data())["id"]
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    check_fonts(page)
    for path in ("/servizi/accesso-atti/domanda", f"/pratiche/{app_id}/passi/richiedente",
                 f"/pratiche/{app_id}/passi/richiesta", f"/pratiche/{app_id}/riepilogo"):
        page.goto(base + path)
        check_fonts(page)
    send(page)
    check_fonts(page)
    assert_accessible(page)
    for path in (f"/pratiche/{app_id}", "/area-personale/messaggi", "/area-personale/pagamenti"):
        page.goto(base + path)
        check_fonts(page)
