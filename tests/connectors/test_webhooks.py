"""HMAC signatures for webhooks: sign, verify, tampering, staleness, rotation."""

from __future__ import annotations

import hmac

import pytest

from connectors import InvalidSignature, PermanentError, is_valid, sign, verify_signature

BODY = b'{"receiptId":"r1","amount":1600}'
NOW = 1_750_000_000


def test_round_trip() -> None:
    header = sign(BODY, "s3cret", timestamp=NOW)
    assert header.startswith(f"t={NOW},v1=")
    assert verify_signature(BODY, header, "s3cret", now=NOW + 10) == NOW
    assert is_valid(BODY, header, "s3cret", now=NOW)


def test_tampered_body_is_refused() -> None:
    header = sign(BODY, "s3cret", timestamp=NOW)
    with pytest.raises(InvalidSignature):
        verify_signature(BODY.replace(b"1600", b"1"), header, "s3cret", now=NOW)


def test_wrong_secret_is_refused() -> None:
    header = sign(BODY, "s3cret", timestamp=NOW)
    assert not is_valid(BODY, header, "other", now=NOW)


def test_changed_timestamp_is_refused() -> None:
    mac = sign(BODY, "s3cret", timestamp=NOW).split("v1=")[1]
    assert not is_valid(BODY, f"t={NOW + 1},v1={mac}", "s3cret", now=NOW)


def test_replay_outside_the_window_is_refused() -> None:
    header = sign(BODY, "s3cret", timestamp=NOW)
    with pytest.raises(InvalidSignature, match="window"):
        verify_signature(BODY, header, "s3cret", now=NOW + 301)
    with pytest.raises(InvalidSignature):
        verify_signature(BODY, header, "s3cret", now=NOW - 301)  # from the future
    assert is_valid(BODY, header, "s3cret", now=NOW + 1000, tolerance=3600)


@pytest.mark.parametrize("header", [None, "", "garbage", "t=abc,v1=00", f"t={NOW}", "v1=00", f"t={NOW},v1="])
def test_malformed_headers_are_refused(header: str | None) -> None:
    with pytest.raises(InvalidSignature):
        verify_signature(BODY, header, "s3cret", now=NOW)


def test_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert is_valid(BODY, sign(BODY, "s3cret", timestamp=NOW), "s3cret", now=NOW)
    assert calls, "signatures must be compared with hmac.compare_digest"


def test_secret_rotation_accepts_old_and_new() -> None:
    header = sign(BODY, "old", timestamp=NOW)
    assert verify_signature(BODY, header, ["new", "old"], now=NOW) == NOW
    with pytest.raises(InvalidSignature):
        verify_signature(BODY, header, ["new"], now=NOW)


def test_invalid_signature_is_permanent_and_empty_secret_is_refused() -> None:
    assert issubclass(InvalidSignature, PermanentError)
    with pytest.raises(ValueError):
        sign(BODY, "")
