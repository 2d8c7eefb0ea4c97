"""C.SE.3.1, cookies: "Before any consent, only cookies of the Comune's own domain exist (technical cookies only)."
Check (ui.md §4): *E2E: `context.cookies()` after loading each page holds only first-party cookies.*

Each citizen page, logged out and then logged in with the test identity provider, is loaded in a fresh
browser that never consented to anything: after each, every cookie belongs to the site's own host, is
HttpOnly where a script has no business reading it, and every request the page made went to the site
itself (nothing from a third party that could set its own cookie). No banner is shown: none is needed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.test_citizen_flow import login
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible

LOGGED_OUT = ["/demo/", "/demo/servizi", "/demo/servizi/contributo", "/demo/accedi", "/demo/prenota-appuntamento",
              "/demo/privacy", "/demo/accessibilita"]
LOGGED_IN = ["/demo/area-personale", "/demo/servizi/contributo", "/demo/servizi/contributo/domanda",
             "/demo/area-personale/messaggi", "/demo/area-personale/pagamenti"]


def _only_first_party(page, live_server: str, path: str, requested: list[str]) -> None:
    host = urlsplit(live_server).hostname
    cookies = page.context.cookies()
    strangers = [c for c in cookies if c["domain"].lstrip(".") != host]
    assert not strangers, f"{path}: third-party cookies {strangers}"
    outside = [url for url in requested if urlsplit(url).scheme in ("http", "https")
               and urlsplit(url).netloc != urlsplit(live_server).netloc]
    assert not outside, f"{path}: requests outside the site {outside}"
    for cookie in cookies:  # technical cookies: the session (and its CSRF), never readable by scripts
        assert cookie["httpOnly"], f"{path}: cookie {cookie['name']} readable by scripts"


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_c_se_3_1_only_first_party_cookies_on_every_citizen_page(live_server: str, page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in LOGGED_OUT:
        page.goto(live_server + path)
        assert_accessible(page)
        assert page.locator("#cookie-banner, .cookiebar").count() == 0  # nothing to consent to
        _only_first_party(page, live_server, path, requested)
    login(page, live_server)
    page.wait_for_load_state()
    assert page.context.cookies(), "logging in sets the session cookie"
    for path in LOGGED_IN:
        response = page.goto(live_server + path)
        assert response is not None and response.status < 400, path
        assert_accessible(page)
        _only_first_party(page, live_server, path, requested)
