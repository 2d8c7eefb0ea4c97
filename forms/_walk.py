"""Walks over a schema (and over data alongside it): formats used, attachments, conditional fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema.protocols import Validator

# Keywords whose value is one subschema, a list of them, or a name -> subschema map.
_ONE = ("not", "if", "then", "else", "items", "contains", "additionalProperties",
        "propertyNames", "unevaluatedItems", "unevaluatedProperties")
_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAP = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
# Applicators that constrain the same instance the schema they sit in does.
_IN_PLACE = ("allOf", "anyOf", "oneOf", "then", "else")


def subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """The schema and every schema nested in it, skipping data keywords (const, enum, default)."""
    if not isinstance(schema, dict):
        return
    yield schema
    for keyword in _ONE:
        yield from subschemas(schema.get(keyword))
    for keyword in _LIST:
        items = schema.get(keyword)
        for item in items if isinstance(items, list) else []:
            yield from subschemas(item)
    for keyword in _MAP:
        children = schema.get(keyword)
        if isinstance(children, dict):
            for child in children.values():
                yield from subschemas(child)


def formats_used(schema: dict[str, Any]) -> set[str]:
    return {sub["format"] for sub in subschemas(schema) if isinstance(sub.get("format"), str)}


def _in_place(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schema plus the applicators evaluated against the same value (allOf, then, ...)."""
    yield schema
    for keyword in _IN_PLACE:
        value = schema.get(keyword)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                yield from _in_place(item)
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict):
        for item in dependent.values():
            if isinstance(item, dict):
                yield from _in_place(item)


def _collect(schema: dict[str, Any], value: Any, found: list[str]) -> None:
    for sub in _in_place(schema):
        if sub.get("format") == "attachment" and isinstance(value, str):
            found.append(value)
        if isinstance(value, dict):
            props = sub.get("properties")
            extra = sub.get("additionalProperties")
            for name, item in value.items():
                child = props.get(name) if isinstance(props, dict) else None
                child = child if isinstance(child, dict) else extra
                if isinstance(child, dict):
                    _collect(child, item, found)
        elif isinstance(value, list) and isinstance(sub.get("items"), dict):
            for item in value:
                _collect(sub["items"], item, found)


def attachment_ids(schema: dict[str, Any], data: Any) -> list[str]:
    """Values of `format: attachment` strings in data, in order, without repeats."""
    found: list[str] = []
    _collect(schema, data, found)
    return list(dict.fromkeys(found))


def _mentions(branch: Any) -> set[str]:
    """Top-level fields a conditional branch declares or requires."""
    if not isinstance(branch, dict):
        return set()
    names = set(branch.get("required", []))
    names.update(branch.get("properties", {}))
    for item in branch.get("allOf", []):
        names |= _mentions(item)
    return names


def _conditionals(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Root-level if/then/else blocks: on the root itself and inside its allOf."""
    if "if" in schema:
        yield schema
    for item in schema.get("allOf", []):
        if isinstance(item, dict):
            yield from _conditionals(item)


def active_fields(validator: Validator, schema: dict[str, Any], data: Any) -> set[str]:
    """A field named by a conditional branch applies only when some branch naming it is taken."""
    fields = set(schema.get("properties", {}))
    conditional: set[str] = set()
    taken: set[str] = set()
    for block in _conditionals(schema):
        then, else_ = _mentions(block.get("then")), _mentions(block.get("else"))
        conditional |= then | else_
        holds = validator.evolve(schema=block["if"]).is_valid(data)
        taken |= then if holds else else_
    dependent = schema.get("dependentSchemas", {})
    for trigger, branch in dependent.items():
        names = _mentions(branch)
        conditional |= names
        if isinstance(data, dict) and trigger in data:
            taken |= names
    return {name for name in fields if name not in conditional or name in taken}


def required_names(schema: dict[str, Any]) -> set[str]:
    """Names the root object may require, directly or through conditionals and dependencies."""
    names: set[str] = set()
    for sub in _in_place(schema):
        required = sub.get("required")
        if isinstance(required, list):
            names.update(name for name in required if isinstance(name, str))
        dependent = sub.get("dependentRequired")
        if isinstance(dependent, dict):
            for trigger, needed in dependent.items():
                names.add(trigger)
                names.update(name for name in needed if isinstance(name, str))
    return names
