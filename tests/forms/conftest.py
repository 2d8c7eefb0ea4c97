from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forms import Form, form_from_document, load_form

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


@pytest.fixture(scope="session")
def accesso_atti() -> Form:
    return load_form("accesso-atti/domanda", WORKFLOWS / "accesso-atti" / "forms" / "domanda.json")


@pytest.fixture(scope="session")
def contributo() -> Form:
    return load_form("contributo/domanda", WORKFLOWS / "contributo" / "forms" / "domanda.json")


@pytest.fixture(scope="session")
def esito() -> Form:
    return load_form("_lifecycle/esito", WORKFLOWS / "_lifecycle" / "forms" / "esito.json")


@pytest.fixture
def make_form() -> Callable[..., Form]:
    """A form from bare properties: make_form({"cf": {...}}, required=["cf"])."""

    def build(properties: dict[str, Any], **schema: Any) -> Form:
        document = {
            "title": "Prova",
            "schema": {"type": "object", "properties": properties, **schema},
        }
        return form_from_document("prova", document)

    return build
