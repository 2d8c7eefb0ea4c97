"""Filled-in forms as people read them: the form's labels, in the form's order, Italian formats.

One summary serves the citizen's Riepilogo and detail pages, the back office's Dati tab and the
receipt PDF, so that the same value never reads "8500.5" in one place and "8.500,5" in another.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_decimal

if TYPE_CHECKING:
    from forms._definition import Form, Step

YES, NO = "Sì", "No"


@dataclass(frozen=True)
class SummaryRow:
    pointer: str  # JSON pointer of the value, e.g. "/delegante/nome"
    label: str  # the form's title for it ("Persona che ti ha delegato: Nome")
    text: str  # the value as text; empty for attachments, which callers show by file name
    attachment_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SummarySection:
    step: Step
    rows: tuple[SummaryRow, ...]


def number_text(value: int | float | Decimal, locale: str = "it", decimals: int | None = None) -> str:
    """8500.5 -> "8.500,5": up to three decimals, as people write areas; `decimals` fixes how many
    (2 for money: "8.500,50")."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale=locale))


def date_text(value: datetime.date | str, locale: str = "it") -> str:
    """A calendar date, 1980-01-31 -> "31/01/1980"; a text that is not a date comes back as it is."""
    if isinstance(value, str):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    return str(format_date(day, "dd/MM/yyyy", locale=locale))


def _choice_title(node: dict[str, Any], value: Any) -> str | None:
    for option in node.get("oneOf") or node.get("anyOf") or ():
        if isinstance(option, dict) and "const" in option and option["const"] == value and option.get("title"):
            return str(option["title"])
    return None


def value_text(node: dict[str, Any], value: Any, locale: str = "it") -> str:
    """One value as text, formatted by what its schema says it is."""
    if value is None:
        return ""
    title = _choice_title(node, value)
    if title is not None:
        return title
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int | float | Decimal):
        return number_text(value, locale)
    if isinstance(value, list):
        return ", ".join(value_text(_node(node, "items"), item, locale) for item in value)
    if isinstance(value, dict):
        props = node.get("properties")
        return "; ".join(f"{_title(_node(props, k), k)}: {value_text(_node(props, k), v, locale)}"
                         for k, v in value.items())
    if node.get("format") == "date":
        return date_text(str(value), locale)
    return str(value)


def _title(node: Any, name: str) -> str:
    return str(node.get("title") or name) if isinstance(node, dict) else name


def _node(props: Any, name: str) -> dict[str, Any]:
    """The schema of one property; {} where there is none (data the form no longer describes)."""
    node = props.get(name) if isinstance(props, dict) else None
    return node if isinstance(node, dict) else {}


def _attachment_ids(node: dict[str, Any], value: Any) -> tuple[str, ...] | None:
    """The ids of a file field's value, or None when the field is not a file field."""
    if node.get("format") == "attachment":
        return (value,) if isinstance(value, str) else ()
    items = node.get("items")
    if isinstance(items, dict) and items.get("format") == "attachment":
        return tuple(str(v) for v in value) if isinstance(value, list) else ()
    return None


def _rows(pointer: str, label: str, node: dict[str, Any], value: Any, locale: str) -> list[SummaryRow]:
    files = _attachment_ids(node, value)
    if files is not None:
        return [SummaryRow(pointer, label, "", files)]
    if isinstance(value, dict) and isinstance(node.get("properties"), dict):
        props: dict[str, Any] = node["properties"]
        ordered = [k for k in props if k in value] + [k for k in value if k not in props]
        rows: list[SummaryRow] = []
        for key in ordered:
            child = _node(props, key)
            rows += _rows(f"{pointer}/{key}", f"{label}: {_title(child, key)}", child, value[key], locale)
        return rows
    return [SummaryRow(pointer, label, value_text(node, value, locale))]


def summarise(form: Form, data: dict[str, Any], locale: str = "it") -> tuple[SummarySection, ...]:
    """The fields that apply to this data (sections the citizen never saw are left out), step by step."""
    active = form.active_fields(data)
    props: dict[str, Any] = form.schema.get("properties", {})
    sections = []
    for step in form.steps:
        rows: list[SummaryRow] = []
        for name in step.fields:
            if name not in data or name not in active or data[name] in (None, ""):
                continue
            node = _node(props, name)
            rows += _rows(f"/{name}", _title(node, name), node, data[name], locale)
        sections.append(SummarySection(step, tuple(rows)))
    return tuple(sections)
