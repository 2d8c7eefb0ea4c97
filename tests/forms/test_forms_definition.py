"""Broken form documents are refused with a message naming the form and the problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from forms import Form, FormDefinitionError, Step, form_from_document, load_form

GOOD: dict[str, Any] = {
    "title": "Prova",
    "schema": {
        "type": "object",
        "required": ["nome"],
        "properties": {
            "nome": {"type": "string", "title": "Nome"},
            "persona": {
                "type": "object",
                "properties": {"cf": {"type": "string", "format": "codice-fiscale"}},
            },
        },
    },
    "ui": {
        "steps": [
            {"id": "uno", "title": "Uno", "fields": ["nome"]},
            {"id": "due", "title": "Due", "fields": ["persona"]},
        ],
        "widgets": {"nome": "text", "persona.cf": "text"},
        "help": {"nome": "Come nel documento"},
    },
}


def _broken(change: str, value: Any) -> dict[str, Any]:
    """GOOD with the value at a dotted path replaced (or removed when value is ...)."""
    document = copy.deepcopy(GOOD)
    *parents, last = change.split(".")
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return document


def test_good_document_builds_a_form() -> None:
    form = form_from_document("prova", GOOD)
    assert isinstance(form, Form)
    assert form.steps == (Step("uno", "Uno", ("nome",)), Step("due", "Due", ("persona",)))
    assert form.widgets == {"nome": "text", "persona.cf": "text"}
    assert form.help == {"nome": "Come nel documento"}


def test_steps_default_to_one_step_in_schema_order() -> None:
    document = _broken("ui", ...)
    form = form_from_document("prova", document)
    assert form.steps == (Step("modulo", "Prova", ("nome", "persona")),)
    assert form.widgets == {} and form.help == {}


@pytest.mark.parametrize(
    ("change", "value", "fragment"),
    [
        ("schema", ..., "manca lo schema"),
        ("schema", [], "manca lo schema"),
        ("title", ..., "manca il titolo"),
        ("schema.type", "array", "\"object\""),
        ("schema.properties", ..., "\"object\""),
        ("schema.required", "nome", "schema non valido in /required"),
        ("schema.properties.nome.type", "text", "schema non valido in /properties/nome/type"),
        ("schema.properties.nome.format", "telefono", "formati sconosciuti: telefono"),
        ("schema.properties.persona.properties.cf.format", "cf", "formati sconosciuti: cf"),
        ("schema.$schema", "http://json-schema.org/draft-07/schema#", "2020-12"),
        ("schema.required", ["nome", "cognome"], "campi obbligatori non dichiarati: cognome"),
        ("ui", [], "\"ui\" deve essere un oggetto"),
        ("ui.step", [], "chiavi \"ui\" sconosciute: step"),
        ("ui.steps", [], "elenco non vuoto"),
        ("ui.steps.0.fields", ["nome", "cognome"], "campi sconosciuti negli step: cognome"),
        ("ui.steps.1.fields", ["persona", "nome"], "campi in più di uno step: nome"),
        ("ui.steps.1.fields", [], "campi non assegnati ad alcuno step: persona"),
        ("ui.steps.1.id", "uno", "id di step ripetuti"),
        ("ui.steps.1.title", ..., "ui.steps[1] richiede \"id\" e \"title\""),
        ("ui.steps.1.fields", "persona", "ui.steps[1] richiede \"fields\""),
        ("ui.steps.1", "persona", "ui.steps[1] deve essere un oggetto"),
        ("ui.widgets.cognome", "text", "\"ui.widgets\" nomina campi sconosciuti: cognome"),
        ("ui.widgets.nome", "slider", "widget sconosciuti: nome=slider"),
        ("ui.help", {"persona.nome": "x"}, "\"ui.help\" nomina campi sconosciuti: persona.nome"),
        ("ui.help.nome", 3, "\"ui.help\" deve associare"),
    ],
)
def test_broken_documents_are_refused(change: str, value: Any, fragment: str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        form_from_document("servizio/prova", _broken(change, value))
    message = str(caught.value)
    assert message.startswith("servizio/prova: ")
    assert fragment in message


def test_format_inside_data_keywords_is_not_a_format() -> None:
    # "format" as a property name or inside a const is data, not the format keyword.
    document = copy.deepcopy(GOOD)
    document["schema"]["properties"]["format"] = {"const": {"format": "whatever"}, "title": "F"}
    document["ui"]["steps"][1]["fields"].append("format")
    assert "format" in form_from_document("prova", document).schema["properties"]


def test_not_a_document() -> None:
    with pytest.raises(FormDefinitionError, match="oggetto JSON"):
        form_from_document("prova", [])  # type: ignore[arg-type]


def test_load_form_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "domanda.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert load_form("x/domanda", path).ref == "x/domanda"


@pytest.mark.parametrize("content", ["{not json", None])
def test_load_form_reports_unreadable_files(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "domanda.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="x/domanda: impossibile leggere"):
        load_form("x/domanda", path)
