"""Every shipped workflow, driven at engine level by bpmn_id, with dump()+restore at every step.

The tests here walk the standard lifecycle's path, so they run on the services built on it and on
those whose own process keeps its shape (LIFECYCLE_SHAPED); every folder is loaded and checked as
publishing does. Services with processes of their own have their own test modules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine import (
    MessageNotExpected,
    ServiceDefinition,
    TaskNotReady,
    WaitState,
    load_service,
    restore_instance,
    start_instance,
)

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
ALL_SERVICE_FOLDERS = sorted(p.parent for p in WORKFLOWS.glob("*/service.yaml"))
# Own processes that keep the lifecycle's tasks, statuses and actions on its path (and add steps of
# their own off it): the lifecycle's tests must keep passing on them.
LIFECYCLE_SHAPED = frozenset({"contributo"})
SERVICE_FOLDERS = [p for p in ALL_SERVICE_FOLDERS if p.name in LIFECYCLE_SHAPED
                   or load_service(p).manifest["process_id"] == "standard_lifecycle"]
START_KEYS = ("protocol_required", "allow_integration_request", "allow_partial_approval", "allow_withdraw")


@pytest.fixture(scope="module", params=SERVICE_FOLDERS, ids=lambda p: p.name)
def service(request: pytest.FixtureRequest) -> ServiceDefinition:
    return load_service(request.param)


def test_workflows_are_discovered() -> None:
    assert {p.name for p in SERVICE_FOLDERS} >= {"accesso-atti", "cdu", "contributo"}
    assert {p.name for p in ALL_SERVICE_FOLDERS} >= {
        "accesso-atti", "cdu", "contributo", "occupazione-suolo", "segnalazione", "mensa-scolastica"}


@pytest.mark.parametrize("folder", ALL_SERVICE_FOLDERS, ids=lambda p: p.name)
def test_every_folder_publishes(folder: Path) -> None:
    """What the demo seeding and `flask publish-service` check: process, forms and options."""
    from webapp.services.catalogue._services import checked_definition

    definition = checked_definition(folder)
    assert definition.slug == folder.name
    labels = definition.manifest.get("statuses") or {}
    assert all(isinstance(code, int) and set(text) == {"it", "en"} for code, text in labels.items())
    for template in (definition.manifest.get("notifications") or {}).values():
        assert set(template) == {"subject", "body"}
        assert all(set(part) == {"it", "en"} for part in template.values())


class Driver:
    """Plays the web layer: every operation restores from the stored text and stores it again."""

    def __init__(self, service: ServiceDefinition, **start: Any) -> None:
        self.process = service.process
        self.protocol = bool(service.manifest["options"]["protocol_required"])
        data: dict[str, Any] = {k: bool(service.manifest["options"].get(k, False)) for k in START_KEYS}
        instance, wait = start_instance(self.process, {**data, **start})  # `start` overrides, e.g. payment_phase
        self.history: list[int] = []
        self.notified: list[tuple[str, str]] = []  # (template, to) of every notification, in order
        self._store(instance, wait)

    def _store(self, instance: Any, wait: WaitState) -> None:
        self.state = instance.dump()
        self.wait = wait
        self.history += wait.entered
        self.notified += [(n.template, n.to) for n in wait.notifications]
        # notifications belong to the advance that reached them: a reload reports none
        assert restore_instance(self.process, self.state).snapshot() == replace(wait, entered=(), notifications=())

    def _load(self) -> Any:
        return restore_instance(self.process, self.state)

    def user(self, bpmn_id: str, data: dict[str, Any], answers: dict[str, Any] | None = None) -> WaitState:
        [task] = [t for t in self.wait.user_tasks if t.bpmn_id == bpmn_id]
        instance = self._load()
        wait = instance.complete_user_task(task.task_id, data, answers)
        self._store(instance, wait)
        return wait

    def service(self, bpmn_id: str, result: dict[str, Any] | None = None) -> WaitState:
        [call] = [c for c in self.wait.service_calls if c.bpmn_id == bpmn_id]
        instance = self._load()
        wait = instance.complete_service_call(call.task_id, result or {"ok": True})
        assert wait is not None
        self._store(instance, wait)
        # a second delivery of the same result is ignored, also after a reload
        assert self._load().complete_service_call(call.task_id, {"ok": True}) is None
        return wait

    def message(self, name: str, payload: dict[str, Any] | None = None) -> WaitState:
        instance = self._load()
        wait = instance.send_message(name, payload)
        self._store(instance, wait)
        return wait

    def fire_timers(self, now: datetime) -> WaitState:
        instance = self._load()
        wait = instance.fire_due_timers(now)
        self._store(instance, wait)
        return wait

    def waiting_for(self) -> set[str]:
        return {t.bpmn_id for t in self.wait.user_tasks} | {c.bpmn_id for c in self.wait.service_calls}

    def to_review(self) -> None:
        assert self.waiting_for() == {"ut_compile"} and self.wait.status == 1000
        assert self.wait.user_tasks[0].lane == "cittadino" and self.wait.user_tasks[0].form == "domanda"
        self.user("ut_compile", {"action": "submit"})
        assert self.waiting_for() == {"st_receipt"} and self.wait.messages == ("withdraw",)
        self.service("st_receipt", {"document_id": "D-1"})
        if self.protocol:
            assert self.waiting_for() == {"st_protocol_register"} and self.wait.status == 2000
            self.service("st_protocol_register", {"number": "2024/123", "date": "2024-05-01"})
        assert self.waiting_for() == {"ut_take_charge"}
        assert self.wait.user_tasks[0].lane == "ufficio"
        self.user("ut_take_charge", {"action": "assign"})
        assert self.waiting_for() == {"ut_review"} and self.wait.status == 4000

    def prefix(self) -> list[int]:
        return [1000, 1900, 2000, 3000, 4000] if self.protocol else [1000, 1900, 2000, 4000]


@pytest.mark.parametrize("partial", [False, True])
def test_approval(service: ServiceDefinition, partial: bool) -> None:
    d = Driver(service)
    d.to_review()
    d.user("ut_review", {"action": "accept", "partial": partial})
    final = 7100 if partial else 7000
    if d.protocol:
        assert d.waiting_for() == {"st_protocol_outcome"} and d.wait.status == 6000
        outcome = "partially_approved" if partial else "approved"
        assert d.wait.service_calls[0].params == {"outcome": outcome}
        d.service("st_protocol_outcome", {"number": "2024/200"})
    assert d.wait.completed and d.wait.status == final and d.wait.entered == (final,)
    assert d.history == [*d.prefix(), *([6000] if d.protocol else []), final]
    assert d.wait.messages == () and d.wait.user_tasks == ()


def test_rejection(service: ServiceDefinition) -> None:
    d = Driver(service)
    d.to_review()
    d.user("ut_review", {"action": "reject"})
    if d.protocol:
        assert d.waiting_for() == {"st_protocol_outcome_reject"} and d.wait.status == 8000
        assert d.wait.service_calls[0].operation == "protocol.register_outcome"
        d.service("st_protocol_outcome_reject")
    assert d.wait.completed and d.wait.status == 9000
    assert d.history == [*d.prefix(), *([8000] if d.protocol else []), 9000]


@pytest.mark.parametrize("answer", ["submit", "accept-integration", "cancel-integration"])
def test_integration_then_approval(service: ServiceDefinition, answer: str) -> None:
    d = Driver(service)
    d.to_review()
    wait = d.user("ut_review", {"action": "request-integration"})
    if d.protocol:
        assert wait.entered == (4100,) and d.waiting_for() == {"st_protocol_integration_request"}
        wait = d.service("st_protocol_integration_request")
        assert wait.entered == (4200,)
    else:
        assert wait.entered == (4100, 4200)
    assert d.waiting_for() == {"ut_integration_answer"} and wait.user_tasks[0].lane == "cittadino"
    assert wait.messages == ()
    wait = d.user("ut_integration_answer", {"action": answer})
    if d.protocol:
        assert wait.entered == (4300,) and d.waiting_for() == {"st_protocol_integration_answer"}
        wait = d.service("st_protocol_integration_answer")
        assert wait.entered == (4400, 4500) and d.waiting_for() == {"ut_review_after_integration"}
        d.user("ut_review_after_integration", {"action": "accept", "partial": False})
        d.service("st_protocol_outcome")
        tail = [4100, 4200, 4300, 4400, 4500, 6000, 7000]
    else:
        assert wait.entered == (4300, 4000) and d.waiting_for() == {"ut_review"}
        d.user("ut_review", {"action": "accept", "partial": False})
        tail = [4100, 4200, 4300, 4000, 7000]
    assert d.wait.completed and d.wait.status == 7000
    assert d.history == [*d.prefix(), *tail]


def test_second_integration_round_then_reject(service: ServiceDefinition) -> None:
    d = Driver(service)
    d.to_review()
    for _ in range(2):
        after = d.waiting_for() == {"ut_review_after_integration"}
        review = "ut_review_after_integration" if after else "ut_review"
        d.user(review, {"action": "request-integration"})
        if d.protocol:
            d.service("st_protocol_integration_request")
        d.user("ut_integration_answer", {"action": "submit"})
        if d.protocol:
            d.service("st_protocol_integration_answer")
    review = "ut_review_after_integration" if d.protocol else "ut_review"
    d.user(review, {"action": "reject"})
    if d.protocol:
        d.service("st_protocol_outcome_reject")
    assert d.wait.completed and d.wait.status == 9000


def _withdraw_points(protocol: bool) -> list[str]:
    return ["st_receipt", "st_protocol_register", "ut_take_charge", "ut_review"] if protocol else [
        "st_receipt", "ut_take_charge", "ut_review"]


@pytest.mark.parametrize("point", ["st_receipt", "st_protocol_register", "ut_take_charge", "ut_review"])
def test_withdraw(service: ServiceDefinition, point: str) -> None:
    d = Driver(service)
    if point not in _withdraw_points(d.protocol):  # a service without protocol never waits there
        d.user("ut_compile", {"action": "submit"})
        d.service("st_receipt")
        assert d.waiting_for() == {"ut_take_charge"}
        return
    d.user("ut_compile", {"action": "submit"})
    for bpmn_id in ("st_receipt", "st_protocol_register", "ut_take_charge"):
        if bpmn_id == point:
            break
        if bpmn_id not in d.waiting_for():  # no protocol step in this service
            continue
        if bpmn_id.startswith("st_"):
            d.service(bpmn_id)
        else:
            d.user(bpmn_id, {"action": "assign"})
    assert point in d.waiting_for() and d.wait.messages == ("withdraw",)
    before = d.wait
    wait = d.message("withdraw", {"reason": "non serve più"})
    if d.protocol and point in ("ut_take_charge", "ut_review"):  # a registered application's withdrawal is
        assert not wait.completed and wait.entered == () and wait.status == before.status  # protocolled first
        assert [c.operation for c in wait.service_calls] == ["protocol.register_withdrawal"]
        assert wait.messages == () and wait.user_tasks == ()
        wait = d.service("st_protocol_withdrawal")
    assert wait.completed and wait.status == 20000 and wait.entered == (20000,)
    assert wait.service_calls == () and wait.user_tasks == ()
    for call in before.service_calls:  # the worker's late result for a cancelled call is ignored
        assert d._load().complete_service_call(call.task_id, {"ok": True}) is None
    for task in before.user_tasks:
        with pytest.raises(TaskNotReady):
            d._load().complete_user_task(task.task_id, {"action": "assign"})


def test_withdraw_not_expected_later(service: ServiceDefinition) -> None:
    d = Driver(service)
    d.to_review()
    d.user("ut_review", {"action": "request-integration"})
    if d.protocol:
        d.service("st_protocol_integration_request")
    assert d.wait.status == 4200
    with pytest.raises(MessageNotExpected):
        d._load().send_message("withdraw")
    d.user("ut_integration_answer", {"action": "submit"})
    if d.protocol:
        d.service("st_protocol_integration_answer")
        assert d.wait.status == 4500
        with pytest.raises(MessageNotExpected):
            d._load().send_message("withdraw")
        d.user("ut_review_after_integration", {"action": "accept", "partial": False})
        d.service("st_protocol_outcome")
    else:
        d.user("ut_review", {"action": "accept", "partial": False})
    assert d.wait.status == 7000
    with pytest.raises(MessageNotExpected):
        d._load().send_message("withdraw")


def test_user_task_guards(service: ServiceDefinition) -> None:
    d = Driver(service)
    [task] = d.wait.user_tasks
    instance = d._load()
    with pytest.raises(TaskNotReady):
        instance.complete_user_task("not-a-uuid", {"action": "submit"})
    with pytest.raises(TaskNotReady):
        instance.complete_user_task("00000000-0000-0000-0000-000000000000", {"action": "submit"})
    d.user("ut_compile", {"action": "submit"})
    with pytest.raises(TaskNotReady):  # already completed
        d._load().complete_user_task(task.task_id, {"action": "submit"})
    assert d._load().complete_service_call("nope", {}) is None


def test_receipt_protocol_and_payments_come_from_the_shared_fragments(service: ServiceDefinition) -> None:
    """The lifecycle's steps that call out are the shared fragments' tasks, not copies in each process."""
    folder = next(p for p in SERVICE_FOLDERS if p.name == service.slug)
    main = etree.parse(str(folder / service.manifest["process"][0]))
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    assert main.xpath("//bpmn:serviceTask/@id", namespaces=ns) == []
    called = set(main.xpath("//bpmn:callActivity/@calledElement", namespaces=ns))
    assert called >= {"sub_receipt", "sub_protocollo", "sub_pagamento"}
    listed = {Path(p).name for p in service.manifest["process"][1:]}
    assert listed == {"receipt.bpmn", "protocollo.bpmn", "pagamento.bpmn"}
