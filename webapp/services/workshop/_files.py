"""A draft's files on disk for the engine's loader, and the rules every draft file obeys.

The engine loads a service from a folder; a draft lives in the database. `materialised` writes it to
a throw-away folder beside the platform's shared library (`_fragments`, `_lifecycle`), so references
such as `../_fragments/receipt/receipt.bpmn` resolve exactly as they do under `workflows/`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from flask import current_app

from webapp.services.common.errors import BadRequest, PayloadTooLarge

SHARED_LIBRARY = ("_fragments", "_lifecycle")
MAX_FILE_BYTES = 1024 * 1024  # a BPMN of several hundred elements with its diagram is ~200 KB
MAX_FILES = 60
MAX_DRAFT_BYTES = 8 * 1024 * 1024
EDITABLE_SUFFIXES = (".yaml", ".bpmn", ".dmn", ".json")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def workflows_root() -> Path:
    return Path(current_app.config["WORKFLOWS_DIR"])


def clean_path(path: str) -> str:
    """A draft file's path as stored: relative, forward slashes, plain names, a known kind of file."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if not parts or len(parts) > 4 or not all(_PART.match(p) for p in parts) or not path.endswith(EDITABLE_SUFFIXES):
        raise BadRequest(f"Percorso di file non ammesso: '{path[:120]}' (nomi semplici dentro la cartella del "
                         f"servizio, file {', '.join(EDITABLE_SUFFIXES)}).")
    return "/".join(parts)


def check_size(files: dict[str, str]) -> None:
    if len(files) > MAX_FILES:
        raise PayloadTooLarge(f"Un servizio può avere al massimo {MAX_FILES} file.")
    total = 0
    for path, text in files.items():
        size = len(text.encode("utf-8"))
        if size > MAX_FILE_BYTES:
            raise PayloadTooLarge(f"Il file '{path}' supera {MAX_FILE_BYTES // 1024} KB.")
        total += size
    if total > MAX_DRAFT_BYTES:
        raise PayloadTooLarge(f"Il servizio supera {MAX_DRAFT_BYTES // (1024 * 1024)} MB in tutto.")


def read_manifest(files: dict[str, str]) -> dict[str, Any]:
    """service.yaml parsed; {} when it is missing or not a mapping (the check reports why)."""
    try:
        manifest = yaml.safe_load(files.get("service.yaml", "")) or {}
    except yaml.YAMLError:
        return {}
    return manifest if isinstance(manifest, dict) else {}


def referenced_paths(manifest: dict[str, Any]) -> list[str]:
    """Every file service.yaml names (process files and forms), as written."""
    process = manifest.get("process")
    forms = manifest.get("forms")
    listed = [p for p in process if isinstance(p, str)] if isinstance(process, list) else []
    if isinstance(forms, dict):
        listed += [p for p in forms.values() if isinstance(p, str)]
    return listed


def outside_paths(manifest: dict[str, Any]) -> list[str]:
    """Named files that are neither in the folder nor in the shared library: never read."""
    bad = []
    for path in referenced_paths(manifest):
        parts = PurePosixPath(path).parts
        if parts and parts[0] == "..":
            if len(parts) < 3 or parts[1] not in SHARED_LIBRARY or ".." in parts[2:]:
                bad.append(path)
        elif ".." in parts or PurePosixPath(path).is_absolute():
            bad.append(path)
    return bad


def is_shared(path: str) -> bool:
    return path.startswith("../")


@contextmanager
def materialised(slug: str, files: dict[str, str]) -> Iterator[Path]:
    """The draft as a folder `<tmp>/<slug>/` with the shared library beside it; removed afterwards."""
    root = workflows_root()
    with tempfile.TemporaryDirectory(prefix="workshop-") as tmp:
        for shared in SHARED_LIBRARY:
            os.symlink(root / shared, Path(tmp) / shared, target_is_directory=True)
        folder = Path(tmp) / slug
        for path, text in files.items():
            target = folder / clean_path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        yield folder


def shared_file(path: str) -> str | None:
    """The text of a shared-library file named as `../_fragments/...`, or None when there is none."""
    parts = PurePosixPath(path).parts
    if len(parts) < 3 or parts[0] != ".." or parts[1] not in SHARED_LIBRARY:
        return None
    target = workflows_root().joinpath(*parts[1:])
    try:
        return target.read_text(encoding="utf-8")
    except OSError:
        return None
