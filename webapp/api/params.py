"""Query parameters declared once: each reads itself from the request (strictly: a value the API does
not document is a 400 naming the parameter, never silently replaced) and describes itself to the
OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import request

from webapp.services.common import localtime
from webapp.services.common.errors import FieldProblem, ValidationFailed


def _refuse(name: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(f"/{name}", message, code)])


@dataclass(frozen=True)
class Param:
    name: str
    description: str = ""

    def raw(self) -> str | None:
        return request.args.get(self.name)

    def read(self) -> Any:
        return self.raw()

    def schema(self) -> dict[str, Any]:
        return {"type": "string"}

    def openapi(self) -> dict[str, Any]:
        parameter: dict[str, Any] = {"name": self.name, "in": "query", "required": False, "schema": self.schema()}
        if self.description:
            parameter["description"] = self.description
        return parameter


@dataclass(frozen=True)
class Text(Param):
    max_length: int = 100

    def read(self) -> str | None:
        raw = self.raw()
        if raw is not None and len(raw) > self.max_length:
            raise _refuse(self.name, f"Al massimo {self.max_length} caratteri.", "maxLength")
        return raw

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "maxLength": self.max_length}


INTEGER = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Whole(Param):
    """A whole number in [low, high]: digits only (no sign, spaces or decimals)."""

    low: int = 0
    high: int = 10**9
    default: int | None = None

    def read(self) -> int | None:
        raw = self.raw()
        if raw is None:
            return self.default
        value = int(raw) if INTEGER.fullmatch(raw) and len(raw) <= 12 else None
        if value is None or not self.low <= value <= self.high:
            raise _refuse(self.name, f"Deve essere un intero tra {self.low} e {self.high}.", "range")
        return value

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer", "minimum": self.low, "maximum": self.high}
        if self.default is not None:
            schema["default"] = self.default
        return schema


@dataclass(frozen=True)
class Choice(Param):
    choices: tuple[str, ...] = ()

    def read(self) -> str | None:
        raw = self.raw()
        if raw is not None and raw not in self.choices:
            raise _refuse(self.name, f"Valori ammessi: {', '.join(self.choices)}.", "enum")
        return raw

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.choices)}


@dataclass(frozen=True)
class Flag(Param):
    """`true` or `false`, as JSON writes them."""

    def read(self) -> bool | None:
        raw = self.raw()
        if raw is not None and raw not in ("true", "false"):
            raise _refuse(self.name, "Valori ammessi: true, false.", "type")
        return None if raw is None else raw == "true"

    def schema(self) -> dict[str, Any]:
        return {"type": "boolean"}


# RFC 3339 (ISO 8601 with an offset), the form the API writes its own moments in.
MOMENT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}:[0-9]{2}):([0-9]{2})(\.[0-9]+)?"
                    r"([Zz]|[+-][0-9]{2}:[0-9]{2})")


def parse_moment(raw: str) -> datetime | None:
    """A day (its midnight, UTC) or an RFC 3339 date-time; None when it is neither."""
    day = localtime.parse_day(raw)
    if day is not None:
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    found = MOMENT.fullmatch(raw)
    if found is None:
        return None
    day_part, minutes, seconds, fraction, offset = found.groups()
    seconds = min(seconds, "59")  # a leap second (23:59:60) is the last second of its minute here
    fraction = (fraction or "")[:7]  # Python keeps microseconds
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        return datetime.fromisoformat(f"{day_part}T{minutes}:{seconds}{fraction}{offset}")
    except ValueError:
        return None


@dataclass(frozen=True)
class Day(Param):
    def read(self) -> date | None:
        raw = self.raw()
        if raw is None:
            return None
        day = localtime.parse_day(raw)
        if day is None:
            raise _refuse(self.name, "Data non valida (AAAA-MM-GG).", "format")
        return day

    def schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}


@dataclass(frozen=True)
class Moment(Param):
    """A day (AAAA-MM-GG, from its midnight UTC) or a full RFC 3339 date-time with its offset."""

    def read(self) -> datetime | None:
        raw = self.raw()
        if raw is None:
            return None
        moment = parse_moment(raw)
        if moment is None:
            raise _refuse(self.name, "Data non valida (AAAA-MM-GG o data e ora ISO 8601 con fuso).", "format")
        return moment

    def schema(self) -> dict[str, Any]:
        return {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}


def read_all(params: tuple[Param, ...]) -> dict[str, Any]:
    """Every parameter read, and every problem reported at once."""
    values: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for param in params:
        try:
            values[param.name] = param.read()
        except ValidationFailed as exc:
            problems.extend(exc.errors)
    if problems:
        raise ValidationFailed(problems)
    return values
