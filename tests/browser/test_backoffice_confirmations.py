"""Irreversible acts of the back office ask first: "Annulla" on an appointment and "Rendi manager" open a
dialog and nothing changes until it is confirmed; without JavaScript the same question is a page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.backoffice.conftest import logged_in
from tests.backoffice.test_meetings_office import _phone_booking
from tests.browser.test_backoffice_handling import staff_login
from tests.conftest import assert_accessible
from tests.webapp.calendars import open_every_day
from webapp.extensions import db
from webapp.models import Meeting, User
from webapp.models.calendars import APPROVED, CANCELLED


def _control(page, name: str):
    """The link or button named `name` (whichever it is: what matters is what clicking it does)."""
    return page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name)).first


def _opened(page, dialog) -> None:
    """The dialog is shown and its fade-in is over (axe would otherwise measure half-transparent text)."""
    expect(dialog).to_be_visible()
    page.wait_for_function("el => getComputedStyle(el).opacity === '1'", arg=dialog.element_handle())


def _status(app, meeting_id) -> int:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).status


def _booked(app):
    calendar_id = open_every_day(app)
    meeting_id = _phone_booking(app, logged_in(app, "operatore"), calendar_id, date.today() + timedelta(days=2))
    return calendar_id, meeting_id


def test_annulla_opens_a_dialog_and_nothing_changes_until_confirmed(app, live_server, page):
    calendar_id, meeting_id = _booked(app)
    base = staff_login(page, live_server, "operatore")
    agenda = f"{base}/calendari/{calendar_id}/appuntamenti?dal={date.today().isoformat()}"
    page.goto(agenda)
    _control(page, "Annulla Luigi Neri").click()
    dialog = page.get_by_role("dialog", name="Annulla l'appuntamento")
    _opened(page, dialog)
    assert page.url == agenda and _status(app, meeting_id) == APPROVED
    assert_accessible(page)
    dialog.get_by_role("button", name="Torna indietro").click()
    expect(dialog).to_be_hidden()
    assert _status(app, meeting_id) == APPROVED
    _control(page, "Annulla Luigi Neri").click()
    dialog.get_by_label("Messaggio per il cittadino (facoltativo)").fill("L'ufficio resterà chiuso")
    dialog.get_by_role("button", name="Annulla l'appuntamento").click()
    page.get_by_text("Appuntamento aggiornato.").wait_for()
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert (meeting.status, meeting.motivation_outcome) == (CANCELLED, "L'ufficio resterà chiuso")


def test_rendi_manager_opens_a_dialog_and_acts_only_when_confirmed(app, live_server, page):
    base = staff_login(page, live_server, "manager")
    page.goto(f"{base}/operatori")
    _control(page, "Rendi manager Olivia Operatrice").click()
    dialog = page.get_by_role("dialog", name="Rendi manager Olivia Operatrice")
    _opened(page, dialog)
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(db.select(User.role).where(User.username == "operatore")) == "operator"
    dialog.get_by_role("button", name="Rendi manager").click()
    page.get_by_text("Olivia Operatrice ora è manager.").wait_for()
    with app.app_context():
        assert db.session.scalar(db.select(User.role).where(User.username == "operatore")) == "manager"


def test_without_javascript_annulla_leads_to_the_question_as_a_page(app, browser, live_server):
    calendar_id, meeting_id = _booked(app)
    context = browser.new_context(locale="it-IT", java_script_enabled=False)
    try:
        plain = context.new_page()
        base = staff_login(plain, live_server, "operatore")
        plain.goto(f"{base}/calendari/{calendar_id}/appuntamenti?dal={date.today().isoformat()}")
        _control(plain, "Annulla Luigi Neri").click()
        plain.wait_for_url(re.compile(r"/cancel\?dal="))
        assert plain.locator("h1").inner_text() == "Annulla l'appuntamento"
        assert _status(app, meeting_id) == APPROVED
        plain.get_by_role("button", name="Annulla l'appuntamento").click()
        plain.get_by_text("Appuntamento aggiornato.").wait_for()
        assert _status(app, meeting_id) == CANCELLED
    finally:
        context.close()
