"""The axe check the browser tests run on every page: it finds what is wrong at load, and
`assert_accessible` reuses that result only while the page is as axe read it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import VIEWPORTS, assert_accessible, axe_on_every_page

PROBE = "/demo/prova-axe"
CLEAN = ('<!doctype html><html lang="it"><head><title>Prova</title></head><body><main><h1>Prova</h1>'
         "<p>Una pagina senza difetti.</p></main></body></html>")
NO_ALT = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'  # image-alt: critical


@pytest.fixture
def probe(browser: Any, live_server: str) -> Iterator[tuple[Any, list[str]]]:
    """A tab of a context with the on-load check, and what the check reported."""
    context = browser.new_context(locale="it-IT", viewport=VIEWPORTS["desktop"])
    found: list[str] = []
    axe_on_every_page(context, live_server, found)
    tab = context.new_page()
    yield tab, found
    context.close()


def _open(tab: Any, live_server: str, body: str) -> None:
    tab.route(live_server + PROBE, lambda route: route.fulfill(content_type="text/html", body=body))
    tab.goto(live_server + PROBE)
    tab.wait_for_function("Array.isArray(window.__axeFound)")  # the on-load check has read the page


def test_a_fault_at_load_is_reported_and_fails_assert_accessible(probe, live_server: str) -> None:
    tab, found = probe
    _open(tab, live_server, CLEAN.replace("</main>", NO_ALT + "</main>"))
    assert any("image-alt (critical)" in line for line in found)
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(tab)


def test_an_unchanged_page_reuses_the_on_load_result(probe, live_server: str) -> None:
    tab, found = probe
    _open(tab, live_server, CLEAN)
    assert found == []
    tab.evaluate("window.__axeFound = ['what the on-load check found']")  # no change to the page itself
    with pytest.raises(AssertionError, match="what the on-load check found"):
        assert_accessible(tab)


@pytest.mark.parametrize("change", [
    f"document.querySelector('main').insertAdjacentHTML('beforeend', '{NO_ALT}')",
    "window.dispatchEvent(new Event('resize'))",
])
def test_a_page_changed_since_load_is_read_again(probe, live_server: str, change: str) -> None:
    tab, _found = probe
    _open(tab, live_server, CLEAN)
    tab.evaluate("window.__axeFound = ['the stale result']")
    tab.evaluate(change)
    if "resize" in change:
        assert_accessible(tab)  # read again: the page itself is clean, the stale result is not used
    else:
        with pytest.raises(AssertionError, match="image-alt"):
            assert_accessible(tab)
