"""Instance state as text: the workflow without its specs, in a versioned envelope."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._errors import EngineError
from ._spec import ProcessSpec, spec_objects
from ._tasks import SERIALIZER, SERIALIZER_VERSION

STATE_VERSION = 1

# state_version -> function upgrading an envelope to state_version + 1. When the format (or the
# SpiffWorkflow serializer version) changes, bump STATE_VERSION, add the step here, and keep a
# fixture of the old version in tests/fixtures/state/.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_ENCODER = SERIALIZER._encoder_cls
_REGISTRY = SERIALIZER.registry


def dump_state(workflow: Any, status: int | None) -> str:
    """Compact JSON text; key order matters (task data is delta-encoded), so never jsonb."""
    _REGISTRY._encoder_mode = True  # nested values are converted by the JSON encoder, in one pass
    try:
        envelope = {
            "state_version": STATE_VERSION,
            "serializer_version": SERIALIZER_VERSION,
            "status": status,
            "workflow": _REGISTRY.convert(workflow),
        }
        return json.dumps(envelope, cls=_ENCODER, separators=(",", ":"), ensure_ascii=False)
    finally:
        _REGISTRY._encoder_mode = False


def _upgrade(envelope: dict[str, Any]) -> dict[str, Any]:
    version = envelope.get("state_version")
    while version != STATE_VERSION:
        step = MIGRATIONS.get(version) if isinstance(version, int) else None
        if step is None:
            raise EngineError(f"unknown state version {version!r} (this engine reads {STATE_VERSION})")
        envelope = step(envelope)
        version = envelope.get("state_version")
    if envelope.get("serializer_version") != SERIALIZER_VERSION:
        raise EngineError(f"state written by serializer {envelope.get('serializer_version')!r}; "
                          f"add a migration for {SERIALIZER_VERSION!r}")
    return envelope


def load_state(process: ProcessSpec, state: str) -> tuple[Any, int | None]:
    """(workflow, status) from dumped text; EngineError for anything unreadable."""
    try:
        envelope = json.loads(state)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"state is not valid JSON: {exc}") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("workflow"), dict):
        raise EngineError("state is not an engine state envelope")
    envelope = _upgrade(envelope)
    try:
        workflow = _REGISTRY.restore(envelope["workflow"], specs=spec_objects(process))
    except EngineError:
        raise
    except Exception as exc:
        raise EngineError(f"cannot restore state: {type(exc).__name__}: {exc}") from None
    status = envelope.get("status")
    return workflow, status if isinstance(status, int) else None
