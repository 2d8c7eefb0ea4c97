"""The form editor's server side: a form document read from the editor's text, checked the way publishing
checks it, and drawn with the render model and the field macros the citizen's step page uses.

Nothing here stores anything: the preview is drawn from what the editor posts, the answers typed into it
are validated and forgotten.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

import forms

# The formats forms.FORMATS knows, as the editor names them; a format without a name here shows its code.
FORMAT_LABELS = {
    "codice-fiscale": "Codice fiscale",
    "partita-iva": "Partita IVA",
    "iban": "IBAN",
    "cap": "CAP",
    "email": "E-mail",
    "phone": "Telefono",
    "date": "Data",
    "attachment": "Allegato (file)",
}


class BrokenDocument(Exception):
    """The editor's text is not a form document the platform could publish: the message says why."""


def format_choices() -> list[dict[str, str]]:
    return [{"value": name, "label": FORMAT_LABELS.get(name, name)} for name in forms.FORMATS]


def parse_text(ref: str, text: Any) -> dict[str, Any]:
    """The document in the editor's text; BrokenDocument (in Italian) when it is not JSON or not an object."""
    if not isinstance(text, str):
        raise BrokenDocument(f"{ref}: manca il testo del modulo")
    problem = forms.text_problem(text)
    if problem:
        raise BrokenDocument(f"{ref}: {problem}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        # json's own explanation is English: the place is what the administrator needs.
        raise BrokenDocument(f"{ref}: JSON non leggibile alla riga {exc.lineno}, colonna {exc.colno}") from exc
    if not isinstance(document, dict):
        raise BrokenDocument(f"{ref}: il modulo deve essere un oggetto JSON")
    refused = forms.bad_values(document, limit=1)  # a "\u0000" escape is only text once parsed
    if refused:
        raise BrokenDocument(f"{ref}: {refused[0].message} (in {refused[0].pointer or '/'})")
    return document


def checked_form(ref: str, text: Any) -> forms.Form:
    """The Form of the editor's text, checked by forms.form_from_document (the check publishing runs)."""
    document = parse_text(ref, text)
    try:
        form = forms.form_from_document(ref, document)
    except forms.FormDefinitionError as exc:
        raise BrokenDocument(str(exc)) from exc
    _check_drawable(ref, form.schema)
    return form


def _check_drawable(ref: str, schema: dict[str, Any]) -> None:
    """JSON Schema lets a property be `true`; the citizen's page draws a field from an object only, so such a
    document would pass the check and then fail on the first page that shows it."""
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict):
            raise BrokenDocument(f"{ref}: il campo {name} deve essere descritto da un oggetto")
        for child, sub in (prop.get("properties") or {}).items():
            if not isinstance(sub, dict):
                raise BrokenDocument(f"{ref}: il campo {name}.{child} deve essere descritto da un oggetto")


@dataclass
class PreviewStep:
    """One step as the citizen's page draws it: fields, then the conditional sections."""

    step: forms.Step
    fields: list[forms.FieldView]
    conditional: list[forms.FieldView]


@dataclass
class Preview:
    form: forms.Form
    steps: list[PreviewStep]
    chosen: str | None  # the one step shown, or None for all of them
    validated: bool = False
    error_items: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def step_ids(self) -> list[str]:
        return [s.id for s in self.form.steps]


def answers_of(raw: Any) -> MultiDict[str, str]:
    """The preview form's fields as the editor posts them: [[name, value], ...] (repeated names allowed)."""
    pairs = [(str(item[0]), str(item[1])) for item in raw or []
             if isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[1], str | int | float)]
    return MultiDict(pairs)


def build_preview(form: forms.Form, chosen: str | None, answers: MultiDict[str, str], validate: bool) -> Preview:
    """The steps with the answers typed so far; with `validate`, the errors the citizen would see on them."""
    shown = [s for s in form.steps if s.id == chosen] or list(form.steps)
    names = tuple(name for s in shown for name in s.fields)
    # Files are never uploaded in a preview: a file field counts as not given.
    posted = forms.parse_step(form, names, answers, MultiDict())
    values = {k: v for k, v in posted.values.items() if k not in forms.attachment_names(form, names)}
    active = form.active_fields(values)
    data = {k: v for k, v in values.items() if k in active}
    errors: dict[str, str] = {}
    if validate:
        found = form.validate(data) if len(shown) > 1 else form.validate_step(shown[0].id, data)
        roots = {"/" + name for name in names}
        found = [e for e in found if any(e.pointer == r or e.pointer.startswith(r + "/") for r in roots)]
        errors = forms.expand_errors(form, found)
    required = forms.required_fields(form, active)
    conditional = forms.conditional_fields(form.schema)
    steps = []
    for step in shown:
        step_names = [n for n in step.fields if n in active]
        steps.append(PreviewStep(
            step=step,
            fields=forms.build_fields(form, [n for n in step_names if n not in conditional], data, errors, required),
            conditional=forms.build_fields(form, [n for n in step_names if n in conditional], data, errors, required),
        ))
    preview = Preview(form=form, steps=steps, chosen=chosen if len(shown) == 1 else None, validated=validate)
    preview.error_items = _error_items(steps) if validate else []
    return preview


def _error_items(steps: list[PreviewStep]) -> list[tuple[str, str, str]]:
    """(anchor id, label, message) for the error summary, in page order, as the citizen's step page lists them."""
    items = []
    for step in steps:
        for view in [*step.fields, *step.conditional]:
            for leaf in view.children or [view]:
                if leaf.error:
                    items.append((leaf.id, leaf.label if not view.children else f"{view.label}: {leaf.label}",
                                  leaf.error))
    return items
