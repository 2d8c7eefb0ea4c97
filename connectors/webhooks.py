"""HMAC-SHA256 signatures for webhooks (payment receipts, protocol callbacks).

Header value: ``t=<unix seconds>,v1=<hex hmac>``; the MAC covers ``"<t>." + body``. The
timestamp limits replays to a short window, the comparison is constant-time, and the receiver
still dedupes by business id (receipt id, protocol number) because delivery is at-least-once.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from connectors.errors import InvalidSignature

SIGNATURE_HEADER = "X-Signature"
DEFAULT_TOLERANCE = 300


def _key(secret: str | bytes) -> bytes:
    key = secret.encode() if isinstance(secret, str) else secret
    if not key:
        raise ValueError("an empty webhook secret is not a secret")
    return key


def _mac(secret: str | bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str | bytes, *, timestamp: int | None = None) -> str:
    """The signature header value for `body`, at `timestamp` (now by default)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={_mac(secret, ts, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidSignature("malformed signature header")
        if name == "t":
            if not value.isdigit():
                raise InvalidSignature("malformed signature timestamp")
            timestamp = int(value)
        elif name == "v1":
            macs.append(value)
    if timestamp is None or not macs:
        raise InvalidSignature("signature header lacks t or v1")
    return timestamp, macs


def verify(body: bytes, header: str | None, secret: str | bytes | list[str | bytes], *,
           tolerance: int = DEFAULT_TOLERANCE, now: int | None = None) -> int:
    """Check a signature header; return its timestamp or raise `InvalidSignature`.

    `secret` may be a list to accept an old and a new secret while rotating.
    """
    if not header:
        raise InvalidSignature("missing signature")
    timestamp, macs = _parse(header)
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature("signature timestamp outside the accepted window")
    secrets = secret if isinstance(secret, list) else [secret]
    expected = [_mac(s, timestamp, body) for s in secrets]
    matched = False
    for given in macs:
        for want in expected:
            matched |= hmac.compare_digest(given.encode(), want.encode())
    if not matched:
        raise InvalidSignature("signature does not match")
    return timestamp


def is_valid(body: bytes, header: str | None, secret: str | bytes, *,
             tolerance: int = DEFAULT_TOLERANCE, now: int | None = None) -> bool:
    """`verify` as a boolean, for callers that only branch."""
    try:
        verify(body, header, secret, tolerance=tolerance, now=now)
    except InvalidSignature:
        return False
    return True
