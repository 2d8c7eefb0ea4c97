from __future__ import annotations

from collections.abc import Callable

import pytest

from forms import FORMATS, Form

VALID = {
    "codice-fiscale": ["RSSMRA80A01H501U", "VRDGPP85M41F205X", "rssmra80a01h501u"],
    # 01234567897 is not valid: its office code (789, digits 8-10) does not exist.
    "partita-iva": ["00743110157", "01234560017"],
    "iban": ["IT60X0542811101000000123456", "IT60 X054 2811 1010 0000 0123 456"],
    "cap": ["00184", "20121"],
    "email": ["mario.rossi@comune.example.it", "a+b@x.io"],
    "phone": ["+39 06 1234567", "3331234567", "0039 333 1234567", "123456"],
    "date": ["2024-02-29", "1980-01-01"],
    "attachment": ["3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f", "3F2B8C1E-9A4D-4C6B-8E2F-1A2B3C4D5E6F"],
}

INVALID = {
    "codice-fiscale": ["RSSMRA80A01H501X", "RSSMRA80A01H501", "", "not a code"],
    "partita-iva": ["01234567897", "0074311015", "ABCDEFGHIJK"],
    "iban": ["IT61X0542811101000000123456", "IT60X05428", "ciao"],
    "cap": ["0018", "001845", "OO184", "٠٠١٨٤"],
    "email": ["mario", "mario@", "@comune.it", "a b@x.it", "a@b", "a..b@x.it", "a@-x.it"],
    "phone": ["12345", "+39 333 123456789012", "333-1234567", "++39333", "tel 3331234567"],
    "date": ["2023-02-29", "2024-13-01", "20240101", "2024-W01-1", "01/02/2024"],
    "attachment": [
        "not-a-uuid",
        "{3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f}",
        "3f2b8c1e9a4d4c6b8e2f1a2b3c4d5e6f",
    ],
}

MESSAGES = {
    "codice-fiscale": "Codice fiscale non valido",
    "partita-iva": "Partita IVA non valida",
    "iban": "IBAN non valido",
}


def _form(make_form: Callable[..., Form], name: str) -> Form:
    return make_form({"value": {"type": "string", "format": name}})


def test_formats_cover_the_documented_set() -> None:
    assert set(FORMATS) == set(VALID) == set(INVALID)


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in VALID.items() for v in vs])
def test_format_accepts(make_form: Callable[..., Form], name: str, value: str) -> None:
    assert _form(make_form, name).validate({"value": value}) == []


@pytest.mark.parametrize(("name", "value"), [(n, v) for n, vs in INVALID.items() for v in vs])
def test_format_refuses(make_form: Callable[..., Form], name: str, value: str) -> None:
    [error] = _form(make_form, name).validate({"value": value})
    assert (error.pointer, error.code) == ("/value", name)
    assert error.message == MESSAGES.get(name, error.message)
    assert "is not a" not in error.message  # our Italian text, not jsonschema's


@pytest.mark.parametrize("name", FORMATS)
def test_format_ignores_other_types(make_form: Callable[..., Form], name: str) -> None:
    # A number where text is wanted is a single "type" error, not a format error too.
    form = make_form({"value": {"type": "string", "format": name}})
    assert [e.code for e in form.validate({"value": 12})] == ["type"]


def test_formats_are_not_registered_globally() -> None:
    from jsonschema import FormatChecker

    assert "codice-fiscale" not in FormatChecker().checkers
