"""Loading models from other modellers and hostile files: they load, or a DefinitionError names
the file and the element; never another exception, never a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from engine_test_builders import BPMN_DIR, service_from_files

from engine import DefinitionError, load_service, restore_instance, start_instance


def _load(tmp_path: Path, main: str, *others: str, process_id: str | None = None) -> object:
    pid = process_id or "svc_" + Path(main).stem
    return load_service(service_from_files(tmp_path, main, *others, process_id=pid))


REFUSED = {
    "refused/two_outgoing.bpmn": "element 'ut_a': a task can have only one outgoing flow; split with a gateway",
    "refused/loop_without_wait.bpmn": ("element 'sc_count': a loop without a wait state "
                                       "(sc_count -> gw_again -> sc_count)"),
    "refused/event_based_gateway.bpmn": "element 'x': eventBasedGateway is not supported",
    "refused/ad_hoc.bpmn": "element 'x': adHocSubProcess is not supported",
    "refused/task_io_specification.bpmn": "element 'x': a task-level ioSpecification",
    "refused/cardinality_with_output.bpmn": "element 'x': loopCardinality with loopDataOutputRef",
    "refused/standard_loop_script.bpmn": "element 'x': a standard loop on a scriptTask has no wait state",
    "refused/event_subprocess_message.bpmn": "element 'esp_withdraw': event subprocesses started by a message",
    "refused/condition_dunder.bpmn": "sequence flow 'f2': condition: attribute '__class__' is not allowed",
    "refused/script_function.bpmn": "script task 'x': function 'sum' is not allowed",
    "refused/self_call.bpmn": "call activity 'x' in process 'svc_self_call': call cycle svc_self_call -> svc_self_call",
    "refused/send_task_without_template.bpmn": "send task 'x': no 'template' property",
    "modellers/camunda_juel.bpmn": "sequence flow 'f3': condition: invalid expression '${importo > 100}'",
    "modellers/signavio.bpmn": "element 'sid-archivio': dataStore is not supported",
    "modellers/feel.bpmn": "sequence flow 'f2': condition: expression language",
    "hostile/xxe.bpmn": "DOCTYPE declarations (DTDs, entities) are not allowed",
    "hostile/billion_laughs.bpmn": "DOCTYPE declarations (DTDs, entities) are not allowed",
    "hostile/external_dtd.bpmn": "DOCTYPE declarations (DTDs, entities) are not allowed",
    "hostile/entity_smuggling.bpmn": "DOCTYPE declarations (DTDs, entities) are not allowed",
    "hostile/undefined_entity.bpmn": "not well-formed XML",
}
PROCESS_IDS = {"refused/self_call.bpmn": "svc_self", "modellers/camunda_juel.bpmn": "svc_camunda"}


@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_with_a_legible_message(tmp_path: Path, name: str) -> None:
    text = (BPMN_DIR / name).read_bytes()
    if name == "refused/self_call.bpmn":  # the file names its process for the message
        text = text.replace(b"svc_self", b"svc_self_call")
    started = time.monotonic()
    folder = service_from_files(tmp_path, name, process_id=PROCESS_IDS.get(name, "svc_x"))
    (folder / "process.bpmn").write_bytes(text)
    with pytest.raises(DefinitionError) as info:
        load_service(folder)
    assert REFUSED[name] in str(info.value)
    assert str(info.value).startswith("process.bpmn") or "call cycle" in str(info.value)
    assert time.monotonic() - started < 5


def test_call_cycle_across_files(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"call activity 'x' in process 'svc_call_a': "
                                              r"call cycle svc_call_a -> sub_call_b -> svc_call_a"):
        _load(tmp_path, "refused/call_a.bpmn", "refused/call_b.bpmn", process_id="svc_call_a")


def test_xxe_reads_no_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        _load(tmp_path, "hostile/xxe.bpmn", process_id="svc_notify")
    assert "root:" not in str(info.value)


@pytest.mark.parametrize("name", ["hostile/latin1.bpmn", "hostile/utf16.bpmn"])
def test_declared_encodings_load_and_run(tmp_path: Path, name: str) -> None:
    process = load_service(service_from_files(tmp_path, name, process_id="svc_notify")).process
    _, wait = start_instance(process, {})
    assert wait.notifications[0].bpmn_id == "snd_ricevuta" and wait.status == 1000
    assert "Ricevuta attività è già" in process.blob


def test_bpmn_io_export_with_vendor_ids_loads_and_runs(tmp_path: Path) -> None:
    process = load_service(service_from_files(tmp_path, "modellers/bpmn_io.bpmn", process_id="svc_bpmn_io")).process
    instance, wait = start_instance(process, {})
    [task] = wait.user_tasks
    assert (task.bpmn_id, task.label, wait.status) == ("ut_domanda", "Compila", 1000)
    wait = restore_instance(process, instance.dump()).complete_user_task(task.task_id, {}, answers={"a": 1})
    assert wait.completed and wait.status == 7000


def test_chain_of_500_elements_loads_and_runs(tmp_path: Path) -> None:
    process = load_service(service_from_files(tmp_path, "hostile/chain_500.bpmn", process_id="svc_chain")).process
    instance, wait = start_instance(process, {})
    assert wait.completed and wait.status == 7000
    restored = restore_instance(process, instance.dump())
    assert restored.snapshot().completed and restored.data["passi"] == 500


TIMER_CYCLES = {
    '"R/PT24H"': "must repeat between 1 and 10 times",
    '"R/PT0S"': "must repeat between 1 and 10 times",
    '"R3/PT0S"': "needs a period of at least PT1H",
    '"R3/PT30M"': "needs a period of at least PT1H",
    '"R11/PT24H"': "must repeat between 1 and 10 times",
    'R2/PT24H': "must be a quoted literal",
    '"R2/2026-01-01T00:00:00/PT24H"': "must be a date-time with an offset",
    '"every day"': "is not of the form",
}


@pytest.mark.parametrize("cycle", list(TIMER_CYCLES))
def test_timer_cycles_are_bounded(tmp_path: Path, cycle: str) -> None:
    folder = service_from_files(tmp_path, "timers.bpmn")
    text = (folder / "process.bpmn").read_text(encoding="utf-8")
    (folder / "process.bpmn").write_text(text.replace('"R2/PT24H"', cycle), encoding="utf-8")
    with pytest.raises(DefinitionError, match="tev_sollecito") as info:
        load_service(folder)
    assert TIMER_CYCLES[cycle] in str(info.value)


def test_no_cycle_on_an_interrupting_boundary(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "timers.bpmn")
    text = (folder / "process.bpmn").read_text(encoding="utf-8")
    (folder / "process.bpmn").write_text(text.replace('cancelActivity="false"', 'cancelActivity="true"'),
                                         encoding="utf-8")
    with pytest.raises(DefinitionError, match="element 'tev_sollecito': a timer cycle on an interrupting"):
        load_service(folder)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('value="ufficio:UT01"/>\n          <spiffworkflow:property name="status" value="4600"/>',
     'value="two words"/>\n          <spiffworkflow:property name="status" value="4600"/>',
     "candidate 'two words' must be a role key"),
    ('value="ufficio:UT01"', 'value="=ufficio[1"', "user task 'ut_tecnico': candidate: invalid expression"),
    ("diritti = 16 if", "diritti = [16] if", "list literals are not allowed"),
    ("domanda.superficie_mq &gt; 20", "domanda.superficie_mq ** 2", "operator Pow is not allowed"),
])
def test_expressions_and_properties_are_checked_at_load(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = service_from_files(tmp_path, "gateways.bpmn")
    text = (folder / "process.bpmn").read_text(encoding="utf-8")
    assert old in text
    (folder / "process.bpmn").write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        load_service(folder)
    assert message in str(info.value)


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    folder = service_from_files(tmp_path, "gateways.bpmn")
    (folder / "process.bpmn").write_bytes(b"")
    with pytest.raises(DefinitionError, match=r"process\.bpmn: not well-formed XML"):
        load_service(folder)
    (folder / "process.bpmn").write_bytes(b'<?xml version="1.0" encoding="x-unknown"?><a/>')
    with pytest.raises(DefinitionError, match=r"process\.bpmn"):
        load_service(folder)


def _with_dmn(tmp_path: Path, dmn: bytes) -> Path:
    folder = service_from_files(tmp_path, "decision.bpmn", process_id="svc_decision")
    (folder / "tariffa.dmn").write_bytes(dmn)
    manifest = (folder / "service.yaml").read_text(encoding="utf-8")
    (folder / "service.yaml").write_text(manifest.replace("[process.bpmn]", "[process.bpmn, tariffa.dmn]"),
                                         encoding="utf-8")
    return folder


@pytest.mark.parametrize(("mq", "tariffa"), [(10, 10), (60, 50)])
def test_dmn_file_read_as_bytes_and_run(tmp_path: Path, mq: int, tariffa: int) -> None:
    process = load_service(_with_dmn(tmp_path, (BPMN_DIR / "tariffa.dmn").read_bytes())).process
    instance, wait = start_instance(process, {"domanda": {"superficie_mq": mq}})
    assert wait.completed and instance.data["tariffa"] == tariffa


def test_hostile_dmn_is_refused(tmp_path: Path) -> None:
    dmn = (BPMN_DIR / "tariffa.dmn").read_bytes().replace(
        b"<definitions", b'<!DOCTYPE definitions [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<definitions', 1)
    with pytest.raises(DefinitionError, match=r"tariffa\.dmn: DOCTYPE declarations"):
        load_service(_with_dmn(tmp_path, dmn))
