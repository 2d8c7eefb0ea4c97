"""Form documents: checking a definition once, then validating data against it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.protocols import Validator

from forms import _walk
from forms._errors import NOT_AN_OBJECT_MESSAGE, FieldError, pointer_of, to_field_errors
from forms._formats import FORMATS, make_format_checker
from forms._hygiene import bad_values
from forms._profile import profile_fields, profile_problems

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_UI_KEYS = frozenset({"steps", "widgets", "help"})
_WIDGETS = frozenset({
    "text", "textarea", "number", "email", "tel", "date", "radio", "select",
    "checkbox", "checkboxes", "switch", "file", "hidden",
})


class FormDefinitionError(Exception):
    """A form document that cannot be used: the message says which form and what is wrong."""


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Form:
    ref: str
    title: str
    schema: dict[str, Any]
    steps: tuple[Step, ...]
    widgets: dict[str, str] = field(default_factory=dict)
    help: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _validator(self) -> Validator:
        # Compiled once per Form; cached_property writes __dict__ directly, so frozen is fine.
        validator: Validator = Draft202012Validator(self.schema, format_checker=make_format_checker())
        return validator

    def validate(self, data: Any) -> list[FieldError]:
        """Every error in data, sorted by pointer; [] when the data is valid."""
        if not isinstance(data, dict):
            return [FieldError("", NOT_AN_OBJECT_MESSAGE, "type")]
        refused = bad_values(data)  # text and numbers no schema may let through
        errors = to_field_errors(self._validator.iter_errors(data))
        if not refused:
            return errors
        taken = {error.pointer for error in refused}
        return sorted(refused + [e for e in errors if e.pointer not in taken], key=lambda e: (e.pointer, e.code))

    def validate_step(self, step_id: str, data: dict[str, Any]) -> list[FieldError]:
        """Errors of one step's fields only: later steps may still be empty."""
        step = self._step(step_id)
        errors = self.validate(data)
        return _within(step, errors) if isinstance(data, dict) else errors

    def errors_by_step(self, data: dict[str, Any]) -> dict[str, list[FieldError]]:
        """Step id -> what `validate_step` would say, from one validation of the whole data (a page that
        shows every step's state would otherwise validate the form once per step)."""
        errors = self.validate(data)
        if not isinstance(data, dict):
            return {step.id: errors for step in self.steps}
        return {step.id: _within(step, errors) for step in self.steps}

    def attachment_fields(self, data: dict[str, Any]) -> list[str]:
        """Attachment ids referenced anywhere in data, in order, each once."""
        return _walk.attachment_ids(self.schema, data)

    def active_fields(self, data: dict[str, Any]) -> set[str]:
        """Top-level fields that apply to this data (conditional sections included only when taken)."""
        return _walk.active_fields(self._validator, self.schema, data)

    @cached_property
    def profile_fields(self) -> dict[str, str]:
        """Top-level field -> the kind of profile data it holds (forms._profile)."""
        return profile_fields(self.schema)

    def _step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(f"{self.ref}: step sconosciuto {step_id!r}")


def _within(step: Step, errors: list[FieldError]) -> list[FieldError]:
    """The errors whose pointer lies in one of the step's fields (the whole name, not a prefix of it)."""
    roots = [pointer_of([name]) for name in step.fields]
    return [
        error for error in errors
        if any(error.pointer == root or error.pointer.startswith(root + "/") for root in roots)
    ]


def load_form(ref: str, path: Path) -> Form:
    """Read and check a form document from a JSON file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormDefinitionError(f"{ref}: impossibile leggere {path}: {exc}") from exc
    return form_from_document(ref, document)


def form_from_document(ref: str, document: dict[str, Any]) -> Form:
    """Check a form document thoroughly (schema, formats, ui) and build its Form."""
    if not isinstance(document, dict):
        raise FormDefinitionError(f"{ref}: il modulo deve essere un oggetto JSON")
    schema = _checked_schema(ref, document.get("schema"))
    title = document.get("title", schema.get("title"))
    if not isinstance(title, str) or not title.strip():
        raise FormDefinitionError(f"{ref}: manca il titolo del modulo (\"title\")")
    ui = document.get("ui", {})
    if not isinstance(ui, dict):
        raise FormDefinitionError(f"{ref}: \"ui\" deve essere un oggetto")
    unknown = sorted(set(ui) - _UI_KEYS)
    if unknown:
        raise FormDefinitionError(f"{ref}: chiavi \"ui\" sconosciute: {', '.join(unknown)}")
    return Form(
        ref=ref,
        title=title,
        schema=schema,
        steps=_steps(ref, ui.get("steps"), schema, title),
        widgets=_field_map(ref, ui, "widgets", schema),
        help=_field_map(ref, ui, "help", schema),
    )


def _checked_schema(ref: str, schema: Any) -> dict[str, Any]:
    if not isinstance(schema, dict):
        raise FormDefinitionError(f"{ref}: manca lo schema del modulo (\"schema\")")
    if schema.get("$schema", _DRAFT) != _DRAFT:
        raise FormDefinitionError(f"{ref}: lo schema deve usare la bozza 2020-12 ({_DRAFT})")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = pointer_of(exc.absolute_path) or "/"
        raise FormDefinitionError(f"{ref}: schema non valido in {where}: {exc.message}") from exc
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        raise FormDefinitionError(f"{ref}: lo schema deve essere di tipo \"object\" con \"properties\"")
    unknown = sorted(_walk.formats_used(schema) - set(FORMATS))
    if unknown:
        raise FormDefinitionError(
            f"{ref}: formati sconosciuti: {', '.join(unknown)} (ammessi: {', '.join(FORMATS)})"
        )
    undeclared = sorted(_walk.required_names(schema) - set(schema["properties"]))
    if undeclared:
        raise FormDefinitionError(f"{ref}: campi obbligatori non dichiarati: {', '.join(undeclared)}")
    problems = profile_problems(schema)
    if problems:
        raise FormDefinitionError(f"{ref}: {'; '.join(problems)}")
    return schema


def _steps(ref: str, raw: Any, schema: dict[str, Any], title: str) -> tuple[Step, ...]:
    """Steps as declared; without any, one step holding every field in schema order."""
    properties = list(schema["properties"])
    if raw is None:
        return (Step(id="modulo", title=title, fields=tuple(properties)),)
    if not isinstance(raw, list) or not raw:
        raise FormDefinitionError(f"{ref}: \"ui.steps\" deve essere un elenco non vuoto")
    steps = tuple(_step(ref, index, item) for index, item in enumerate(raw))
    ids = [step.id for step in steps]
    if len(set(ids)) != len(ids):
        raise FormDefinitionError(f"{ref}: id di step ripetuti in \"ui.steps\"")
    placed = [name for step in steps for name in step.fields]
    problems = [
        ("campi sconosciuti negli step", sorted(set(placed) - set(properties))),
        ("campi in più di uno step", sorted({name for name in placed if placed.count(name) > 1})),
        ("campi non assegnati ad alcuno step", [name for name in properties if name not in placed]),
    ]
    for label, names in problems:
        if names:
            raise FormDefinitionError(f"{ref}: {label}: {', '.join(names)}")
    return steps


def _step(ref: str, index: int, item: Any) -> Step:
    where = f"{ref}: ui.steps[{index}]"
    if not isinstance(item, dict):
        raise FormDefinitionError(f"{where} deve essere un oggetto")
    step_id, title, fields = item.get("id"), item.get("title"), item.get("fields")
    if not isinstance(step_id, str) or not step_id or not isinstance(title, str) or not title:
        raise FormDefinitionError(f"{where} richiede \"id\" e \"title\" testuali non vuoti")
    if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
        raise FormDefinitionError(f"{where} richiede \"fields\": un elenco di nomi di campo")
    return Step(id=step_id, title=title, fields=tuple(fields))


def _field_map(ref: str, ui: dict[str, Any], key: str, schema: dict[str, Any]) -> dict[str, str]:
    """ui.widgets / ui.help: field name (dotted for nested fields) -> text."""
    raw = ui.get(key, {})
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise FormDefinitionError(f"{ref}: \"ui.{key}\" deve associare nomi di campo a testi")
    unknown = sorted(name for name in raw if not _declared(schema, name))
    if unknown:
        raise FormDefinitionError(f"{ref}: \"ui.{key}\" nomina campi sconosciuti: {', '.join(unknown)}")
    if key == "widgets":
        bad = sorted(f"{name}={widget}" for name, widget in raw.items() if widget not in _WIDGETS)
        if bad:
            raise FormDefinitionError(
                f"{ref}: widget sconosciuti: {', '.join(bad)} (ammessi: {', '.join(sorted(_WIDGETS))})"
            )
    return dict(raw)


def _declared(schema: dict[str, Any], dotted: str) -> bool:
    """Whether "a.b" names a property path; array items are looked through."""
    node: Any = schema
    for part in dotted.split("."):
        while isinstance(node, dict) and isinstance(node.get("items"), dict):
            node = node["items"]
        props = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(props, dict) or part not in props:
            return False
        node = props[part]
    return True
