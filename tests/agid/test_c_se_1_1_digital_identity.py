"""C.SE.1.1, access with digital identity (ui.md §4).

"Every online service can be started from its service page. Logging in from there lands directly in
that service's flow." Check: log out, open the service page, click "Richiedi online", log in, and assert
the step-1 URL of that service; with SPID and with CIE, at desktop and phone width, and (through the
same pages without a browser) for every published service.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.browser.test_citizen_flow import tick
from tests.conftest import DESKTOP_AND_PHONE, assert_accessible
from tests.webapp.helpers import MARIO
from webapp.models import Tenant
from webapp.services import catalogue


def _published(app: Flask) -> list[str]:
    with app.app_context():
        tenant = Tenant.query.filter_by(slug="demo").one()
        return sorted(s.slug for s in catalogue.list_services(tenant))


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
@pytest.mark.parametrize(("method", "slug"), [("spid", "cdu"), ("cie", "contributo")])
def test_c_se_1_1_richiedi_online_then_login_lands_on_step_1(live_server, page, method, slug):
    page.goto(f"{live_server}/demo/servizi/{slug}")
    assert page.locator('[data-element="personal-area-login"]').count() == 1  # logged out
    assert_accessible(page)
    page.locator('[data-element="service-online-access"]').click()
    page.wait_for_url(re.compile(r"/demo/accedi\b"))
    assert_accessible(page)
    page.get_by_role("link", name="Entra con SPID" if method == "spid" else "Entra con CIE").click()
    tick(page, "id-" + MARIO)  # the test identity provider's page, standing in for SPID / CIE
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(rf"/demo/servizi/{slug}/domanda$"))  # that service's step 1, nothing between
    assert page.locator(".steppers-header li.active").inner_text().startswith("Informativa sulla privacy")
    assert page.locator('[data-element="personal-area-login"]').count() == 0  # logged in
    assert_accessible(page)


@pytest.mark.parametrize("method", ["spid", "cie"])
def test_c_se_1_1_every_service_starts_from_its_page(app, method):
    for slug in _published(app):
        client = app.test_client()
        page = client.get(f"/demo/servizi/{slug}").get_data(as_text=True)
        [action] = re.findall(
            r'<form method="get" action="([^"]+)"[^>]*>\s*<button[^>]*data-element="service-online-access"', page)
        start = client.get(action)  # "Richiedi online" while logged out: to the login, keeping the way back
        assert start.status_code == 302, slug
        login = client.get(start.headers["Location"])
        assert login.status_code == 200
        [idp] = re.findall(rf'href="([^"]*/accedi/{method}[^"]*)"', login.get_data(as_text=True))
        idp_page = client.get(html.unescape(idp), follow_redirects=True)
        form = idp_page.get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        next_field = re.search(r'name="next" value="([^"]*)"', form)
        data = {"csrf_token": token, "fiscal_code": MARIO}
        if next_field:
            data["next"] = html.unescape(next_field.group(1))
        landed = client.post(urlsplit(idp_page.request.url).path, data=data)
        assert landed.status_code == 302, slug
        assert urlsplit(landed.headers["Location"]).path == f"/demo/servizi/{slug}/domanda", slug
        step = client.get(landed.headers["Location"])
        assert step.status_code == 200 and "steppers" in step.get_data(as_text=True), slug
