"""The BPMN modeller and viewer bundles in a real browser, on static pages under the app's CSP
(tests/browser/bpmn_harness.py): a process without a diagram is laid out, our panel writes the
spiffworkflow: properties the engine reads (and the engine still loads the saved file), the quick check
and the server's problems are marked on the elements, and the viewer marks an application's trail."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from playwright.sync_api import expect

import engine
from tests.browser.bpmn_harness import Harness, modeller_page, viewer_page
from tests.conftest import assert_accessible

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
OSP = (WORKFLOWS / "occupazione-suolo" / "process.bpmn").read_text()
CONTRIBUTO = (WORKFLOWS / "contributo" / "process.bpmn").read_text()
PAGAMENTO = (WORKFLOWS / "_fragments" / "pagamento" / "pagamento.bpmn").read_text()
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core"}


def open_modeller(page, xml: str = OSP, **kwargs) -> Harness:
    harness = Harness(page, modeller_page(**kwargs), xml)
    harness.open()
    expect(page.locator("#wk-status")).not_to_be_empty()
    return harness


def choose(page, element_id: str) -> None:
    """Select an element the keyboard way: through the element list, not the canvas."""
    page.select_option("#wk-elements", element_id)
    page.locator("#wk-properties [data-key=id]").wait_for()
    assert page.input_value("#wk-properties [data-key=id]") == element_id


def field(page, label: str):
    return page.locator("#wk-properties").get_by_label(label, exact=True)


def saved_tree(harness: Harness) -> etree._Element:
    return etree.fromstring(harness.saved[-1]["xml"].encode())


def props(tree: etree._Element, element_id: str) -> dict[str, str]:
    found = tree.xpath(f"//bpmn:*[@id='{element_id}']/bpmn:extensionElements/spiffworkflow:properties/"
                       "spiffworkflow:property", namespaces=NS)
    return {p.get("name"): p.get("value") for p in found}


def save(page, harness: Harness) -> None:
    count = len(harness.saved)
    page.get_by_role("button", name="Salva").click()
    expect(page.locator("#wk-status")).not_to_contain_text("in corso")
    assert len(harness.saved) == count + 1


def test_a_process_without_diagram_is_laid_out_and_edited_through_the_panel(page, tmp_path):
    harness = open_modeller(page)
    assert "disposto automaticamente" in page.text_content("#wk-status")
    assert page.locator(".bjs-powered-by").is_visible()  # the bpmn.io watermark the licence keeps
    assert_accessible(page)
    choose(page, "ut_review")
    assert field(page, "Modulo da compilare").input_value() == "esito"
    assert field(page, "Chi la completa").input_value() == "ufficio:urp"
    assert field(page, "Stato della pratica").input_value() == "4000"
    field(page, "Stato della pratica").select_option("__other__")
    field(page, "Codice o espressione dello stato").fill("4100")
    field(page, "Codice o espressione dello stato").press("Tab")
    field(page, "Azioni possibili").fill("accept, reject, integrate")
    field(page, "Azioni possibili").press("Tab")
    field(page, "Nome").fill("Istruttoria")
    field(page, "Nome").press("Tab")
    choose(page, "tev_reminder_technical")
    assert field(page, "Quantità").input_value() == "5" and field(page, "Unità").input_value() == "days"
    assert "non conta i giorni lavorativi" in page.text_content("#wk-properties")
    field(page, "Quantità").fill("3")
    field(page, "Quantità").press("Tab")
    choose(page, "ca_receipt")
    assert field(page, "Frammento da eseguire").input_value() == "sub_receipt"
    choose(page, "gw_outcome")
    assert field(page, "Percorso predefinito").input_value() == "flow_gw_outcome_to_ut_review"
    assert_accessible(page)
    save(page, harness)

    assert harness.saved[-1]["revision"] == 1
    assert harness.save_headers[-1]["if-match"] == '"1"' and harness.save_headers[-1]["x-csrftoken"] == "token-123"
    assert "revisione 2" in page.text_content("#wk-status")
    tree = saved_tree(harness)
    assert props(tree, "ut_review") == {"status": "4100", "form": "esito", "actions": "accept,reject,integrate",
                                        "candidate": "ufficio:urp"}
    assert tree.xpath("//bpmn:userTask[@id='ut_review']/@name", namespaces=NS) == ["Istruttoria"]
    assert tree.xpath("//bpmn:boundaryEvent[@id='tev_reminder_technical']//bpmn:timeDuration/text()",
                      namespaces=NS) == ["'P3D'"]
    assert tree.xpath("//*[local-name()='BPMNShape']")  # the generated diagram is saved with it
    # every other extension element came through untouched, and the engine loads the saved file
    before = etree.fromstring(OSP.encode())
    assert len(tree.xpath("//spiffworkflow:*", namespaces=NS)) == len(before.xpath("//spiffworkflow:*", namespaces=NS))
    folder = tmp_path / "occupazione-suolo"
    shutil.copytree(WORKFLOWS / "occupazione-suolo", folder)
    shutil.copytree(WORKFLOWS / "_fragments", tmp_path / "_fragments")
    shutil.copytree(WORKFLOWS / "_lifecycle", tmp_path / "_lifecycle")
    (folder / "process.bpmn").write_text(harness.saved[-1]["xml"])
    engine.load_service(folder)
    assert harness.violations == []


def test_a_user_task_added_from_the_panel_gets_its_properties_and_the_quick_check_speaks(page):
    harness = open_modeller(page)
    choose(page, "sc_opinions")
    page.select_option("#wk-append-type", "bpmn:UserTask")
    page.get_by_role("button", name="Aggiungi", exact=True).click()
    expect(page.locator("#wk-properties h3")).to_contain_text("Attività utente:")
    new_id = page.input_value("#wk-properties [data-key=id]")
    # a new user task has no form, and sc_opinions now has two outgoing flows: the quick check says both
    quick = page.locator("#wk-problems-quick")
    quick.get_by_text("non ha un modulo").wait_for()
    assert quick.get_by_text("un solo flusso in uscita").count() == 1
    assert page.locator(f".djs-element[data-element-id='{new_id}'].wk-has-problem").count() == 1
    field(page, "Nome").fill("Verifica finale")
    field(page, "Nome").press("Tab")
    field(page, "Modulo da compilare").select_option("parere")
    field(page, "Chi la completa").select_option("__other__")
    field(page, "Espressione, senza il segno =").fill("ufficio_scelto")
    field(page, "Espressione, senza il segno =").press("Tab")
    field(page, "Variabile delle risposte").fill("verifica")
    field(page, "Variabile delle risposte").press("Tab")
    assert quick.get_by_text("non ha un modulo").count() == 0
    assert page.locator(f".djs-element[data-element-id='{new_id}'].wk-has-problem").count() == 0
    save(page, harness)
    tree = saved_tree(harness)
    assert props(tree, new_id) == {"form": "parere", "candidate": "=ufficio_scelto"}
    assert tree.xpath(f"//bpmn:userTask[@id='{new_id}']/@name", namespaces=NS) == ["Verifica finale"]
    variable = f"//bpmn:userTask[@id='{new_id}']//spiffworkflow:variableName/text()"
    assert tree.xpath(variable, namespaces=NS) == ["verifica"]
    assert tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='sc_opinions'][@targetRef='{new_id}']", namespaces=NS)
    assert harness.violations == []


def test_service_tasks_through_the_panel(page):
    harness = open_modeller(page, PAGAMENTO)
    choose(page, "st_payment")
    assert field(page, "Operazione").input_value() == "payment.create_debt_position"
    assert field(page, "Variabile del risultato").input_value() == "payment"
    names = page.locator("#wk-properties").get_by_label("Nome del parametro", exact=True)
    assert [names.nth(i).input_value() for i in range(names.count())] == ["amount", "phase"]
    page.get_by_role("button", name="Rimuovi il parametro phase").click()
    page.get_by_role("button", name="Aggiungi parametro").click()
    names.last.fill("causale")
    names.last.press("Tab")
    page.locator("#wk-properties").get_by_label("Valore (espressione)", exact=True).last.fill("'Contributo'")
    page.locator("#wk-properties").get_by_label("Valore (espressione)", exact=True).last.press("Tab")
    save(page, harness)
    tree = saved_tree(harness)
    params = tree.xpath("//bpmn:serviceTask[@id='st_payment']//spiffworkflow:parameter", namespaces=NS)
    assert [(p.get("id"), p.get("value")) for p in params] == [("amount", "payment_amount"),
                                                              ("causale", "'Contributo'")]
    assert harness.violations == []


def test_send_tasks_through_the_panel(page):
    harness = open_modeller(page, CONTRIBUTO)
    assert "caricato" in page.text_content("#wk-status")  # it has its own diagram: not laid out again
    send = etree.fromstring(CONTRIBUTO.encode()).xpath("//bpmn:sendTask/@id", namespaces=NS)[0]
    choose(page, send)
    field(page, "Modello di notifica").select_option("domanda_respinta")
    field(page, "Destinatario").select_option("ufficio:urp")
    save(page, harness)
    tree = saved_tree(harness)
    assert props(tree, send)["template"] == "domanda_respinta" and props(tree, send)["to"] == "ufficio:urp"
    ref = tree.xpath(f"//bpmn:sendTask[@id='{send}']/@messageRef", namespaces=NS)[0]
    assert tree.xpath(f"//bpmn:message[@id='{ref}']/@name", namespaces=NS) == ["notifica.domanda_respinta"]
    assert harness.violations == []


def test_the_servers_problems_are_marked_and_each_item_focuses_its_element(page):
    problems = [{"file": "process.bpmn", "element": "ut_review",
                 "message": "user task 'ut_review' has no 'form' property"},
                {"file": "service.yaml", "element": None, "message": "forms: 'esito' is missing"}]
    harness = open_modeller(page, problems=problems)
    server = page.locator("#wk-problems-server")
    assert "service.yaml: forms: 'esito' is missing" in server.inner_text()
    assert page.locator(".djs-element[data-element-id='ut_review'].wk-has-problem").count() == 1
    badge = page.locator(".djs-overlays[data-container-id='ut_review'] .wk-problem-badge")
    assert "no 'form' property" in badge.get_attribute("aria-label")
    assert_accessible(page)
    server.get_by_role("button", name=re.compile("Istruttoria ed esito")).click()
    assert page.evaluate("document.getElementById('wk-properties').contains(document.activeElement)")
    assert page.input_value("#wk-properties [data-key=id]") == "ut_review"
    # a save answers the server's new verdict; a stale revision is a 409 the page explains
    harness.save_response = (200, {"revision": 5, "problems": []})
    save(page, harness)
    assert page.locator(".wk-has-problem").count() == 0 and "Nessun problema" in server.inner_text()
    harness.save_response = (409, {"message": "stale"})
    save(page, harness)
    assert "Qualcun altro ha salvato" in page.text_content("#wk-status")
    assert harness.saved[-1]["revision"] == 5
    assert page.get_attribute("#wk-status", "aria-live") == "polite"


def test_download_and_upload_of_bpmn(page, tmp_path):
    harness = open_modeller(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica BPMN").click()
    assert download.value.suggested_filename == "process.bpmn"
    text = Path(download.value.path()).read_text()
    assert 'name="form" value="domanda"' in text
    upload = tmp_path / "altro.bpmn"
    upload.write_text(CONTRIBUTO)
    page.get_by_label("Carica BPMN").set_input_files(str(upload))
    expect(page.locator("#wk-status")).to_contain_text("File caricato")
    choose(page, "ca_payment_request")
    save(page, harness)
    assert "ca_payment_request" in harness.saved[-1]["xml"]


def test_read_only_for_managers(page):
    harness = open_modeller(page, readonly=True)
    assert page.get_by_role("button", name="Salva").count() == 0
    assert page.locator(".djs-palette").count() == 0  # the navigated viewer, not the modeler
    choose(page, "ut_review")
    assert field(page, "Modulo da compilare").is_disabled()
    assert field(page, "Nome").get_attribute("readonly") is not None
    assert_accessible(page)
    assert harness.violations == []


def test_the_viewer_marks_the_trail_with_a_legend(page):
    trail = {"completed": ["start_application", "ut_compile", "ca_receipt"], "current": ["ut_take_charge"]}
    harness = Harness(page, viewer_page(trail), OSP)
    harness.open()
    page.wait_for_selector("#viewer[data-ready=true]")
    for element_id in trail["completed"]:
        assert page.locator(f".djs-element[data-element-id='{element_id}'].wk-completed").count() == 1
    assert page.locator(".djs-element[data-element-id='ut_take_charge'].wk-current").count() == 1
    assert page.locator(".djs-element.wk-current").count() == 1
    assert page.locator(".wk-trail-badge[aria-label='In corso']").count() == 1
    legend = page.locator(".wk-legend")
    assert "Completato" in legend.inner_text() and "In corso" in legend.inner_text()
    assert page.locator(".bjs-powered-by").is_visible()
    assert_accessible(page)
    assert harness.violations == []
    assert json.loads(page.get_attribute("#viewer", "data-trail")) == trail


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_modeller_fits_a_phone(page):
    open_modeller(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
