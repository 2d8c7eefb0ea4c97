"""In a real browser: an operator turns on two-step verification from Il mio account (QR code, recovery codes
shown once) and the next login asks for the code; the pages pass axe."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from tests.browser.test_backoffice_handling import staff_login
from tests.conftest import assert_accessible


def test_totp_enrol_and_login(app, live_server, page):
    base = staff_login(page, live_server, "operatore")
    page.goto(f"{base}/account")
    assert_accessible(page)
    page.get_by_role("link", name="Attiva la verifica in due passaggi").click()
    expect(page.get_by_role("img", name=re.compile("Codice QR"))).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Attiva").click()
    expect(page.get_by_role("heading", name="Verifica in due passaggi attivata")).to_be_visible()
    assert page.locator("li code").count() == 10
    assert_accessible(page)
    page.get_by_role("button", name="Esci").click()
    page.fill("#username", "operatore")
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/login/codice.*"))
    assert_accessible(page)
    used = int(time.time()) // 30
    while int(time.time()) // 30 <= used:  # the enrolment's code is spent: wait for the next one
        time.sleep(0.5)
    page.get_by_label("Codice").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    page.wait_for_url(re.compile(r".*/pratiche.*"))
