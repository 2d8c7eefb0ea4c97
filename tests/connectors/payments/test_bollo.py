"""Marca da bollo: 14-digit identifier and an issue date not after the request."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from connectors import ValidationError
from connectors.payments import DEFAULT_STAMP_AMOUNT_CENTS, StampValidationError, validate_stamp


def test_valid_stamp_is_normalized() -> None:
    stamp = validate_stamp("0123 4567 8901 23", "2025-03-01", submitted_on=date(2025, 3, 2))
    assert stamp.identifier == "01234567890123"
    assert stamp.issue_date == date(2025, 3, 1)
    assert DEFAULT_STAMP_AMOUNT_CENTS == 1600


def test_same_day_is_allowed() -> None:
    assert validate_stamp("01234567890123", date(2025, 3, 2), submitted_on=date(2025, 3, 2))


@pytest.mark.parametrize("ident", ["0123456789012", "012345678901234", "0123456789012A", "", "01234-56789-0123x"])
def test_identifier_must_be_14_digits(ident: str) -> None:
    with pytest.raises(StampValidationError) as err:
        validate_stamp(ident, "2025-03-01", submitted_on=date(2025, 3, 2))
    assert err.value.field == "identifier"
    assert "14 cifre" in err.value.message
    assert isinstance(err.value, ValidationError)


def test_issue_date_after_submission_is_refused() -> None:
    with pytest.raises(StampValidationError) as err:
        validate_stamp("01234567890123", "2025-03-03", submitted_on=date(2025, 3, 2))
    assert err.value.field == "issue_date"


@pytest.mark.parametrize("bad", ["03/01/2025", "2025-02-30", "ieri"])
def test_issue_date_must_be_a_date(bad: str) -> None:
    with pytest.raises(StampValidationError) as err:
        validate_stamp("01234567890123", bad, submitted_on=date(2025, 3, 2))
    assert err.value.field == "issue_date"


def test_issue_time_same_day_must_precede_submission() -> None:
    submitted = datetime(2025, 3, 2, 10, 0)
    assert validate_stamp("01234567890123", "2025-03-02", issue_time="09:30", submitted_on=submitted).issue_time \
        == time(9, 30)
    with pytest.raises(StampValidationError) as err:
        validate_stamp("01234567890123", "2025-03-02", issue_time="11:00", submitted_on=submitted)
    assert err.value.field == "issue_time"
