"""Every advance runs under a step budget and is checked for stalls: the caller discards the
instance on the error, so nothing half-run is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_test_builders import HEADER, MakeService

from engine import EngineStalled, StepLimitExceeded, _instance, load_service, start_instance

MANIFEST = "slug: g\nversion: 1\ntitle: G\nprocess: [process.bpmn]\nprocess_id: svc_guard\nforms: {}\n"


def _chain(n: int) -> str:
    els = ['<bpmn:startEvent id="start"><bpmn:outgoing>c0</bpmn:outgoing></bpmn:startEvent>']
    prev = "start"
    for i in range(n):
        els.append(f'<bpmn:scriptTask id="sc_{i}"><bpmn:incoming>c{i}</bpmn:incoming>'
                   f'<bpmn:outgoing>c{i + 1}</bpmn:outgoing><bpmn:script>passi = {i + 1}</bpmn:script>'
                   '</bpmn:scriptTask>')
        els.append(f'<bpmn:sequenceFlow id="c{i}" sourceRef="{prev}" targetRef="sc_{i}"/>')
        prev = f"sc_{i}"
    els.append(f'<bpmn:endEvent id="end"><bpmn:incoming>c{n}</bpmn:incoming></bpmn:endEvent>')
    els.append(f'<bpmn:sequenceFlow id="c{n}" sourceRef="{prev}" targetRef="end"/>')
    return HEADER + '<bpmn:process id="svc_guard" isExecutable="true">' + "".join(els) + \
        "</bpmn:process></bpmn:definitions>"


MI_SCRIPT = HEADER + """<bpmn:process id="svc_guard" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:scriptTask id="sc_many"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>60</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
    <bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
  <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sc_many"/>
  <bpmn:sequenceFlow id="f2" sourceRef="sc_many" targetRef="end"/>
</bpmn:process></bpmn:definitions>"""

NO_END = HEADER + """<bpmn:process id="svc_guard" isExecutable="true">
  <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:scriptTask id="sc_last"><bpmn:incoming>f1</bpmn:incoming><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sc_last"/>
</bpmn:process></bpmn:definitions>"""


def test_step_budget_names_the_element(make_service: MakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    process = load_service(make_service(bpmn=MI_SCRIPT, manifest=MANIFEST)).process
    _, wait = start_instance(process, {})  # 60 children fit in the default budget
    assert wait.completed
    monkeypatch.setattr(_instance, "MAX_STEPS", 50)
    with pytest.raises(StepLimitExceeded, match=r"element 'sc_many.*more than 50 steps"):
        start_instance(process, {})


def test_a_tree_deeper_than_spiffworkflow_looks_is_a_stall(make_service: MakeService) -> None:
    process = load_service(make_service(bpmn=_chain(1010), manifest=MANIFEST)).process
    # Without the check the instance reports "completed" at depth 1000 with ~10 tasks left.
    with pytest.raises(EngineStalled, match=r"element 'sc_\d+': the engine stopped with work left"):
        start_instance(process, {})


def test_completion_without_an_end_event_is_a_stall(make_service: MakeService) -> None:
    process = load_service(make_service(bpmn=NO_END, manifest=MANIFEST)).process
    with pytest.raises(EngineStalled, match="without reaching an end event"):
        start_instance(process, {})


def test_guards_are_public() -> None:
    import engine

    assert engine.MAX_STEPS == 2000 and issubclass(engine.EngineStalled, engine.EngineError)
    assert Path(engine.__file__).name == "__init__.py"
