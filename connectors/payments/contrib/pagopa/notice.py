"""Notice numbers (*codice avviso*, NAV), IUVs and the pagoPA QR string.

Aux digit 3 (the one for new positions): ``3 | segregation (2) | base (13) | check (2)``, with
``check = int("3" + segregation + base) % 93``; the IUV is the last 17 digits. Aux digit 0
(older positions) is ``0 | application code (2) | IUV (15 = base13 + check2)`` with the same
mod-93 rule over the first 16 digits; it is accepted when reading, never generated.
Keep all of these as strings: leading zeros matter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS18 = re.compile(r"^\d{18}$")
_FISCAL11 = re.compile(r"^\d{11}$")
QR_PREFIX = "PAGOPA"
QR_VERSION = "002"
MAX_AMOUNT_CENTS = 99_999_999_999


def _check(first16: str) -> str:
    return f"{int(first16) % 93:02d}"


def make_notice_number(segregation_code: int, base13: str) -> str:
    """The 18-digit notice number (aux digit 3) for a segregation code and a 13-digit base."""
    if not (isinstance(base13, str) and len(base13) == 13 and base13.isdigit()):
        raise ValueError("the IUV base is 13 digits")
    if not 0 <= segregation_code <= 99:
        raise ValueError("the segregation code is 0..99")
    head = f"3{segregation_code:02d}{base13}"
    return head + _check(head)


def notice_number_from_sequence(segregation_code: int, sequence: int) -> str:
    """A notice number from a per-EC counter (e.g. a DB sequence), the base being the counter."""
    if not 0 <= sequence < 10**13:
        raise ValueError("the sequence must fit in 13 digits")
    return make_notice_number(segregation_code, f"{sequence:013d}")


def check_notice_number(notice_number: str) -> bool:
    """True for a well-formed notice number with aux digit 3 or 0 and a correct check pair."""
    if not (isinstance(notice_number, str) and _DIGITS18.match(notice_number)):
        return False
    if notice_number[0] not in "03":
        return False
    return _check(notice_number[:16]) == notice_number[16:]


def iuv_of(notice_number: str) -> str:
    """The IUV inside a notice number: 17 digits for aux 3, 15 digits for aux 0."""
    if not check_notice_number(notice_number):
        raise ValueError("not a valid notice number")
    return notice_number[1:] if notice_number[0] == "3" else notice_number[3:]


def notice_number_of(iuv: str, *, aux_digit: int = 3, application_code: int | None = None) -> str:
    """Rebuild the notice number from an IUV (aux 0 needs its application code)."""
    if aux_digit == 3 and len(iuv) == 17 and iuv.isdigit():
        candidate = "3" + iuv
    elif aux_digit == 0 and application_code is not None and len(iuv) == 15 and iuv.isdigit():
        candidate = f"0{application_code:02d}{iuv}"
    else:
        raise ValueError("IUV and aux digit do not fit")
    if not check_notice_number(candidate):
        raise ValueError("IUV check digits are wrong")
    return candidate


def segregation_code_of(notice_number: str) -> int:
    if not check_notice_number(notice_number) or notice_number[0] != "3":
        raise ValueError("not an aux-3 notice number")
    return int(notice_number[1:3])


def format_notice_number(notice_number: str) -> str:
    """The printed form: groups of 4 digits separated by spaces (22 characters)."""
    if not _DIGITS18.match(notice_number):
        raise ValueError("a notice number is 18 digits")
    return " ".join(notice_number[i:i + 4] for i in range(0, 18, 4))


def qr_string(notice_number: str, ec_fiscal_code: str, amount_cents: int) -> str:
    """`PAGOPA|002|<notice number>|<EC fiscal code>|<amount in cents>`."""
    if not check_notice_number(notice_number):
        raise ValueError("not a valid notice number")
    if not _FISCAL11.match(ec_fiscal_code):
        raise ValueError("the EC fiscal code is 11 digits")
    if not (isinstance(amount_cents, int) and 1 <= amount_cents <= MAX_AMOUNT_CENTS):
        raise ValueError("the amount is a positive number of cents")
    return f"{QR_PREFIX}|{QR_VERSION}|{notice_number}|{ec_fiscal_code}|{amount_cents}"


@dataclass(frozen=True)
class QrPayload:
    notice_number: str
    ec_fiscal_code: str
    amount_cents: int


def parse_qr_string(data: str) -> QrPayload:
    """Parse and check a pagoPA QR string; raise `ValueError` when any field breaks the rules."""
    parts = data.split("|")
    if len(parts) != 5 or parts[0] != QR_PREFIX or parts[1] != QR_VERSION:
        raise ValueError("not a PAGOPA|002 QR string")
    _, _, notice, fiscal, amount = parts
    if not amount.isdigit():
        raise ValueError("the amount is an integer number of cents")
    qr_string(notice, fiscal, int(amount))
    return QrPayload(notice, fiscal, int(amount))
