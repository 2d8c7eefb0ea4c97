"""Engine throughput and stored size: our engine vs bare SpiffWorkflow, same machine, same run.

Scenario: the standard lifecycle (workflows/accesso-atti), start -> run to the first wait state
(ut_compile) -> serialize. Ours: start_instance() + dump() (spec stored apart, restricted evaluator,
wait-state computation). Bare: SpiffBpmnParser spec, BpmnWorkflow + do_engine_steps(), default
serializer settings (spec embedded) via serialize_json().

Run: .venv/bin/python benchmarks/engine_throughput.py [instances_per_round] [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine import load_service, start_instance

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "workflows" / "accesso-atti"
START_DATA = {"protocol_required": True, "allow_integration_request": True,
              "allow_partial_approval": True, "allow_withdraw": True}
TARGET_THROUGHPUT = 1.0  # ours >= bare, with the step budget and stall checks on every advance
TARGET_SIZE = 0.5  # ours <= 50% of bare


def ours() -> tuple[Callable[[], str], str]:
    process = load_service(SERVICE).process

    def one() -> str:
        instance, _ = start_instance(process, START_DATA)
        return instance.dump()
    return one, "engine: start_instance + dump()"


def bare() -> tuple[Callable[[], str], str]:
    parser = SpiffBpmnParser()  # stock parser; it builds (synchronous) ServiceTask specs
    # Every file of the service (the lifecycle calls shared fragments), as load_service reads them.
    for rel in yaml.safe_load((SERVICE / "service.yaml").read_text(encoding="utf-8"))["process"]:
        parser.add_bpmn_file(str((SERVICE / rel).resolve()))
    spec = parser.get_spec("standard_lifecycle")
    subprocess_specs = parser.get_subprocess_specs("standard_lifecycle")
    # Spiff classes need SPIFF_CONFIG; otherwise the serializer's defaults (spec embedded).
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

    def one() -> str:
        wf = BpmnWorkflow(spec, subprocess_specs)
        wf.get_tasks(state=TaskState.READY)[0].data.update(START_DATA)
        wf.do_engine_steps()
        return str(serializer.serialize_json(wf))
    return one, "bare SpiffWorkflow: BpmnWorkflow + serialize_json()"


def measure(one: Callable[[], str], n: int, rounds: int) -> tuple[float, int]:
    for _ in range(max(10, n // 10)):  # warm caches
        one()
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            one()
        rates.append(n / (time.perf_counter() - started))
    return statistics.median(rates), len(one().encode("utf-8"))


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    results = {}
    for name, factory in (("ours", ours), ("bare", bare)):
        one, label = factory()
        rate, size = measure(one, n, rounds)
        results[name] = (label, rate, size)
    print(f"standard lifecycle, start -> first wait -> serialize; median of {rounds} rounds x {n} instances")
    print(f"{'':6} {'instances/s':>12} {'ms/instance':>12} {'bytes/state':>12}  what")
    for name, (label, rate, size) in results.items():
        print(f"{name:6} {rate:12.0f} {1000 / rate:12.3f} {size:12d}  {label}")
    speed = results["ours"][1] / results["bare"][1]
    size = results["ours"][2] / results["bare"][2]
    ok_speed, ok_size = speed >= TARGET_THROUGHPUT, size <= TARGET_SIZE
    verdict = {True: "PASS", False: "FAIL"}
    print(f"throughput ours/bare = {speed:.2f}x (target >= {TARGET_THROUGHPUT}x): {verdict[ok_speed]}")
    print(f"stored size ours/bare = {size:.0%} (target <= {TARGET_SIZE:.0%}): {verdict[ok_size]}")
    return 0 if ok_speed and ok_size else 1


if __name__ == "__main__":
    sys.exit(main())
