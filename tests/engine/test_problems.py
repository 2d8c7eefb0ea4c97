"""DefinitionError.problems: every problem of a definition, each naming its file (as written in
service.yaml) and the BPMN element it is about, for the modeller to show on the diagram."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from engine_test_builders import MANIFEST, VALID_BPMN, MakeService, service_from_files

from engine import DefinitionError, Problem, load_service
from engine._errors import MAX_PROBLEMS


def _problems(folder: Path) -> tuple[Problem, ...]:
    with pytest.raises(DefinitionError) as info:
        load_service(folder)
    problems = info.value.problems
    assert problems, "a DefinitionError always carries at least one problem"
    for problem in problems:  # the full message names each problem; the structured one does not
        assert problem.message in str(info.value)
        assert not problem.message.startswith(problem.file or "\0")
    return problems


def _replace(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_three_problems_in_one_file_are_all_reported(make_service: MakeService) -> None:
    bpmn = _replace(VALID_BPMN,
                    ('<spiffworkflow:property name="form" value="domanda"/>', ""),
                    ('id="documents.generate_receipt"', 'id="generate_receipt"'),
                    ("<bpmn:conditionExpression>ok<", "<bpmn:conditionExpression>ok ==<"))
    problems = _problems(make_service(bpmn=bpmn))
    assert [(p.file, p.element) for p in problems] == [
        ("process.bpmn", "ut_fill"), ("process.bpmn", "st_call"), ("process.bpmn", "f5")]
    assert problems[0].message == "no 'form' property"
    assert problems[1].message == "operation 'generate_receipt' is not of the form 'family.operation'"
    assert problems[2].message.startswith("condition: invalid expression")


def test_message_lists_every_problem_on_its_own_line(make_service: MakeService) -> None:
    bpmn = _replace(VALID_BPMN, ('<spiffworkflow:property name="form" value="domanda"/>', ""),
                    ('<bpmn:endEvent id="end_ko">', '<bpmn:endEvent id="end_ok">'))
    with pytest.raises(DefinitionError) as info:
        load_service(make_service(bpmn=bpmn))
    assert str(info.value).splitlines() == [
        "process.bpmn: duplicate element id 'end_ok'",
        "process.bpmn: user task 'ut_fill': no 'form' property",
    ]


def test_problems_of_every_file_and_form_come_together(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "call_fragment.bpmn", "_fragments/protocollo/protocollo.bpmn",
                                process_id="svc_call")
    main = folder / "process.bpmn"
    main.write_text(main.read_text(encoding="utf-8").replace('value="domanda"', 'value="altro"'),
                    encoding="utf-8")
    fragment = tmp_path / "workflows" / "_fragments" / "protocollo" / "protocollo.bpmn"
    fragment.write_text(fragment.read_text(encoding="utf-8").replace(
        'id="protocol.register_document"', 'id="register"'), encoding="utf-8")
    (folder / "forms" / "parere.json").write_text("[]", encoding="utf-8")
    problems = _problems(folder)
    assert {(p.file, p.element) for p in problems} == {
        ("forms/parere.json", None),
        ("process.bpmn", "ut_domanda"),
        ("../_fragments/protocollo/protocollo.bpmn", "st_registra"),
    }


def test_problems_are_capped(make_service: MakeService) -> None:
    tasks = "".join(f'<bpmn:userTask id="ut_{i}"/>' for i in range(MAX_PROBLEMS + 7))
    bpmn = _replace(VALID_BPMN, ("  </bpmn:process>", tasks + "</bpmn:process>"))
    with pytest.raises(DefinitionError) as info:
        load_service(make_service(bpmn=bpmn))
    assert len(info.value.problems) == MAX_PROBLEMS
    assert info.value.problems[0] == Problem("process.bpmn", "ut_0", "no 'form' property")
    assert str(info.value).splitlines()[-1] == "... and 7 more problems"


# (replacements in VALID_BPMN, expected file, expected element, part of the message)
BPMN_SITES = {
    "duplicate id": ((('<bpmn:endEvent id="end_ko">', '<bpmn:endEvent id="end_ok">'),),
                     "end_ok", "duplicate element id 'end_ok'"),
    "unsupported element": ((('<bpmn:exclusiveGateway id="gw_check" default="f6">',
                              '<bpmn:complexGateway id="gw_check" default="f6">'),
                             ("</bpmn:exclusiveGateway>", "</bpmn:complexGateway>")),
                            "gw_check", "complexGateway is not supported"),
    "element without id": ((("<bpmn:script>", '<bpmn:script><bpmn:eventBasedGateway/>'),),
                           "sc_compute", "eventBasedGateway is not supported"),
    "script": ((("ok = total &gt; 10", "ok = sum(total)"),), "sc_compute", "function 'sum' is not allowed"),
    "status": ((('name="status" value="1000"', 'name="status" value="10 +"'),), "ut_fill",
               "status property: invalid expression"),
    "parameter": ((('value="amount * 2"', 'value="amount *"'),), "st_call", "parameter 'amount'"),
    "two outgoing": ((('<bpmn:sequenceFlow id="f2" sourceRef="ut_fill" targetRef="st_call"/>',
                       '<bpmn:sequenceFlow id="f2" sourceRef="ut_fill" targetRef="st_call"/>'
                       '<bpmn:sequenceFlow id="f2b" sourceRef="ut_fill" targetRef="end_ko"/>'),),
                     "ut_fill", "a task can have only one outgoing flow"),
    "xsd (line of the element)": ((('<bpmn:startEvent id="start">', '<bpmn:startEvent id="start" bogus="1">'),),
                                  "start", "attribute 'bogus' is not allowed"),
    "spiff parser": ((('<bpmn:exclusiveGateway id="gw_check" default="f6">',
                       '<bpmn:exclusiveGateway id="gw_check">'),),
                     "f6", "Non-default exclusive outgoing sequence flow without condition"),
    "unresolved call": ((('<bpmn:scriptTask id="sc_compute">',
                          '<bpmn:callActivity id="sc_compute" calledElement="sub_missing">'),
                         ("</bpmn:scriptTask>", "</bpmn:callActivity>"),
                         ("<bpmn:script>total = amount + receipt['fee']\nok = total &gt; 10</bpmn:script>", "")),
                        "sc_compute", "unresolved reference 'sub_missing'"),
    "unresolved decision": ((('<bpmn:scriptTask id="sc_compute">',
                              '<bpmn:businessRuleTask id="sc_compute"><bpmn:extensionElements>'
                              "<spiffworkflow:calledDecisionId>dec_nessuna</spiffworkflow:calledDecisionId>"
                              "</bpmn:extensionElements>"),
                             ("</bpmn:scriptTask>", "</bpmn:businessRuleTask>"),
                             ("<bpmn:script>total = amount + receipt['fee']\nok = total &gt; 10</bpmn:script>", "")),
                            "sc_compute", "unresolved reference 'dec_nessuna'"),
    "not executable": (((('isExecutable="true"', 'isExecutable="false"')),),
                       "svc_test", "is not an executable process"),
    "not well-formed": (((VALID_BPMN[-30:], ""),), None, "not well-formed XML"),
}


@pytest.mark.parametrize("case", list(BPMN_SITES))
def test_each_bpmn_raise_site_names_file_and_element(make_service: MakeService, case: str) -> None:
    pairs, element, message = BPMN_SITES[case]
    problems = _problems(make_service(bpmn=_replace(VALID_BPMN, *pairs)))
    [problem] = [p for p in problems if message in p.message]
    assert (problem.file, problem.element) == ("process.bpmn", element)


@pytest.mark.parametrize(("name", "element", "message"), [
    ("refused/loop_without_wait.bpmn", "sc_count", "a loop without a wait state"),
    ("refused/task_io_specification.bpmn", "x", "a task-level ioSpecification"),
    ("refused/cardinality_with_output.bpmn", "x", "loopCardinality with loopDataOutputRef"),
    ("refused/standard_loop_script.bpmn", "x", "a standard loop on a scriptTask"),
    ("refused/event_subprocess_message.bpmn", "esp_withdraw", "event subprocesses started by a message"),
    ("refused/send_task_without_template.bpmn", "x", "no 'template' property"),
    ("modellers/feel.bpmn", "f2", "condition: expression language"),
    ("hostile/xxe.bpmn", None, "DOCTYPE declarations"),
])
def test_refused_models_name_their_element(tmp_path: Path, name: str, element: str | None,
                                            message: str) -> None:
    [problem] = _problems(service_from_files(tmp_path, name, process_id="svc_x"))
    assert (problem.file, problem.element) == ("process.bpmn", element)
    assert message in problem.message


def test_timer_problem_is_on_the_timer_event(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "timers.bpmn")
    text = (folder / "process.bpmn").read_text(encoding="utf-8")
    (folder / "process.bpmn").write_text(text.replace('"R2/PT24H"', '"R11/PT30M"'), encoding="utf-8")
    problems = _problems(folder)
    assert [(p.element, p.message) for p in problems] == [
        ("tev_sollecito", "timer cycle 'R11/PT30M' must repeat between 1 and 10 times (R1..R10)"),
        ("tev_sollecito", "timer cycle 'R11/PT30M' needs a period of at least PT1H"),
    ]


def test_broken_event_reference_is_on_the_event(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "notify.bpmn", process_id="svc_notify")
    text = (folder / "process.bpmn").read_text(encoding="utf-8")
    (folder / "process.bpmn").write_text(text.replace('messageRef="msg_esito"', 'messageRef="msg_nope"'),
                                         encoding="utf-8")
    assert _problems(folder) == (
        Problem("process.bpmn", "thr_esito", "broken event reference (message/error/escalation)"),)


def test_call_cycle_is_on_the_call_activity(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "refused/call_a.bpmn", "refused/call_b.bpmn", process_id="svc_call_a")
    [problem] = _problems(folder)
    assert (problem.file, problem.element) == ("process.bpmn", "x")
    assert problem.message == "call cycle svc_call_a -> sub_call_b -> svc_call_a"


def test_call_cycle_in_a_fragment_names_the_fragment_file(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "refused/call_b.bpmn", "refused/call_a.bpmn", process_id="sub_call_b")
    [problem] = _problems(folder)
    assert (problem.file, problem.element) == ("process.bpmn", "ca_back")


@pytest.mark.parametrize(("manifest", "file", "message"), [
    ("slug: [unclosed", "service.yaml", "invalid YAML"),
    ("slug: test\nversion: 1\n", "service.yaml", "missing required keys: title, process, process_id, forms"),
    (MANIFEST.replace("version: 1", "version: 0"), "service.yaml", "'version' must be an integer >= 1"),
    (MANIFEST.replace("process_id: svc_test", "process_id: svc_other"), "service.yaml",
     "process_id 'svc_other' is not an executable process"),
    (MANIFEST.replace("forms/domanda.json", "forms/none.json"), "forms/none.json",
     "form 'domanda': the file is missing"),
    (MANIFEST.replace("[process.bpmn]", "[missing.bpmn]"), "missing.bpmn", "cannot read file"),
])
def test_manifest_and_file_sites(make_service: MakeService, manifest: str, file: str, message: str) -> None:
    [problem] = _problems(make_service(manifest=manifest))
    assert (problem.file, problem.element) == (file, None)
    assert message in problem.message


def test_missing_manifest_and_bad_form(tmp_path: Path, make_service: MakeService) -> None:
    assert _problems(tmp_path) == (Problem("service.yaml", None, "the file is missing"),)
    [problem] = _problems(make_service(form="{not json"))
    assert (problem.file, problem.element) == ("forms/domanda.json", None)
    assert problem.message.startswith("form 'domanda': the file is not valid JSON")


def test_bare_error_and_pickling() -> None:
    bare = DefinitionError("servizio: opzioni non valide")
    assert bare.problems == (Problem("", None, "servizio: opzioni non valide"),)
    assert str(bare) == "servizio: opzioni non valide"
    full = DefinitionError("process.bpmn: element 'x': no", problems=[Problem("process.bpmn", "x", "no")])
    copy = pickle.loads(pickle.dumps(full))
    assert (str(copy), copy.problems) == (str(full), full.problems)


def test_check_document_reports_every_problem_of_the_file(make_service: MakeService) -> None:
    from engine._validate import check_document
    from engine._xml import read_xml

    bpmn = _replace(VALID_BPMN, ('<spiffworkflow:property name="form" value="domanda"/>', ""),
                    ('<bpmn:endEvent id="end_ko">', '<bpmn:endEvent id="end_ok">'))
    path = make_service(bpmn=bpmn) / "process.bpmn"
    with pytest.raises(DefinitionError) as info:
        check_document(path, read_xml(path), {"domanda"}, file="../x/process.bpmn")
    assert [(p.file, p.element) for p in info.value.problems] == [
        ("../x/process.bpmn", "end_ok"), ("../x/process.bpmn", "ut_fill")]
