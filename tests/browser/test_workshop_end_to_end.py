"""The workshop from end to end in a real browser: an administrator creates a service from scratch, makes its
form two steps with a conditional field, adds a form for another office's opinion, draws a process that routes
on the form's data to that office's task (properties through our panel), tries it in the sandbox and publishes
version 1; a citizen applies and the technical office gives its opinion from its inbox; the administrator
changes the draft and publishes version 2 while the application stays on version 1; version 2's zip, imported
into another ente and published there, exports the same files. The workshop's pages pass axe (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_backoffice_handling import staff_login
from tests.browser.test_citizen_flow import login as citizen_login
from tests.browser.test_citizen_flow import tick
from tests.conftest import assert_accessible
from tests.webapp.helpers import MARIO, create
from tests.webapp.process_tasks import tasks
from tests.workshop.helpers import other_ente, unzip

SLUG = "passo-carrabile"
TITLE = "Passo carrabile"
WORKSHOP = "/gestione-servizi/"
CONDITION = "domanda.zona == 'centro storico'"


def csp_watch(page: Any) -> list[str]:
    found: list[str] = []
    page.on("console", lambda message: found.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    return found


def new_service_from_scratch(page: Any, base: str) -> None:
    page.goto(base + WORKSHOP)
    page.get_by_role("link", name="Nuovo servizio").click()
    page.wait_for_url(re.compile(r".*/gestione-servizi/nuovo$"))
    assert_accessible(page)
    expect(page.locator("#start-blank")).to_be_checked()  # "Da zero" is where a new service starts
    page.fill("#title", TITLE)
    page.fill("#slug", SLUG)
    page.fill("#category", "Mobilità e trasporti")
    page.get_by_role("button", name="Crea la bozza").click()
    page.wait_for_url(re.compile(f".*/gestione-servizi/{SLUG}/$"))
    expect(page.get_by_text("Mai pubblicato: i cittadini non lo vedono.")).to_be_visible()
    expect(page.get_by_text("La bozza si carica senza errori.")).to_be_visible()


def two_step_form_with_a_condition(page: Any, base: str) -> None:
    """The citizen's form: a second step «Il luogo» with a required choice of zone and, only for the historic
    centre, the heritage office's clearance."""
    page.goto(base + WORKSHOP + SLUG + "/")
    page.get_by_role("link", name="domanda", exact=True).click()
    page.wait_for_url(re.compile(r".*/moduli/domanda$"))
    preview = page.locator("#fe-anteprima")
    expect(preview.locator("#f-richiesta")).to_be_visible()
    page.get_by_role("button", name="Aggiungi un passo").click()
    expect(page.locator("#fe-passo-1-titolo")).to_be_focused()
    page.fill("#fe-passo-1-titolo", "Il luogo")
    page.fill("#fe-passo-1-id", "luogo")
    step = page.locator(".fe-passo").nth(1)

    step.get_by_role("button", name="Aggiungi un campo").click()
    key = page.locator("#fe-c-campo_1-chiave")
    expect(key).to_be_focused()
    key.fill("zona")
    key.press("Tab")  # a key changes on leaving the box
    page.select_option("#fe-c-zona-tipo", "radio")
    page.fill("#fe-c-zona-etichetta", "Dove si trova il passo carrabile")
    page.fill("#fe-c-zona-scelte", "centro storico\naltra zona")
    page.locator("#fe-c-zona-scelte").press("Tab")
    page.click('label[for="fe-c-zona-obbligatorio"]')

    page.locator(".fe-passo").nth(1).get_by_role("button", name="Aggiungi un campo").click()
    key = page.locator("#fe-c-campo_1-chiave")
    expect(key).to_be_focused()
    key.fill("nulla_osta")
    key.press("Tab")
    page.fill("#fe-c-nulla_osta-etichetta", "Numero del nulla osta della Soprintendenza")
    page.click('label[for="fe-c-nulla_osta-obbligatorio"]')
    page.select_option("#fe-c-nulla_osta-quando", label="Dove si trova il passo carrabile")
    page.select_option("#fe-c-nulla_osta-valore", "centro storico")

    # the preview shows the second step as the citizen will see it: the clearance only for the centre
    page.select_option("#fe-passo", label="Il luogo")
    expect(preview.locator("#f-zona-2")).to_have_count(1)
    expect(preview.locator("#f-nulla-osta")).to_have_count(0)
    preview.locator('label[for="f-zona"]').click()  # «centro storico», the first choice
    expect(preview.locator("#f-nulla-osta")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Salva nella bozza").click()
    expect(page.locator("#fe-stato")).to_contain_text("Modulo salvato nella bozza.")


def a_form_for_the_opinion(page: Any, base: str) -> None:
    """The technical office's opinion needs a form of its own: the citizen's and the decision's belong to the
    standard lifecycle."""
    page.goto(base + WORKSHOP + SLUG + "/")
    page.fill("#form_ref", "parere_tecnico")
    page.fill("#form_title", "Parere dell'Ufficio Tecnico")
    page.get_by_role("button", name="Aggiungi il modulo").click()
    page.wait_for_url(re.compile(r".*/moduli/parere_tecnico$"))
    expect(page.get_by_text("Modulo «parere_tecnico» aggiunto alla bozza.")).to_be_visible()
    expect(page.locator("#fe-anteprima #f-note")).to_be_visible()
    page.locator("#fe-visuale summary", has_text="(note)").click()  # a field's details open on its summary
    page.fill("#fe-c-note-etichetta", "Motivazione del parere")
    page.get_by_role("button", name="Salva nella bozza").click()
    expect(page.locator("#fe-stato")).to_contain_text("Modulo salvato nella bozza.")


def choose(page: Any, element_id: str) -> None:
    page.select_option("#wk-elements", element_id)
    expect(page.locator("#wk-properties [data-key=id]")).to_have_value(element_id)


def panel(page: Any, label: str) -> Any:
    return page.locator("#wk-properties").get_by_label(label, exact=True)


def fill_panel(page: Any, label: str, text: str) -> None:
    panel(page, label).fill(text)
    panel(page, label).press("Tab")  # the panel applies a text on `change`


def append(page: Any, after: str, kind: str) -> str:
    """A new element after `after` through the panel's "Aggiungi"; returns its id."""
    choose(page, after)
    page.select_option("#wk-append-type", kind)
    page.get_by_role("button", name="Aggiungi", exact=True).click()
    expect(page.locator("#wk-properties [data-key=id]")).not_to_have_value(after)
    return str(page.input_value("#wk-properties [data-key=id]"))


def connect(page: Any, source: str, target: str) -> str:
    """A sequence flow drawn through the modeller's API (dragging a connection is impractical here)."""
    return str(page.evaluate("""([source, target]) => {
        const m = window.workshopModeller.modeler, registry = m.get('elementRegistry');
        return m.get('modeling').connect(registry.get(source), registry.get(target), {type: 'bpmn:SequenceFlow'}).id;
    }""", [source, target]))


def remove(page: Any, element_id: str) -> None:
    page.evaluate("""(id) => {
        const m = window.workshopModeller.modeler;
        m.get('modeling').removeElements([m.get('elementRegistry').get(id)]);
    }""", element_id)


def process_with_a_gateway_and_another_office(page: Any, base: str) -> None:
    """After the receipt, a gateway sends applications for the historic centre to the technical office's
    opinion before the decision; the others go straight to the decision (the default flow)."""
    page.goto(base + WORKSHOP + SLUG + "/")
    page.get_by_role("link", name="Processo (BPMN)").click()
    page.wait_for_url(re.compile(r".*/processo$"))
    expect(page.locator("#wk-status")).not_to_be_empty()
    expect(page.locator("#wk-problems-server")).to_contain_text("Nessun problema")

    gateway = append(page, "ca_receipt", "bpmn:ExclusiveGateway")
    fill_panel(page, "Nome", "Zona")
    opinion = append(page, gateway, "bpmn:UserTask")
    fill_panel(page, "Nome", "Parere dell'Ufficio Tecnico")
    panel(page, "Modulo da compilare").select_option("parere_tecnico")
    fill_panel(page, "Azioni possibili", "favorevole, contrario")
    panel(page, "Chi la completa").select_option("ufficio:tecnico")
    panel(page, "Stato della pratica").select_option("4000")
    fill_panel(page, "Variabile delle risposte", "parere_tecnico")
    assert_accessible(page)

    remove(page, "flow_receipt_to_outcome")
    after_opinion = connect(page, opinion, "ut_outcome")
    direct = connect(page, gateway, "ut_outcome")
    to_opinion = page.evaluate("""(id) => window.workshopModeller.modeler.get('elementRegistry').get(id)
        .businessObject.outgoing.map((f) => f.id)""", gateway)
    to_opinion = next(f for f in to_opinion if f != direct)
    assert after_opinion

    choose(page, to_opinion)
    fill_panel(page, "Nome", "centro storico")
    fill_panel(page, "Condizione", CONDITION)
    choose(page, gateway)
    panel(page, "Percorso predefinito").select_option(direct)

    page.get_by_role("button", name="Salva").click()
    expect(page.locator("#wk-status")).to_contain_text("Salvato (revisione")
    expect(page.locator("#wk-problems-server")).to_contain_text("Nessun problema")
    expect(page.locator("#wk-problems-quick")).to_contain_text("Nessun problema")

    page.reload()  # what the server kept
    expect(page.locator("#wk-status")).not_to_be_empty()
    choose(page, to_opinion)
    expect(panel(page, "Condizione")).to_have_value(CONDITION)
    choose(page, opinion)
    expect(panel(page, "Chi la completa")).to_have_value("ufficio:tecnico")


def tried_in_the_sandbox(page: Any, base: str) -> None:
    """"Prova il servizio": the application for the historic centre reaches the technical office's opinion,
    and after it the decision, with nothing sent anywhere."""
    page.goto(base + WORKSHOP + SLUG + "/")
    page.get_by_role("link", name="Prova il servizio").click()
    page.wait_for_url(re.compile(r".*/prova$"))
    page.locator("label[for=f-privacy]").click()
    page.fill("#f-richiesta", "Prova: passo carrabile in via Roma")
    expect(page.locator("#f-nulla-osta")).to_have_count(0)
    page.locator("label[for=f-zona]").click()  # «centro storico»: the clearance is asked for, as of a citizen
    page.fill("#f-nulla-osta", "SABAP-RM 0001/2026")
    page.locator("#f-nulla-osta").press("Tab")  # a change asks for the fields again: let it land first
    expect(page.locator("#prova-campi.htmx-request")).to_have_count(0)
    expect(page.locator("#f-nulla-osta")).to_have_value("SABAP-RM 0001/2026")
    page.get_by_role("button", name="Invia la domanda di prova").click()
    page.wait_for_url(re.compile(r".*/prova/[0-9a-f-]{36}$"))
    opinion = page.locator(".card", has=page.get_by_role("heading", name="Parere dell'Ufficio Tecnico"))
    expect(opinion).to_contain_text("Ufficio Tecnico")
    assert_accessible(page)
    opinion.get_by_label("Motivazione del parere").fill("Prova")
    opinion.locator('label[for$="-action-1"]').click()  # «favorevole»
    opinion.get_by_role("button", name="Completa l'attività").click()
    expect(page.get_by_text("Attività completata nella prova.")).to_be_visible()
    expect(page.get_by_role("heading", name="Decidi la domanda")).to_be_visible()
    expect(page.locator("#percorso-elenco")).to_contain_text("Parere dell'Ufficio Tecnico")


def publish(page: Any, base: str, number: int) -> None:
    page.goto(base + WORKSHOP + SLUG + "/")
    page.get_by_role("link", name="Pubblica la bozza").click()
    dialog = page.locator("#confirm-publish")
    dialog.wait_for(state="visible")
    expect(dialog).to_contain_text(f"La bozza diventa la versione {number}")
    dialog.get_by_role("button", name="Pubblica", exact=True).click()
    expect(page.get_by_text(f"Pubblicata la versione {number}.")).to_be_visible()
    expect(page.get_by_text(f"Versione in uso: {number}.")).to_be_visible()


def citizen_applies(browser: Any, live_server: str) -> None:
    context = browser.new_context(locale="it-IT")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        citizen_login(page, live_server)
        page.goto(f"{live_server}/demo/servizi/{SLUG}/domanda")
        tick(page, "f-privacy")
        page.fill("#f-richiesta", "Passo carrabile al civico 12 di via Roma")
        page.get_by_role("button", name="Avanti").click()
        page.wait_for_url(re.compile(r"/passi/luogo$"))
        assert page.locator("#f-nulla-osta").count() == 0
        tick(page, "f-zona")  # «centro storico», the first choice: the clearance is asked for
        page.locator("#f-nulla-osta").wait_for()
        page.fill("#f-nulla-osta", "SABAP-RM 1234/2026")
        assert_accessible(page)
        page.get_by_role("button", name="Avanti").click()
        page.wait_for_url(re.compile(r"/riepilogo$"))
        assert "SABAP-RM 1234/2026" in page.content()
        page.get_by_role("button", name="Conferma e invia").click()
        page.wait_for_url(re.compile(r"/inviata$"))
    finally:
        context.close()


def enable_for_the_service(page: Any, base: str, operator: str) -> None:
    """A new service has no operators yet: the administrator enables the technical office's one for it."""
    page.goto(base + "/operatori")
    page.get_by_role("link", name=f"Modifica {operator}").click()
    page.locator("label", has_text=TITLE).click()
    page.get_by_role("button", name="Salva", exact=True).click()
    page.wait_for_url(re.compile(r".*/operatori$"))


def technical_office_gives_its_opinion(browser: Any, live_server: str, app_id: str) -> None:
    context = browser.new_context(locale="it-IT")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        base = staff_login(page, live_server, "tecnico")
        page.goto(f"{base}/attivita")
        page.get_by_role("link", name="Parere dell'Ufficio Tecnico").click()
        page.wait_for_url(re.compile(f".*/pratiche/{app_id}/attivita/.*"))
        page.get_by_label("Motivazione del parere").fill("Nessun vincolo sulla carreggiata")
        page.locator('label[for$="-action-1"]').click()  # «favorevole», the first choice
        assert_accessible(page)
        page.get_by_role("button", name="Completa l'attività").click()
        page.get_by_text("Attività completata.").wait_for()
    finally:
        context.close()


def the_application(api: Any) -> dict[str, Any]:
    response = api.get("/applications", MARIO)
    assert response.status_code == 200, response.get_json()
    rows = response.get_json()["data"]
    ours = [row for row in rows if row.get("service") == SLUG]
    assert len(ours) == 1, rows
    detail = api.get(f"/applications/{ours[0]['id']}", MARIO)
    assert detail.status_code == 200
    return detail.get_json()  # type: ignore[no-any-return]


def change_the_description(page: Any, base: str) -> None:
    page.goto(base + WORKSHOP + SLUG + "/")
    page.fill("#text_description", "Il permesso per aprire un passo carrabile su una strada comunale.")
    page.get_by_role("button", name="Salva nella bozza").click()
    expect(page.get_by_text("Testi e opzioni salvati nella bozza.")).to_be_visible()
    expect(page.get_by_text("Modifiche non pubblicate")).to_be_visible()


def download(page: Any, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_a_service_from_scratch_to_two_versions_and_another_ente(live_server, browser, page, api, app, tmp_path):
    csp = csp_watch(page)
    base = staff_login(page, live_server, "admin")
    new_service_from_scratch(page, base)
    two_step_form_with_a_condition(page, base)
    a_form_for_the_opinion(page, base)
    process_with_a_gateway_and_another_office(page, base)
    tried_in_the_sandbox(page, base)
    publish(page, base, 1)

    citizen_applies(browser, live_server)
    first = the_application(api)
    assert first["service_version"] == 1
    waiting = tasks(api, first["id"], "manager")
    assert [t["label"] for t in waiting] == ["Parere dell'Ufficio Tecnico"], waiting
    assert (waiting[0]["candidate"], waiting[0]["actions"]) == ("ufficio:tecnico", ["favorevole", "contrario"])
    enable_for_the_service(page, base, "Tommaso Tecnico")
    technical_office_gives_its_opinion(browser, live_server, first["id"])
    assert [t["name"] for t in tasks(api, first["id"], "manager")] == ["ut_outcome"]  # on to the decision

    change_the_description(page, base)
    publish(page, base, 2)
    assert the_application(api)["service_version"] == 1  # the application stays on the version it started on
    later = create(api, SLUG, {"privacy": True, "richiesta": "Un altro passo carrabile", "zona": "altra zona"})
    assert later["service_version"] == 2  # a new one starts on version 2

    page.goto(base + WORKSHOP + SLUG + "/")
    exported = download(page, "Esporta la versione 2")
    files = unzip(exported)
    assert f"{SLUG}/forms/domanda.json" in files and "nulla_osta" in files[f"{SLUG}/forms/domanda.json"]
    assert "version: 2" in files[f"{SLUG}/service.yaml"]

    other_ente(app)
    there = f"{live_server}/altrove/backoffice"
    page.goto(f"{there}/login")
    page.fill("#username", "admin-altrove")
    page.fill("#password", "demo")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(re.compile(r".*/altrove/backoffice/(?!login).*"))
    page.goto(there + WORKSHOP)
    archive = tmp_path / f"{SLUG}-v2.zip"
    archive.write_bytes(exported)
    page.set_input_files("#import-file", str(archive))
    page.get_by_role("button", name="Importa", exact=True).click()
    page.wait_for_url(re.compile(f".*/altrove/backoffice/gestione-servizi/{SLUG}/$"))
    expect(page.get_by_text("La bozza si carica senza errori.")).to_be_visible()
    page.get_by_role("link", name="Pubblica la bozza").click()
    dialog = page.locator("#confirm-publish")
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Pubblica", exact=True).click()
    expect(page.get_by_text("Pubblicata la versione 2.")).to_be_visible()
    theirs = unzip(download(page, "Esporta la versione 2"))
    assert theirs == files  # the same service, file for file
    assert csp == []


def test_the_workshop_pages_pass_axe(live_server, page):
    base = staff_login(page, live_server, "admin")
    page.goto(base + WORKSHOP)
    assert_accessible(page)
    page.goto(base + WORKSHOP + "nuovo")
    assert_accessible(page)
    page.fill("#title", TITLE)
    page.fill("#slug", "Non valido")
    page.get_by_role("button", name="Crea la bozza").click()  # the page again, with its errors
    expect(page.locator("#slug")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.goto(base + WORKSHOP + "occupazione-suolo/")
    assert_accessible(page)
