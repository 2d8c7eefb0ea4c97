"""axe over every kind of page, at desktop and phone width: a crawler follows the links of the citizen
pages (logged out, then as Mario with applications in many states) and of the back office (as the
administrator), one page per kind of address (ids and numbers stand for any), and axe finds no serious
or critical violation on any. The `page` fixture runs axe on every page the other browser tests load at
their own width; this crawl reaches the pages at the other one, and those no test visits."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.test_backoffice_handling import staff_login
from tests.browser.test_citizen_flow import login
from tests.browser.test_mobile_layout import _applications
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible

LIMIT = 45  # kinds of page per crawl: more than each side has today
# Links a crawler must not follow: they leave, download a file, start an identity provider's login or
# change state by GET by design (the cancellation link of an appointment asks before it acts, but is
# the mail's); the language switch shows the same page.
SKIP = re.compile(r"/(esci|logout)\b|/accedi/(spid|cie|cns|eidas)\b|\.(pdf|ics|csv|xlsx|json|xml|svg|png)\b"
                  r"|/allegati/|/ricevuta|/avviso|/esporta|/export|/webhooks/|/api/|/static/|[?&]lang=|/metadata")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b\d+\b")


def kind(url: str) -> str:
    """One page per kind: ids and numbers replaced, query values dropped (their names kept)."""
    parts = urlsplit(url)
    return _ID.sub("#", parts.path) + "?" + ",".join(sorted({k for k, _ in parse_qsl(parts.query)}))


def crawl(page: Any, start: str, inside: str) -> list[str]:
    """Breadth first from `start` over the links under `inside`, each kind of page once, axe on each."""
    seen, queue, visited = {kind(start)}, [start], []
    while queue and len(visited) < LIMIT:
        url = queue.pop(0)
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        assert response.status < 500, (url, response.status)
        visited.append(url)
        assert_accessible(page)
        for link in page.eval_on_selector_all("a[href]", "els => els.map(el => el.href.split('#')[0])"):
            if link.startswith(inside) and not SKIP.search(link) and kind(link) not in seen:
                seen.add(kind(link))
                queue.append(link)
    return visited


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_axe_on_every_citizen_page(app, live_server, page, api):
    _applications(app, api)
    base = f"{live_server}/demo/"
    public = crawl(page, base, base)
    assert len(public) >= 8, public
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    personal = crawl(page, f"{base}area-personale", base)
    assert any("/pratiche/" in url for url in personal), personal


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
def test_axe_on_every_backoffice_page(app, live_server, page, api):
    _applications(app, api)
    base = staff_login(page, live_server, "admin")
    visited = crawl(page, f"{base}/pratiche", base + "/")
    assert len(visited) >= 15, visited
