"""Small BPMN/manifest texts for engine tests (a plain module: `conftest` names clash across folders)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="def_test" targetNamespace="http://example.org/test">\n'
)

# start -> ut_fill (status 1000) -> st_call -> sc_compute -> gw_check -> end_ok (7000) | end_ko (9000)
BODY = """
  <bpmn:process id="svc_test" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="ut_fill" name="Compila">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="domanda"/>
          <spiffworkflow:property name="status" value="1000"/>
          <spiffworkflow:property name="actions" value="submit"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:serviceTask id="st_call">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="documents.generate_receipt" resultVariable="receipt">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="amount" type="int" value="amount * 2"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="1900"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:scriptTask id="sc_compute">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>total = amount + receipt['fee']
ok = total &gt; 10</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw_check" default="f6">
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_ok">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="7000"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f5</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="end_ko">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="status" value="9000"/>
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f6</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ut_fill"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ut_fill" targetRef="st_call"/>
    <bpmn:sequenceFlow id="f3" sourceRef="st_call" targetRef="sc_compute"/>
    <bpmn:sequenceFlow id="f4" sourceRef="sc_compute" targetRef="gw_check"/>
    <bpmn:sequenceFlow id="f5" sourceRef="gw_check" targetRef="end_ok">
      <bpmn:conditionExpression>ok</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f6" sourceRef="gw_check" targetRef="end_ko"/>
  </bpmn:process>
"""

VALID_BPMN = HEADER + BODY + "</bpmn:definitions>\n"

MANIFEST = """slug: test
version: 1
title: Servizio di prova
process: [process.bpmn]
process_id: svc_test
forms:
  domanda: forms/domanda.json
"""

MakeService = Callable[..., Path]

BPMN_DIR = Path(__file__).resolve().parent / "bpmn"
FORM_DOC = '{"schema": {"type": "object"}, "ui": {"steps": []}}'


def service_from_files(root: Path, main: str, *others: str, process_id: str | None = None,
                       slug: str = "svc") -> Path:
    """A service folder under root/workflows/<slug> running tests/engine/bpmn/<main>; `others`
    (paths under tests/engine/bpmn, e.g. `_fragments/x/x.bpmn`) keep their place beside it."""
    workflows = root / "workflows"
    folder = workflows / slug
    (folder / "forms").mkdir(parents=True, exist_ok=True)
    (folder / "process.bpmn").write_bytes((BPMN_DIR / main).read_bytes())
    for rel in others:
        target = workflows / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((BPMN_DIR / rel).read_bytes())
    for form in ("domanda", "parere"):
        (folder / "forms" / f"{form}.json").write_text(FORM_DOC, encoding="utf-8")
    files = ", ".join(["process.bpmn", *(f"../{rel}" for rel in others)])
    pid = process_id or "svc_" + Path(main).stem
    (folder / "service.yaml").write_text(
        f"slug: {slug}\nversion: 1\ntitle: Prova\nprocess: [{files}]\nprocess_id: {pid}\n"
        "forms:\n  domanda: forms/domanda.json\n  parere: forms/parere.json\n", encoding="utf-8")
    return folder
