"""The public pages in a real browser: they render with Bootstrap Italia and pass axe (WCAG 2.1 AA)."""

from __future__ import annotations

import pytest

from tests.conftest import DESKTOP_AND_PHONE, assert_accessible


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
@pytest.mark.parametrize("path", ["/", "/demo/", "/demo/privacy", "/demo/accessibilita", "/demo/?lang=en",
                                  "/demo/non-esiste"])
def test_public_pages_are_accessible(live_server, page, path):
    response = page.goto(live_server + path)
    assert response.status in (200, 404)
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_footer_links_and_language(live_server, page):
    page.goto(live_server + "/demo/")
    assert page.get_attribute("html", "lang") == "it"
    for element in ("privacy-policy-link", "accessibility-link", "legal-notes"):
        assert page.locator(f'[data-element="{element}"]').count() == 1
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Vai ai contenuti"
