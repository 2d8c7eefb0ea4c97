"""Timestamps on the wire: ISO 8601 in UTC with a Z."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(value: datetime) -> str:
    """UTC ISO 8601 with a Z; naive datetimes are taken as UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_dt(value: str | None) -> datetime | None:
    """Parse ISO 8601 (Z allowed); naive values are taken as UTC."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
