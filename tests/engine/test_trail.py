"""Instance.trail(): the diagram elements an instance has completed and those current now."""

from __future__ import annotations

import re
from pathlib import Path

from engine_test_builders import BPMN_DIR, service_from_files

from engine import Instance, ProcessSpec, Trail, load_service, restore_instance, start_instance

FRAGMENT = "_fragments/protocollo/protocollo.bpmn"


def _process(tmp_path: Path, main: str, *others: str, process_id: str | None = None) -> ProcessSpec:
    return load_service(service_from_files(tmp_path, main, *others, process_id=process_id)).process


def _reload(process: ProcessSpec, instance: Instance) -> Instance:
    restored = restore_instance(process, instance.dump())
    assert restored.trail() == instance.trail()  # the trail lives in the stored state
    return restored


def _drawn(*names: str) -> set[str]:
    """Every element id in the files: nothing internal to SpiffWorkflow may appear."""
    return {m for name in names for m in re.findall(r'\bid="([^"]+)"', (BPMN_DIR / name).read_text())}


def _plain(trail: Trail) -> set[str]:
    return {i.rsplit("/", 1)[-1] for i in (*trail.completed, *trail.current)}


def test_gateways_list_the_branch_taken_and_not_the_other(tmp_path: Path) -> None:
    process = _process(tmp_path, "gateways.bpmn")
    instance, wait = start_instance(process, {})
    assert instance.trail() == Trail(completed=("start",), current=("ut_domanda",))
    instance = _reload(process, instance)
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "submit"},
                                       answers={"superficie_mq": 60, "su_carreggiata": False})
    trail = instance.trail()
    # The parallel split ran its script branch; the other branch waits at the user task, the
    # join holds the branch that arrived.
    assert trail.completed == ("start", "ut_domanda", "gw_split", "sc_fee")
    assert trail.current == ("ut_verifica", "gw_join")
    instance = _reload(process, instance)
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {}, answers={"ok": True})
    [tecnico] = wait.user_tasks  # the inclusive gateway took only the technical opinion
    assert instance.trail().current == ("ut_tecnico",)
    instance = _reload(process, instance)
    wait = instance.complete_user_task(tecnico.task_id, {}, answers={"esito": "favorevole"})
    assert wait.completed
    trail = instance.trail()
    assert trail.current == ()
    assert trail.completed == ("start", "ut_domanda", "gw_split", "sc_fee", "ut_verifica", "gw_join",
                               "gw_pareri", "ut_tecnico", "gw_pareri_join", "gw_esito", "end_ok")
    assert "ut_pm" not in trail.completed and "end_ko" not in trail.completed
    assert _plain(trail) <= _drawn("gateways.bpmn")


def test_the_other_exclusive_branch(tmp_path: Path) -> None:
    process = _process(tmp_path, "gateways.bpmn")
    instance, wait = start_instance(process, {})
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {},
                                       answers={"superficie_mq": 5, "su_carreggiata": True})
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {}, answers={"ok": True})
    [pm] = wait.user_tasks
    assert instance.trail().current == ("ut_pm",)
    wait = instance.complete_user_task(pm.task_id, {}, answers={"esito": "contrario"})
    trail = instance.trail()
    assert trail.completed[-3:] == ("gw_pareri_join", "gw_esito", "end_ko")
    assert not {"ut_tecnico", "end_ok"} & set(trail.completed)


def test_ready_user_tasks_of_parallel_branches_are_current(tmp_path: Path) -> None:
    process = _process(tmp_path, "gateways.bpmn")
    instance, wait = start_instance(process, {})
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {},
                                       answers={"superficie_mq": 60, "su_carreggiata": True})
    instance.complete_user_task(wait.user_tasks[0].task_id, {}, answers={"ok": True})
    assert set(instance.trail().current) == {"ut_tecnico", "ut_pm"}


def test_a_call_activity_prefixes_the_fragment_elements(tmp_path: Path) -> None:
    process = _process(tmp_path, "call_fragment.bpmn", FRAGMENT, process_id="svc_call")
    instance, wait = start_instance(process, {"pratica": {"numero": "P-1"}})
    assert instance.trail() == Trail(completed=("start", "ca_protocollo/sub_start"),
                                     current=("ca_protocollo", "ca_protocollo/st_registra"))
    instance = _reload(process, instance)
    wait = instance.complete_service_call(wait.service_calls[0].task_id, {"numero": "2026/1"})
    assert wait is not None
    assert instance.trail() == Trail(
        completed=("start", "ca_protocollo/sub_start", "ca_protocollo/st_registra",
                   "ca_protocollo/sub_end", "ca_protocollo"),
        current=("ut_domanda",))


def test_embedded_subprocess_elements_carry_no_prefix(tmp_path: Path) -> None:
    process = _process(tmp_path, "subprocess.bpmn", FRAGMENT, process_id="svc_subprocess")
    instance, wait = start_instance(process, {"pratica": {"numero": "P-1"}})
    assert instance.trail() == Trail(
        completed=("start", "sp_start", "ca_protocollo/sub_start"),
        current=("sp_istruttoria", "ca_protocollo", "ca_protocollo/st_registra"))
    instance = _reload(process, instance)
    wait = instance.complete_service_call(wait.service_calls[0].task_id, {"numero": "2026/1"})
    assert wait is not None and instance.trail().current == ("sp_istruttoria", "ut_esame")
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {}, answers={"esito": "ok"})
    trail = instance.trail()
    assert wait.completed and trail.current == ()
    assert trail.completed == ("start", "sp_start", "ca_protocollo/sub_start", "ca_protocollo/st_registra",
                               "ca_protocollo/sub_end", "ca_protocollo", "ut_esame", "sp_end",
                               "sp_istruttoria", "end_ok")
    assert _plain(trail) <= _drawn("subprocess.bpmn", FRAGMENT)


def test_armed_timers_are_current_and_each_element_is_listed_once(tmp_path: Path) -> None:
    process = _process(tmp_path, "timers.bpmn")
    instance, _ = start_instance(process, {})
    assert instance.trail() == Trail(completed=("start",),
                                     current=("tev_sollecito", "tev_scadenza", "ut_parere"))
    multi = _process(tmp_path / "mi", "multi_instance.bpmn", process_id="svc_mi")
    instance, wait = start_instance(multi, {"uffici": ["UT01", "PM02"]})
    assert instance.trail().current.count("ut_parere") == 1  # one element, two READY instances
    for task in wait.user_tasks:
        instance.complete_user_task(task.task_id, {}, answers={"esito": "ok"})
    assert instance.trail().completed.count("ut_parere") == 1
