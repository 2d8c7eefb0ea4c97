"""The process trail: which diagram elements an instance has passed and where it stands now.

For the diagram viewer and the sandbox. Ids are BPMN element ids as drawn; an element of a called
fragment is prefixed by the call activity ids that lead to it, `/`-separated
(`ca_receipt/st_protocol`, or `ca_a/ca_b/ut_x` for a fragment calling a fragment), so the top
diagram highlights the call activity and the fragment's own diagram its elements; a BPMN id (an
NCName) cannot contain `/`. Elements of an embedded subprocess are drawn in the same diagram, so
they carry no prefix. SpiffWorkflow's internal tasks (root, start, end joins, boundary splits) have
no BPMN id and never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

# READY: a user task or an engine step about to run; WAITING: an armed event (message, timer,
# boundary) or a join that has part of its branches; STARTED: a service call with the worker, or
# a call activity/subprocess running.
_CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class Trail:
    """`completed`: elements completed, each once, in the order first completed (a branch not
    taken never appears); `current`: elements where the instance stands now (READY user tasks,
    armed events and timers, running service calls and call activities)."""

    completed: tuple[str, ...]
    current: tuple[str, ...]


def trail_of(workflow: Any) -> Trail:
    prefixes: dict[int, str] = {id(workflow): ""}

    def prefix_of(wf: Any) -> str:
        if id(wf) not in prefixes:
            caller = workflow.get_task_from_id(wf.parent_task_id)
            spec = caller.task_spec
            own = f"{spec.bpmn_id}/" if isinstance(spec, CallActivity) else ""
            prefixes[id(wf)] = prefix_of(caller.workflow) + own
        return prefixes[id(wf)]

    tasks = [(task, prefix_of(wf)) for wf in (workflow, *workflow.subprocesses.values())
             for task in wf.tasks.values() if task.task_spec.bpmn_id is not None]
    # Stable: equal timestamps keep the tree's creation order, parents before children.
    tasks.sort(key=lambda pair: pair[0].last_state_change)
    completed = [prefix + t.task_spec.bpmn_id for t, prefix in tasks if t.state == TaskState.COMPLETED]
    current = [prefix + t.task_spec.bpmn_id for t, prefix in tasks if t.state & _CURRENT]
    return Trail(tuple(dict.fromkeys(completed)), tuple(dict.fromkeys(current)))
