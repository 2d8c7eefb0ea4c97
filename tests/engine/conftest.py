"""Fixture writing small service folders into tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engine_test_builders import MANIFEST, VALID_BPMN, MakeService


@pytest.fixture
def make_service(tmp_path: Path) -> MakeService:
    """Write a service folder; pass `bpmn`/`manifest`/`form` text to replace the valid defaults."""
    def make(bpmn: str = VALID_BPMN, manifest: str = MANIFEST, form: str | None = None,
             name: str = "svc") -> Path:
        folder = tmp_path / name
        (folder / "forms").mkdir(parents=True, exist_ok=True)
        (folder / "process.bpmn").write_text(bpmn, encoding="utf-8")
        (folder / "service.yaml").write_text(manifest, encoding="utf-8")
        doc = form if form is not None else json.dumps({"schema": {"type": "object"}, "ui": {"steps": []}})
        (folder / "forms" / "domanda.json").write_text(doc, encoding="utf-8")
        return folder
    return make
