"""The profile in a real browser: empty fields look empty and an unchanged profile saves."""

from __future__ import annotations

import re

from tests.browser.test_citizen_flow import login

EMPTY_FOR_MARIO = ("#p-birth-country", "#p-domicile-address", "#p-domicile-postal-code", "#p-domicile-city",
                   "#p-domicile-province")


def test_empty_profile_fields_are_empty_and_saving_unchanged_works(live_server, page):
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/area-personale/profilo")
    assert [page.locator(field).input_value() for field in EMPTY_FOR_MARIO] == [""] * len(EMPTY_FOR_MARIO)
    assert "None" not in page.locator("main").inner_text()
    page.get_by_role("button", name="Salva il profilo").click()
    page.get_by_text("Profilo aggiornato.").wait_for()
    assert page.locator("#error-summary").count() == 0
    assert page.locator("#p-domicile-postal-code").input_value() == ""
