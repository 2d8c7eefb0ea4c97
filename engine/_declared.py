"""What a process declares, read once from its specs: the actions its user tasks offer."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ._spec import ProcessSpec, spec_objects


def _actions_of(task_spec: Any) -> set[str]:
    raw = getattr(task_spec, "extensions", {}).get("properties", {}).get("actions", "")
    return {action.strip() for action in str(raw).split(",") if action.strip()}


@lru_cache(maxsize=256)
def _declared(process: ProcessSpec) -> frozenset[str]:
    spec, subprocess_specs = spec_objects(process)
    found: set[str] = set()
    for process_spec in (spec, *subprocess_specs.values()):
        for task_spec in process_spec.task_specs.values():
            found |= _actions_of(task_spec)
    return frozenset(found)


def declared_actions(process: ProcessSpec) -> frozenset[str]:
    """Every action a user task of the process (or of a process it calls) offers."""
    return _declared(process)
