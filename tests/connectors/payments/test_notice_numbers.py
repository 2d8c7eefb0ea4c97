"""Notice numbers, IUVs and QR strings against the rules in reference/connectors.md §1.5-1.6."""

from __future__ import annotations

import pytest

from connectors.payments import (
    check_notice_number,
    format_notice_number,
    iuv_of,
    make_notice_number,
    make_qr,
    notice_number_from_sequence,
    parse_qr_string,
    qr_string,
)
from connectors.payments.contrib.pagopa.notice import notice_number_of, segregation_code_of


def test_worked_example_from_the_doc() -> None:
    notice = make_notice_number(1, "2345678901234")
    assert notice == "301234567890123416"
    assert iuv_of(notice) == "01234567890123416"
    assert int("3012345678901234") % 93 == 16  # the check pair, computed by hand from the rule
    assert check_notice_number(notice)


def test_check_digits_are_mod_93_of_the_first_16_digits() -> None:
    for seg, base in [(0, "0000000000000"), (1, "0000000000001"), (47, "9999999999999"), (99, "1234567890123")]:
        notice = make_notice_number(seg, base)
        assert len(notice) == 18 and notice[0] == "3" and notice[1:3] == f"{seg:02d}" and notice[3:16] == base
        assert notice[16:] == f"{int(notice[:16]) % 93:02d}"
        assert segregation_code_of(notice) == seg


def test_leading_zeros_are_kept() -> None:
    notice = make_notice_number(0, "0000000000007")
    assert notice == "300000000000000710"  # 3000000000000007 % 93 == 10
    assert len(iuv_of(notice)) == 17 and iuv_of(notice).startswith("00")


def test_legacy_aux_digit_0_example_is_accepted() -> None:
    assert check_notice_number("001550000000024427")
    assert iuv_of("001550000000024427") == "550000000024427"
    assert notice_number_of("550000000024427", aux_digit=0, application_code=1) == "001550000000024427"


@pytest.mark.parametrize("bad", [
    "301234567890123417",   # wrong check pair
    "301234567890123461",   # check digits swapped
    "30123456789012341",    # 17 digits
    "3012345678901234160",  # 19 digits
    "30123456789012341a",   # not digits
    "101234567890123416",   # aux digit 1 unsupported
    "",
])
def test_bad_notice_numbers_are_refused(bad: str) -> None:
    assert not check_notice_number(bad)


def test_every_single_digit_change_is_caught() -> None:
    notice = "301234567890123416"
    for i in range(1, 16):  # any change in the body changes the mod-93 remainder
        for d in "0123456789":
            if d != notice[i]:
                assert not check_notice_number(notice[:i] + d + notice[i + 1:])


@pytest.mark.parametrize(("seg", "base"), [(-1, "2345678901234"), (100, "2345678901234"), (1, "234567890123"),
                                           (1, "23456789012345"), (1, "234567890123x")])
def test_make_notice_number_refuses_bad_parts(seg: int, base: str) -> None:
    with pytest.raises(ValueError):
        make_notice_number(seg, base)


def test_notice_from_sequence_and_iuv_round_trip() -> None:
    notice = notice_number_from_sequence(1, 42)
    assert notice[3:16] == "0000000000042" and check_notice_number(notice)
    assert notice_number_of(iuv_of(notice)) == notice
    with pytest.raises(ValueError):
        notice_number_of("01234567890123417")


def test_printed_form_groups_of_four() -> None:
    printed = format_notice_number("301234567890123416")
    assert printed == "3012 3456 7890 1234 16"
    assert len(printed) == 22


def test_qr_string_example_from_the_doc() -> None:
    assert qr_string("301234567890123416", "00000000000", 1600) == "PAGOPA|002|301234567890123416|00000000000|1600"
    parsed = parse_qr_string("PAGOPA|002|301234567890123416|00000000000|1600")
    assert (parsed.notice_number, parsed.ec_fiscal_code, parsed.amount_cents) == (
        "301234567890123416", "00000000000", 1600)


@pytest.mark.parametrize("bad", [
    "PAGOPA|002|301234567890123417|00000000000|1600",   # bad check digits
    "PAGOPA|001|301234567890123416|00000000000|1600",   # wrong version
    "PAGOPA|002|301234567890123416|0000000000|1600",    # 10-digit fiscal code
    "PAGOPA|002|301234567890123416|00000000000|16.00",  # euros, not cents
    "PAGOPA|002|301234567890123416|00000000000|0",      # zero amount
    "PAGOPA;002;301234567890123416;00000000000;1600",   # wrong separator
    "PAGOPA|002|301234567890123416|00000000000",        # missing field
])
def test_bad_qr_strings_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_qr_string(bad)


def test_qr_string_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        qr_string("301234567890123417", "00000000000", 1600)
    with pytest.raises(ValueError):
        qr_string("301234567890123416", "00000000000", -5)


def test_qr_symbol_is_version_4_level_m() -> None:
    qr = make_qr("301234567890123416", "00000000000", 1600)
    assert qr.version == 4
    assert qr.error == "M"  # not boosted
    assert qr.symbol_size(scale=1, border=0) == (33, 33)
    assert qr.designator == "4-M"
