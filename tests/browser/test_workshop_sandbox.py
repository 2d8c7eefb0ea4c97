"""A sandbox walk in a real browser: the main form with its errors, the run's task completed, the path
marked on the read-only viewer (markers and legend) and listed; axe on each page; no CSP violation."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_backoffice_handling import staff_login
from tests.conftest import assert_accessible
from webapp.extensions import db
from webapp.models import Tenant, User
from webapp.services import workshop
from webapp.services.common.uow import unit_of_work

SLUG = "prova-browser"


def test_an_administrator_walks_a_draft_in_the_sandbox(app, live_server, page):
    with app.app_context():
        tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == "demo"))
        admin = db.session.scalar(db.select(User).where(User.username == "admin", User.tenant_id == tenant.id))
        with unit_of_work():
            workshop.create_service(tenant, admin, SLUG, "Servizio nel browser")
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    base = staff_login(page, live_server, "admin")
    page.goto(f"{base}/gestione-servizi/{SLUG}/prova")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prova il servizio")
    page.get_by_role("button", name="Invia la domanda di prova").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    page.locator("label[for=f-privacy]").click()  # Bootstrap Italia draws the box on the label
    page.get_by_label("Descrivi la tua richiesta", exact=False).fill("Una richiesta dal browser")
    page.get_by_role("button", name="Invia la domanda di prova").click()
    expect(page.locator("#stato-attuale")).to_have_text("Presa in carico")
    viewer = page.locator("[data-process-viewer]")
    expect(viewer).to_have_attribute("data-ready", "true")
    expect(viewer.locator(".wk-trail-badge.wk-trail-current").first).to_be_visible()
    assert viewer.locator(".djs-overlay .wk-trail-completed").count() >= 2
    expect(page.locator("#percorso-elenco")).to_contain_text("Compila la domanda")
    assert_accessible(page)
    page.locator("label.form-check-label", has_text="Accolta").click()
    page.get_by_role("button", name="Completa l'attività").click()
    expect(page.locator("#stato-attuale")).to_have_text("Approvata")
    expect(page.locator("#percorso-elenco")).to_contain_text("Accolta")
    expect(page.get_by_role("table").last).to_contain_text("simulato")
    assert csp == []
