"""Marca da bollo (physical *contrassegno telematico*) data given by the citizen.

The identifier is 14 digits; the issue date may not be after the submission date (a stamp
dated after the act can be fined). Uniqueness per tenant is the web layer's DB constraint on
`(tenant_id, identifier)`; `normalize_stamp_identifier` gives it the canonical key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from connectors.errors import ValidationError

_IDENTIFIER = re.compile(r"^\d{14}$")
DEFAULT_STAMP_AMOUNT_CENTS = 1600


@dataclass(frozen=True)
class StampData:
    identifier: str
    issue_date: date
    issue_time: time | None = None


class StampValidationError(ValidationError):
    """A field of the stamp is wrong. `field` names it, `message` is Italian for the citizen."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, code=f"bollo.{field}")
        self.field = field
        self.message = message


def normalize_stamp_identifier(raw: str) -> str:
    """Drop spaces and dashes people type between digit groups."""
    return re.sub(r"[\s\-]", "", raw or "")


def _as_date(value: date | str, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise StampValidationError(field, "Data non valida (formato AAAA-MM-GG).") from None


def _as_time(value: time | str | None) -> time | None:
    if value is None or isinstance(value, time):
        return value
    if not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise StampValidationError("issue_time", "Ora non valida (formato HH:MM).") from None


def validate_stamp(identifier: str, issue_date: date | str, *, submitted_on: date | datetime,
                   issue_time: time | str | None = None) -> StampData:
    """Validate what the citizen typed; return the normalized data or raise `StampValidationError`."""
    ident = normalize_stamp_identifier(identifier)
    if not _IDENTIFIER.match(ident):
        raise StampValidationError("identifier", "Il numero identificativo della marca da bollo è di 14 cifre.")
    issued = _as_date(issue_date, "issue_date")
    at = _as_time(issue_time)
    limit = submitted_on.date() if isinstance(submitted_on, datetime) else submitted_on
    if issued > limit:
        raise StampValidationError("issue_date",
                                   "La data di emissione non può essere successiva alla data della richiesta.")
    if at is not None and isinstance(submitted_on, datetime) and issued == limit \
            and at > submitted_on.time().replace(tzinfo=None):
        raise StampValidationError("issue_time",
                                   "L'ora di emissione non può essere successiva all'ora della richiesta.")
    return StampData(identifier=ident, issue_date=issued, issue_time=at)
