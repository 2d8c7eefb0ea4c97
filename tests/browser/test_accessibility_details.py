"""Accessibility details axe alone does not settle: the contrast of "Paga ora" on the payment-due
confirmation, as drawn; every element the keyboard reaches on a step at 390 px is visible while it has
focus (WCAG 2.4.7); the Area personale's list of applications no wider than a 390 px window."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_citizen_flow import login
from tests.conftest import assert_accessible
from tests.webapp.helpers import MARIO, act, create

CDU_DATA = {"privacy": True, "nome": "Mario", "cognome": "Rossi", "codice_fiscale": MARIO,
            "email": "mario.rossi@example.it", "foglio": "12", "particelle": "101, 102", "uso": "compravendita"}

# WCAG's contrast ratio of an element's text against the first opaque background behind it.
_CONTRAST = """el => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const c = [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  let back = null;
  for (let up = el; up && !back; up = up.parentElement) {
    const bg = rgb(getComputedStyle(up).backgroundColor);
    if (bg.length >= 3 && (bg.length === 3 || bg[3] > 0.9)) back = bg;
  }
  back = back || [255, 255, 255];
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }"""

# Focus is visible when the focused element has a box of its own inside the window, is not hidden, and no
# ancestor clips it away (Bootstrap Italia's visually-hidden pattern: clip, or a box of a pixel or none).
_FOCUSED_AND_HIDDEN = """() => { const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const name = el.tagName + ' «' + (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '»';
  if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.left >= window.innerWidth) return name;
  for (let up = el; up; up = up.parentElement) {
    const style = getComputedStyle(up), around = up.getBoundingClientRect();
    if (style.visibility === 'hidden' || style.display === 'none') return name;
    if (style.clip && style.clip !== 'auto' && style.position === 'absolute') return name;
    if (style.overflow !== 'visible' && (around.width <= 1 || around.height <= 1)) return name;
  }
  return ''; }"""


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_paga_ora_on_the_payment_due_confirmation_has_enough_contrast(live_server, page, api):
    app_id = create(api, "cdu", CDU_DATA)["id"]
    act(api, app_id, "submit", MARIO)  # payment at request: 1500
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/pratiche/{app_id}/inviata")
    button = page.get_by_role("link", name="Paga ora")
    assert button.is_visible()
    assert button.evaluate(_CONTRAST) >= 4.5
    button.hover()  # the hover colours count too
    assert button.evaluate(_CONTRAST) >= 4.5
    assert_accessible(page)


def _tab_through(page: Any, until: str, limit: int = 80) -> list[str]:
    """Tab from the top of the page until focus reaches the element named `until`: the hidden ones met."""
    hidden = []
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(_FOCUSED_AND_HIDDEN)
        if found:
            hidden.append(found)
        if page.evaluate("() => (document.activeElement.textContent || '').trim()") == until:
            return hidden
    raise AssertionError(f"focus never reached {until!r}")


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_every_focused_element_on_a_step_is_visible(live_server, page):
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/servizi/contributo/domanda")
    page.locator('label[for="f-privacy"]').click()
    page.get_by_role("button", name="Avanti").click()
    page.get_by_role("button", name="Avanti").click()  # the applicant's data are prefilled: step 3
    page.wait_for_url(re.compile(r"/passi/situazione$"))
    assert page.locator(".steppers-header li.confirmed a").count() >= 2  # links back to the steps done
    assert _tab_through(page, "Avanti") == []
    # reached by the keyboard at any width, a confirmed step's link still leads back to its step
    page.locator("body").focus()
    link = page.locator(".steppers-header li.confirmed a").first
    link.focus()
    assert page.evaluate(_FOCUSED_AND_HIDDEN) == ""
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/passi/privacy$"))
    assert_accessible(page)


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_area_personale_list_fits_a_phone(live_server, page, api):
    for _ in range(2):
        act(api, create(api, "cdu", CDU_DATA)["id"], "submit", MARIO)
    create(api, "cdu", CDU_DATA)
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    for path in ("/area-personale", "/area-personale?stato=bozza", "/area-personale/pagamenti"):
        page.goto(f"{live_server}/demo{path}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"{path}: the page is {width} px wide"
        # what lies beyond the window's right edge, unless a scrolling or clipping box around it holds it
        # (the tabs scroll sideways in theirs); visually-hidden text included, which is what escaped
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(el => {
            if (el.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;
            for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
              if (getComputedStyle(up).overflowX !== 'visible') return false;
            return true; }).map(el => el.tagName + '.' + el.className).slice(0, 5)""")
        assert wide == [], f"{path}: {wide}"
        assert_accessible(page)
