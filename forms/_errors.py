"""Turn jsonschema errors into field-level errors with Italian messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

from forms._formats import FORMAT_MESSAGES


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: `pointer` is the JSON pointer of the field at fault."""

    pointer: str
    message: str
    code: str


REQUIRED_MESSAGE = "Campo obbligatorio"
NOT_AN_OBJECT_MESSAGE = "I dati inviati non sono un modulo valido"
_GENERIC_MESSAGE = "Valore non valido"

_TYPE_NAMES = {
    "string": "un testo",
    "number": "un numero",
    "integer": "un numero intero",
    "boolean": "sì o no",
    "array": "un elenco di valori",
    "object": "un gruppo di campi",
    "null": "nessun valore",
}


def pointer_of(path: Iterable[str | int]) -> str:
    """RFC 6901 pointer for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _number(value: Any) -> str:
    # Italian decimal comma; 10.0 reads better as 10.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _type_message(expected: str | Sequence[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " o ".join(_TYPE_NAMES.get(name, name) for name in names)
    return f"Valore non valido: è atteso {wanted}"


def _simple_message(keyword: str, value: Any) -> str | None:
    """Messages that depend only on the keyword and its value in the schema."""
    messages: dict[str, Any] = {
        "required": REQUIRED_MESSAGE,
        "additionalProperties": "Campo non previsto dal modulo",
        "unevaluatedProperties": "Campo non previsto dal modulo",
        "enum": "Scegli uno dei valori previsti",
        "pattern": "Formato non valido",
        "uniqueItems": "L'elenco contiene valori ripetuti",
        "minLength": lambda: f"Inserisci almeno {_plural(value, 'carattere', 'caratteri')}",
        "maxLength": lambda: f"Inserisci al massimo {_plural(value, 'carattere', 'caratteri')}",
        "minItems": lambda: f"Indica almeno {_plural(value, 'elemento', 'elementi')}",
        "maxItems": lambda: f"Indica al massimo {_plural(value, 'elemento', 'elementi')}",
        "minimum": lambda: f"Il valore deve essere almeno {_number(value)}",
        "maximum": lambda: f"Il valore deve essere al massimo {_number(value)}",
        "exclusiveMinimum": lambda: f"Il valore deve essere maggiore di {_number(value)}",
        "exclusiveMaximum": lambda: f"Il valore deve essere minore di {_number(value)}",
        "type": lambda: _type_message(value),
        "const": lambda: "Conferma obbligatoria" if value is True else "Valore non ammesso",
        "format": lambda: FORMAT_MESSAGES.get(value, "Formato non valido"),
    }
    found = messages.get(keyword)
    return found() if callable(found) else found


def _title_of(schema: Any, name: str) -> str:
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    prop = props.get(name)
    return str(prop.get("title", name)) if isinstance(prop, dict) else name


def _missing(error: ValidationError) -> Iterator[FieldError]:
    """`required`/`dependentRequired` errors belong to the absent property, not its parent."""
    path = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required":
        for name in error.validator_value:
            if name not in instance:
                yield FieldError(pointer_of([*path, name]), REQUIRED_MESSAGE, "required")
        return
    for trigger, needed in error.validator_value.items():
        if trigger not in instance:
            continue
        message = f"{REQUIRED_MESSAGE} quando è compilato «{_title_of(error.schema, trigger)}»"
        for name in needed:
            if name not in instance:
                yield FieldError(pointer_of([*path, name]), message, "dependentRequired")


def _extras(error: ValidationError) -> Iterator[FieldError]:
    """`additionalProperties: false` errors belong to each unexpected property."""
    schema = error.schema
    known = schema.get("properties", {})
    patterns = [re.compile(pattern) for pattern in schema.get("patternProperties", {})]
    path = list(error.absolute_path)
    message = _simple_message(str(error.validator), False) or _GENERIC_MESSAGE
    for name in error.instance:
        if name in known or any(pattern.search(name) for pattern in patterns):
            continue
        yield FieldError(pointer_of([*path, name]), message, str(error.validator))


def _field_errors(error: ValidationError) -> Iterator[FieldError]:
    keyword = str(error.validator)
    if keyword in ("required", "dependentRequired"):
        yield from _missing(error)
    elif keyword == "additionalProperties" and error.validator_value is False:
        yield from _extras(error)
    else:
        code = str(error.validator_value) if keyword == "format" else keyword
        message = _simple_message(keyword, error.validator_value) or _GENERIC_MESSAGE
        if keyword == "minLength" and error.instance == "":
            message = REQUIRED_MESSAGE  # an empty text box reads as "not filled in"
        yield FieldError(pointer_of(error.absolute_path), message, code)


def to_field_errors(errors: Iterable[ValidationError]) -> list[FieldError]:
    """Every distinct field error, sorted by pointer (then code) for a stable display order."""
    found = {field_error for error in errors for field_error in _field_errors(error)}
    return sorted(found, key=lambda item: (item.pointer, item.code, item.message))
