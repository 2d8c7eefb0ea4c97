"""load_service rejects broken definitions with a message that names the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from engine_test_builders import MANIFEST, VALID_BPMN, MakeService

from engine import DefinitionError, load_process_spec, load_service

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def test_valid_service_loads(make_service: MakeService) -> None:
    definition = load_service(make_service())
    assert (definition.slug, definition.version, definition.title) == ("test", 1, "Servizio di prova")
    assert definition.process.process_id == "svc_test"
    assert set(definition.forms) == {"domanda"}
    assert load_process_spec(definition.process.blob) == definition.process


def _replace(old: str, new: str) -> str:
    assert old in VALID_BPMN
    return VALID_BPMN.replace(old, new, 1)


BPMN_CASES = {
    "not well-formed": (VALID_BPMN[:-30], "not well-formed XML"),
    "xsd": (_replace('<bpmn:startEvent id="start">', '<bpmn:startEvent id="start" bogus="1">'), "bogus"),
    "not executable": (_replace('isExecutable="true"', 'isExecutable="false"'), "not an executable process"),
    "duplicate id": (_replace('<bpmn:endEvent id="end_ko">', '<bpmn:endEvent id="end_ok">'),
                     "duplicate element id 'end_ok'"),
    "duplicate id across kinds": (
        _replace('<bpmn:scriptTask id="sc_compute">', '<bpmn:scriptTask id="ut_fill">'),
        "duplicate element id 'ut_fill'"),
    "missing call activity": (_replace('<bpmn:scriptTask id="sc_compute">',
                                       '<bpmn:callActivity id="sc_compute" calledElement="sub_missing">')
                              .replace("</bpmn:scriptTask>", "</bpmn:callActivity>")
                              .replace("<bpmn:script>total = amount + receipt['fee']\nok = total &gt; 10"
                                       "</bpmn:script>", ""), "sub_missing"),
    "user task without form": (_replace('<spiffworkflow:property name="form" value="domanda"/>', ""),
                               "user task 'ut_fill': no 'form' property"),
    "unknown form ref": (_replace('value="domanda"', 'value="altro"'), "form 'altro' is not listed"),
    "send task": (_replace('<bpmn:scriptTask id="sc_compute">', '<bpmn:sendTask id="sc_compute">')
                  .replace("</bpmn:scriptTask>", "</bpmn:sendTask>")
                  .replace("<bpmn:script>total = amount + receipt['fee']\nok = total &gt; 10"
                           "</bpmn:script>", ""),
                  "send task 'sc_compute': no 'template' property"),
    "complex gateway": (_replace('<bpmn:exclusiveGateway id="gw_check" default="f6">',
                                 '<bpmn:complexGateway id="gw_check" default="f6">')
                        .replace("</bpmn:exclusiveGateway>", "</bpmn:complexGateway>"),
                        "complexGateway is not supported"),
    "transaction": (_replace("  </bpmn:process>", '    <bpmn:transaction id="tx_block"/>\n  </bpmn:process>'),
                     "transaction is not supported"),
    "script with a call": (_replace("ok = total &gt; 10", "print(total)"), "script task 'sc_compute'"),
    "script with import": (_replace("ok = total &gt; 10", "import os"), "only 'name = expression'"),
    "operation without family": (_replace('id="documents.generate_receipt"', 'id="generate_receipt"'),
                                 "operation 'generate_receipt' is not of the form"),
    "bad status": (_replace('name="status" value="1000"', 'name="status" value="10 +"'),
                   "element 'ut_fill': status property"),
    "bad condition": (_replace("<bpmn:conditionExpression>ok<", "<bpmn:conditionExpression>ok ==<"),
                      "sequence flow 'f5': condition"),
    "bad parameter": (_replace('value="amount * 2"', 'value="amount *"'), "parameter 'amount'"),
}


@pytest.mark.parametrize("case", list(BPMN_CASES))
def test_broken_bpmn_is_rejected(make_service: MakeService, case: str) -> None:
    bpmn, message = BPMN_CASES[case]
    with pytest.raises(DefinitionError, match=None) as info:
        load_service(make_service(bpmn=bpmn))
    assert message in str(info.value)


MANIFEST_CASES = {
    "not yaml": ("slug: [unclosed", "invalid YAML"),
    "not a mapping": ("- a\n- b\n", "must be a mapping"),
    "missing keys": ("slug: test\nversion: 1\n", "missing required keys: title, process, process_id, forms"),
    "version zero": (MANIFEST.replace("version: 1", "version: 0"), "'version' must be an integer >= 1"),
    "version text": (MANIFEST.replace("version: 1", "version: uno"), "'version' must be an integer"),
    "process not a list": (MANIFEST.replace("[process.bpmn]", "process.bpmn"), "'process' must be"),
    "missing process file": (MANIFEST.replace("[process.bpmn]", "[missing.bpmn]"), "missing.bpmn"),
    "wrong process id": (MANIFEST.replace("process_id: svc_test", "process_id: svc_other"), "svc_other"),
    "missing form file": (MANIFEST.replace("forms/domanda.json", "forms/none.json"),
                          "forms/none.json: form 'domanda': the file is missing"),
    "forms not mapping": (MANIFEST.replace("  domanda: forms/domanda.json", "  - forms/domanda.json"),
                          "'forms'"),
}


@pytest.mark.parametrize("case", list(MANIFEST_CASES))
def test_broken_manifest_is_rejected(make_service: MakeService, case: str) -> None:
    manifest, message = MANIFEST_CASES[case]
    with pytest.raises(DefinitionError) as info:
        load_service(make_service(manifest=manifest))
    assert message in str(info.value)


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"service\.yaml: the file is missing"):
        load_service(tmp_path)


def test_form_not_json(make_service: MakeService) -> None:
    with pytest.raises(DefinitionError, match=r"forms/domanda\.json: form 'domanda': the file is not valid JSON"):
        load_service(make_service(form="{not json"))


def test_hash_is_stable_across_loads_and_locations(make_service: MakeService) -> None:
    first = load_service(make_service(name="a"))
    second = load_service(make_service(name="b"))
    assert first.process.spec_hash == second.process.spec_hash
    assert first.definition_hash == second.definition_hash
    assert load_service(WORKFLOWS / "contributo").definition_hash == load_service(
        WORKFLOWS / "contributo").definition_hash


@pytest.mark.parametrize("change", ["bpmn", "manifest", "form"])
def test_hash_changes_with_any_part(make_service: MakeService, change: str) -> None:
    base = load_service(make_service(name="base"))
    kwargs = {
        "bpmn": {"bpmn": _replace('value="1000"', 'value="1001"')},
        "manifest": {"manifest": MANIFEST.replace("Servizio di prova", "Servizio di prova 2")},
        "form": {"form": '{"schema": {"type": "object", "required": ["x"]}}'},
    }[change]
    changed = load_service(make_service(name="changed", **kwargs))
    assert changed.definition_hash != base.definition_hash
    assert (changed.process.spec_hash != base.process.spec_hash) == (change == "bpmn")


def test_shipped_services_share_the_lifecycle_spec(tmp_path: Path) -> None:
    atti = load_service(WORKFLOWS / "accesso-atti")
    cdu = load_service(WORKFLOWS / "cdu")  # both on the standard lifecycle
    assert atti.process.spec_hash == cdu.process.spec_hash  # stored once
    assert atti.definition_hash != cdu.definition_hash
    copy = tmp_path / "workflows"
    shutil.copytree(WORKFLOWS, copy)
    assert load_service(copy / "accesso-atti").definition_hash == atti.definition_hash
