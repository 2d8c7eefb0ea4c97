"""Process specs: parsed once per service version, serialized once, cached by hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ._errors import EngineError
from ._tasks import SERIALIZER, SERIALIZER_VERSION


@dataclass(frozen=True)
class ProcessSpec:
    """Serialized BPMN specs of one service version; the web layer stores `blob` once per hash."""

    spec_hash: str
    blob: str
    process_id: str


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def make_process_spec(spec: Any, subprocess_specs: dict[str, Any]) -> ProcessSpec:
    """Serialize freshly parsed specs into a ProcessSpec (canonical JSON, so the hash is stable)."""
    # The source path is machine-specific; keep only the file name so the hash is stable.
    for s in (spec, *subprocess_specs.values()):
        s.file = (s.file or "").replace("\\", "/").rsplit("/", 1)[-1]
    blob = canonical_json({
        "serializer_version": SERIALIZER_VERSION,
        "spec": SERIALIZER.to_dict(spec),
        "subprocess_specs": {k: SERIALIZER.to_dict(v) for k, v in subprocess_specs.items()},
    })
    return ProcessSpec(hashlib.sha256(blob.encode()).hexdigest(), blob, spec.name)


@lru_cache(maxsize=64)
def _specs_from_blob(blob: str) -> tuple[Any, dict[str, Any]]:
    dct = json.loads(blob)
    if dct.get("serializer_version") != SERIALIZER_VERSION:
        version = dct.get("serializer_version")
        raise EngineError(f"process spec serialized with unsupported version {version!r}")
    spec = SERIALIZER.from_dict(dct["spec"])
    subprocess_specs = {k: SERIALIZER.from_dict(v) for k, v in dct["subprocess_specs"].items()}
    return spec, subprocess_specs


def spec_objects(process: ProcessSpec) -> tuple[Any, dict[str, Any]]:
    """Deserialized (spec, subprocess_specs) for a ProcessSpec, shared across instances."""
    return _specs_from_blob(process.blob)


@lru_cache(maxsize=64)
def _load(blob: str) -> ProcessSpec:
    try:
        spec, _ = _specs_from_blob(blob)
    except EngineError:
        raise
    except Exception as exc:
        raise EngineError(f"cannot load process spec: {type(exc).__name__}: {exc}") from None
    return ProcessSpec(hashlib.sha256(blob.encode()).hexdigest(), blob, spec.name)


def load_process_spec(blob: str) -> ProcessSpec:
    """ProcessSpec from a stored blob; spec objects are deserialized once per blob (LRU)."""
    return _load(blob)
