"""The workshop's modeller page in a real browser: an administrator adds a user task through our panel,
saves, and after a reload it is still there; the server's problem is marked on the element it names; a
manager sees the process read-only; an operator is told nothing exists. Each page passes axe."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_backoffice_handling import staff_login
from tests.conftest import assert_accessible

PATH = "/gestione-servizi/occupazione-suolo/processo"


def violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return found


def loaded(page) -> None:
    expect(page.locator("#wk-status")).not_to_be_empty()


def choose(page, element_id: str) -> None:
    page.select_option("#wk-elements", element_id)
    expect(page.locator("#wk-properties [data-key=id]")).to_have_value(element_id)


def panel(page, label: str):
    return page.locator("#wk-properties").get_by_label(label, exact=True)


def test_an_administrator_adds_a_user_task_saves_and_finds_it_after_a_reload(live_server, page):
    csp = violations(page)
    base = staff_login(page, live_server, "admin")
    page.goto(base + PATH)
    loaded(page)
    assert page.locator(".bjs-powered-by").is_visible()
    expect(page.locator("#wk-problems-server")).to_contain_text("Nessun problema")
    assert_accessible(page)
    choose(page, "sc_opinions")
    page.select_option("#wk-append-type", "bpmn:UserTask")
    page.get_by_role("button", name="Aggiungi", exact=True).click()
    expect(page.locator("#wk-properties h3")).to_contain_text("Attività utente")
    new_id = page.input_value("#wk-properties [data-key=id]")
    panel(page, "Nome").fill("Verifica del sopralluogo")
    panel(page, "Nome").press("Tab")
    panel(page, "Modulo da compilare").select_option("parere")
    panel(page, "Chi la completa").select_option("ufficio:tecnico")
    panel(page, "Stato della pratica").select_option("4600")
    panel(page, "Variabile delle risposte").fill("sopralluogo")
    panel(page, "Variabile delle risposte").press("Tab")
    assert_accessible(page)
    page.get_by_role("button", name="Salva").click()
    expect(page.locator("#wk-status")).to_contain_text("il server ha trovato")
    # sc_opinions now has two outgoing flows: the server names it, the page marks it and lists it
    server = page.locator("#wk-problems-server")
    expect(server.get_by_role("button", name=re.compile("sc_opinions"))).to_be_visible()
    assert page.locator(".djs-element[data-element-id='sc_opinions'].wk-has-problem").count() == 1
    server.get_by_role("button", name=re.compile("sc_opinions")).click()
    expect(page.locator("#wk-properties [data-key=id]")).to_have_value("sc_opinions")
    assert_accessible(page)

    page.reload()
    loaded(page)
    choose(page, new_id)
    expect(panel(page, "Nome")).to_have_value("Verifica del sopralluogo")
    expect(panel(page, "Modulo da compilare")).to_have_value("parere")
    expect(panel(page, "Chi la completa")).to_have_value("ufficio:tecnico")
    expect(panel(page, "Stato della pratica")).to_have_value("4600")
    expect(panel(page, "Variabile delle risposte")).to_have_value("sopralluogo")
    # the problem the last save found is shown again from the page itself
    assert page.locator(".djs-element[data-element-id='sc_opinions'].wk-has-problem").count() == 1
    assert csp == []


def test_a_manager_sees_the_process_read_only(live_server, page):
    csp = violations(page)
    base = staff_login(page, live_server, "manager")
    page.goto(base + PATH)
    loaded(page)
    assert page.get_by_role("button", name="Salva").count() == 0
    assert page.locator(".djs-palette").count() == 0
    choose(page, "ut_review")
    expect(panel(page, "Modulo da compilare")).to_be_disabled()
    expect(page.get_by_role("button", name="Scarica BPMN")).to_be_visible()
    assert_accessible(page)
    assert csp == []


def test_an_operator_gets_not_found(live_server, page):
    base = staff_login(page, live_server, "operatore")
    response = page.goto(base + PATH)
    assert response is not None and response.status == 404
