"""Every stored state fixture (one per STATE_VERSION at least) still loads and can be advanced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import STATE_VERSION, load_process_spec, restore_instance

FIXTURES = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "state").glob("*.json"))


def test_one_fixture_per_state_version() -> None:
    versions = {json.loads(p.read_text(encoding="utf-8"))["state_version"] for p in FIXTURES}
    assert versions == set(range(1, STATE_VERSION + 1))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_loads_and_advances(path: Path) -> None:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    process = load_process_spec(fixture["process_blob"])
    instance = restore_instance(process, fixture["state"])
    wait = instance.snapshot()
    assert wait.status == 4000 and [t.bpmn_id for t in wait.user_tasks] == ["ut_review"]
    assert wait.messages == ("withdraw",)
    wait = instance.complete_user_task(wait.user_tasks[0].task_id, {"action": "accept", "partial": True})
    assert (wait.status, wait.entered) == (6000, (6000,))
    assert wait.service_calls[0].params == {"outcome": "partially_approved"}
    wait = restore_instance(process, instance.dump()).complete_service_call(
        wait.service_calls[0].task_id, {"number": "2024/200"})
    assert wait is not None and wait.completed and wait.status == 7100
