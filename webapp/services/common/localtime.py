"""The offices' clock: every moment is stored in UTC and shown, counted and cut into days in Europe/Rome.

One place for the zone, so that a page, an e-mail, a PDF and an export never disagree about what time
(or what day) it was. SQLite, the demo's database, keeps no offset and gives moments back naive: those
are UTC too.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_day(raw: object) -> date | None:
    """A calendar day written YYYY-MM-DD (as date inputs and the API send it); None for anything else."""
    text = raw if isinstance(raw, str) else ""
    if not DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2027-02-30
        return None


def aware(moment: datetime) -> datetime:
    """A moment read back from the database: naive ones are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local(moment: datetime) -> datetime:
    """A stored moment as the wall clock of the offices (daylight saving time included)."""
    return aware(moment).astimezone(ROME)


def local_day(moment: datetime) -> date:
    """The offices' calendar day of a moment: 23:30 UTC on 31 March is already 1 April in Rome."""
    return local(moment).date()


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in Rome, whatever the server's own time zone is."""
    return local_day(now())


def start_of_day(day: date) -> datetime:
    """Midnight of an office day, as the UTC moment to compare stored times with (for 1 January of
    year 1, typed into a filter, UTC's first moment: Rome's midnight then is before it)."""
    try:
        return datetime.combine(day, time(), tzinfo=ROME).astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def end_of_day(day: date) -> datetime:
    """The next day's midnight in UTC: the exclusive end of `day` (the calendar's last day ends at its end)."""
    return start_of_day(day + timedelta(days=1)) if day < date.max else datetime.max.replace(tzinfo=UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of an office day in UTC; 23 or 25 hours long on the days the clocks change."""
    return start_of_day(day), end_of_day(day)
