"""Parts of a page htmx redraws as the citizen chooses (conditional sections, the rating's follow-up):
the answer to the latest choice is the one that stays, however late an earlier answer arrives."""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.test_citizen_flow import login, tick
from tests.webapp.helpers import accesso_atti_data, create, submitted

STAMP_ID = "01234567890123"
COUNT_REQUESTS = """() => {
  window.requestsDone = 0;
  document.addEventListener('htmx:finally:request', () => { window.requestsDone += 1; });
}"""


class HoldFirst:
    """A route handler keeping back the first matching request until `release`; the others pass."""

    def __init__(self) -> None:
        self.held: list = []

    def __call__(self, route) -> None:
        if self.held:
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> None:
        with contextlib.suppress(PlaywrightError):  # the page may have given that request up already
            self.held[0].continue_()


def test_a_late_answer_to_an_earlier_preview_does_not_hide_the_stamp_section(live_server, page, api):
    data = accesso_atti_data(atti_richiesti=None, motivazione=None, modalita_accesso=None)
    app_id = create(api, "accesso-atti", data)["id"]  # the applicant step is done
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/pratiche/{app_id}/passi/richiesta")
    page.evaluate(COUNT_REQUESTS)
    page.fill("#f-atti-richiesti", "Delibera n. 12/2026 sul piano del traffico")
    page.locator("#f-atti-richiesti").blur()
    page.wait_for_function("() => window.requestsDone >= 1")  # that preview is over

    first = HoldFirst()
    page.route("**/anteprima", first)
    page.fill("#f-motivazione", "Interesse diretto come residente")
    tick(page, "f-modalita-accesso-3")  # "copia conforme": leaving Motivazione and the choice, two previews
    page.wait_for_timeout(500)  # the later preview, once sent, is answered while the first is still held
    first.release()  # the earlier preview ("no stamp needed") is answered last
    page.wait_for_function("() => window.requestsDone >= 3")
    page.wait_for_timeout(300)  # anything still in flight would land now

    section = page.locator("#f-marca-da-bollo-identificativo")
    assert section.is_visible(), "the stamp section a later choice opened was hidden by an earlier answer"
    section.fill(STAMP_ID)
    page.fill("#f-marca-da-bollo-data-emissione", "2026-01-15")
    page.get_by_role("button", name="Avanti").click()
    page.wait_for_url(re.compile(r"/riepilogo$"))
    assert STAMP_ID in page.content()


def test_the_rating_follow_up_is_the_one_of_the_last_score(live_server, page, api):
    app_id = submitted(api, "contributo")
    login(page, live_server)
    page.wait_for_url(re.compile(r"/area-personale$"))
    page.goto(f"{live_server}/demo/pratiche/{app_id}/inviata")
    page.evaluate(COUNT_REQUESTS)
    first = HoldFirst()
    page.route("**/valutazione/seguito*", first)
    for star in (2, 5, 1):  # a quick change of mind while the first answer is slow
        page.locator(f'label[for="star{star}"]').click()
    page.wait_for_timeout(500)
    first.release()
    page.wait_for_function("() => window.requestsDone >= 2")
    page.wait_for_timeout(300)  # anything still in flight would land now
    negative, positive = (page.locator(f'[data-element="feedback-rating-{kind}"]') for kind in ("negative", "positive"))
    expect(negative).to_be_visible()  # one star: "where was it hard"
    expect(positive).to_be_hidden()
