"""PNRR: "the EU emblem with 'Finanziato dall'Unione europea – NextGenerationEU' on PNRR-funded sites" (ui.md §4,
"Also required"; §2.4: in the footer, as visible as the other logos).

The ente's settings say whether its services are PNRR-funded (the settings page and the API); when they do,
every page's footer shows the emblem, an image served by the site with its words as alternative text, as
wide as the ente's name beside it; when they do not, it is absent."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.agid.legal_pages import demo_setting, demo_settings
from tests.backoffice.conftest import csrf, logged_in
from tests.conftest import DESKTOP_AND_PHONE, Api, assert_accessible

ALT = "Finanziato dall'Unione europea – NextGenerationEU"
SETTINGS = "/demo/backoffice/impostazioni"


@pytest.mark.parametrize("page", DESKTOP_AND_PHONE, indirect=True)
@pytest.mark.parametrize("path", ["/demo/", "/demo/servizi/contributo", "/demo/prenota-appuntamento"])
def test_pnrr_emblem_in_the_footer_of_a_funded_ente(live_server: str, page, path: str) -> None:
    page.goto(live_server + path)  # the demo Comune is PNRR-funded
    assert_accessible(page)
    emblem = page.locator(f'footer img[alt="{ALT}"]')
    assert emblem.count() == 1
    assert emblem.is_visible()
    src = emblem.get_attribute("src")
    assert src and src.startswith("/static/img/eu-nextgenerationeu")  # served by the site itself
    response = page.context.request.get(live_server + src)
    assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert "NextGenerationEU" in response.text() and "Finanziato dall'Unione europea" in response.text()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", emblem.element_handle())
    box = emblem.bounding_box()
    viewport = page.viewport_size
    assert box and box["width"] >= 200 and box["x"] + box["width"] <= viewport["width"]  # whole and visible


def test_pnrr_emblem_follows_the_setting_of_the_page_and_the_api(app: Flask, api: Api) -> None:
    public = app.test_client()
    assert ALT in public.get("/demo/").get_data(as_text=True)
    admin = logged_in(app, "admin")
    page = admin.get(SETTINGS).get_data(as_text=True)
    assert 'id="pnrr_funded" name="pnrr_funded" value="1" aria-describedby="pnrr_funded-help" checked>' in page
    # unticked on the page: no emblem
    saved = admin.post(SETTINGS, data={"csrf_token": csrf(admin, SETTINGS), "name": "Comune di Demo"})
    assert saved.status_code == 302
    assert demo_setting(app, "pnrr_funded") is None
    assert "eu-nextgenerationeu" not in public.get("/demo/").get_data(as_text=True)
    assert api.get("/admin/settings", "admin").get_json()["pnrr_funded"] is False
    # set again through the API
    put = api.call("PUT", "/admin/settings", "admin", json={"pnrr_funded": True})
    assert put.status_code == 200 and put.get_json()["pnrr_funded"] is True
    assert ALT in public.get("/demo/servizi").get_data(as_text=True)
    bad = api.call("PUT", "/admin/settings", "admin", json={"pnrr_funded": "forse"})
    assert bad.status_code in (400, 422) and "/pnrr_funded" in str(bad.get_json())


def test_pnrr_emblem_absent_where_not_funded(app: Flask) -> None:
    demo_settings(app, "pnrr_funded")
    assert "eu-nextgenerationeu" not in app.test_client().get("/demo/").get_data(as_text=True)
