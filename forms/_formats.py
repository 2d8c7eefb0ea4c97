"""Custom string formats, enforced through a private jsonschema FormatChecker."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from jsonschema import FormatChecker
from stdnum import iban
from stdnum.it import codicefiscale, iva

_CAP = re.compile(r"[0-9]{5}")
# Pragmatic address check: no DNS, no quoted local parts; the mail server is the real judge.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_PHONE = re.compile(r"\+?[0-9 ]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Canonical lowercase/uppercase 8-4-4-4-12 only: uuid.UUID() would also take braces and "urn:".
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _is_codice_fiscale(value: str) -> bool:
    # stdnum compacts (strips spaces, upper-cases) before checking, so lowercase input passes.
    return bool(codicefiscale.is_valid(value))


def _is_partita_iva(value: str) -> bool:
    return bool(iva.is_valid(value))


def _is_iban(value: str) -> bool:
    return bool(iban.is_valid(value))


def _is_cap(value: str) -> bool:
    return _CAP.fullmatch(value) is not None


def _is_email(value: str) -> bool:
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None


def _is_phone(value: str) -> bool:
    if _PHONE.fullmatch(value.strip()) is None:
        return False
    digits = sum(char.isdigit() for char in value)
    return 6 <= digits <= 15


def _is_date(value: str) -> bool:
    # fromisoformat alone would also accept "20240101" and week dates since 3.11.
    if _DATE.fullmatch(value) is None:
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_attachment(value: str) -> bool:
    return _UUID.fullmatch(value) is not None


_CHECKS: dict[str, Callable[[str], bool]] = {
    "codice-fiscale": _is_codice_fiscale,
    "partita-iva": _is_partita_iva,
    "iban": _is_iban,
    "cap": _is_cap,
    "email": _is_email,
    "phone": _is_phone,
    "date": _is_date,
    "attachment": _is_attachment,
}

FORMATS: tuple[str, ...] = tuple(_CHECKS)

FORMAT_MESSAGES: dict[str, str] = {
    "codice-fiscale": "Codice fiscale non valido",
    "partita-iva": "Partita IVA non valida",
    "iban": "IBAN non valido",
    "cap": "CAP non valido: servono 5 cifre",
    "email": "Indirizzo email non valido",
    "phone": "Numero di telefono non valido",
    "date": "Data non valida: usa il formato AAAA-MM-GG",
    "attachment": "Allegato non valido",
}


def format_problem(name: str, value: str) -> str | None:
    """The Italian message for a text that is not of the format `name` (one of FORMATS), else None."""
    return None if _CHECKS[name](value) else FORMAT_MESSAGES[name]


def _string_check(check: Callable[[str], bool]) -> Callable[[object], bool]:
    # Formats only constrain strings; a wrong type is reported once, by the "type" keyword.
    def conforms(instance: object) -> bool:
        return not isinstance(instance, str) or check(instance)

    return conforms


def make_format_checker() -> FormatChecker:
    """A checker knowing only our formats: nothing is registered on jsonschema's global one."""
    checker = FormatChecker(formats=())
    for name, check in _CHECKS.items():
        checker.checks(name)(_string_check(check))
    return checker
