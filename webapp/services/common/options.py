"""A service's options (the `options:` of its manifest), typed, with their defaults in one place.

Checked when a version is published (a wrong value is a `DefinitionError`, like a broken process);
read through `options_of`, never as a raw dictionary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from webapp.models import ServiceVersion

PAYMENT_PHASES = ("none", "request", "release")  # none; paid before sending; a deferred amount at approval
PROTOCOL_HANDLERS = ("builtin", "connector", "external")  # our register; a connector; an operator copies it
MAX_RESPONSE_DAYS = 3650


class OptionsError(ValueError):
    """What is wrong with a manifest's options, one sentence per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ServiceOptions:
    protocol_required: bool = False
    protocol_handler: str = "builtin"
    allow_integration_request: bool = True
    allow_partial_approval: bool = False
    allow_withdraw: bool = True
    workflow: str | None = None  # "forward": the office forwards it, the citizen cannot withdraw after sending
    payment: str = "none"
    payment_amount: int = 0  # cents, paid before sending (payment: request)
    payment_expiry: str | None = None  # ISO-8601 duration of a pagoPA notice; None: the platform's setting
    stamps: bool = False
    allow_anonymous: bool = False  # a report may hide its author from the office (the form's `anonima`)
    # The citizen is told the standard lifecycle's moments (sent, taken in charge, outcome...): the lifecycle's
    # services always, a service with its own process only when it says so (else only its send tasks speak).
    citizen_moments: bool | None = None
    appointments: bool = False
    # Days within which an application is concluded, counted from the day the ente receives it (L. 241/1990
    # art. 2: "dal ricevimento della domanda"); the service page states it, each application shows its date.
    max_response_time: int | None = None
    io_enabled: bool = False
    follow_ups: tuple[str, ...] = ()
    assignment_rules: tuple[Mapping[str, Any], ...] = ()


_FLAGS = ("protocol_required", "allow_integration_request", "allow_partial_approval", "allow_withdraw", "stamps",
          "io_enabled", "allow_anonymous", "citizen_moments")


def parse_options(raw: Mapping[str, Any] | None) -> ServiceOptions:
    """The typed options of a manifest; OptionsError lists every wrong value."""
    raw = raw or {}
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name in _FLAGS:
        if name in raw and raw[name] is not None:
            if not isinstance(raw[name], bool):
                problems.append(f"{name} deve essere true o false")
            else:
                values[name] = raw[name]
    values["appointments"] = bool(raw.get("appointments") or raw.get("calendar"))
    _choice(raw, "payment", PAYMENT_PHASES, values, problems)
    _choice(raw, "protocol_handler", PROTOCOL_HANDLERS, values, problems)
    amount = raw.get("payment_amount")
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            problems.append("payment_amount deve essere un importo in centesimi (un intero non negativo)")
        else:
            values["payment_amount"] = amount
    term = raw.get("max_response_time")
    if term is not None:
        if isinstance(term, bool) or not isinstance(term, int) or not 1 <= term <= MAX_RESPONSE_DAYS:
            problems.append(f"max_response_time deve essere un numero di giorni tra 1 e {MAX_RESPONSE_DAYS}")
        else:
            values["max_response_time"] = term
    for name in ("workflow", "payment_expiry"):
        if raw.get(name) is not None:
            if not isinstance(raw[name], str):
                problems.append(f"{name} deve essere un testo")
            else:
                values[name] = raw[name]
    values["follow_ups"] = tuple(_listed(raw, "follow_ups", str, problems))
    values["assignment_rules"] = tuple(_listed(raw, "assignment_rules", dict, problems))
    if problems:
        raise OptionsError(problems)
    return ServiceOptions(**values)


def _choice(raw: Mapping[str, Any], name: str, allowed: tuple[str, ...], values: dict[str, Any],
            problems: list[str]) -> None:
    value = raw.get(name)
    if value is None:
        return
    if value not in allowed:
        problems.append(f"{name} deve essere uno di: {', '.join(allowed)}")
    else:
        values[name] = value


def _listed(raw: Mapping[str, Any], name: str, kind: type, problems: list[str]) -> list[Any]:
    items = raw.get(name) or []
    if not isinstance(items, list) or not all(isinstance(item, kind) for item in items):
        problems.append(f"{name} deve essere un elenco")
        return []
    return items


def options_of(version: ServiceVersion) -> ServiceOptions:
    """The options of a published version (a ServiceVersion); checked when it was published."""
    return parse_options(version.options)
