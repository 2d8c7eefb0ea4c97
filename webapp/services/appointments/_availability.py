"""Which appointment slots a calendar offers (opencity-model.md, section e, rules 1, 2, 5 and 7).

Pure computation over a calendar's opening hours, closures and busy intervals: no database access,
so it is the same for the public API, the booking pages and the operators' grid. Times are local to
Europe/Rome, as the offices keep them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from webapp.models import Calendar, Closure, OpeningHour
from webapp.services.common.localtime import ROME, aware


@dataclass(frozen=True)
class Slot:
    day: date
    start: time
    end: time
    opening_hour_id: str
    capacity: int  # parallel places (meeting_queue)
    taken: int  # busy intervals overlapping the slot

    @property
    def available(self) -> int:
        return max(0, self.capacity - self.taken)


@dataclass(frozen=True)
class Window:
    """The bookable range: from now + minimum notice to now + rolling days (operators may ignore it)."""

    earliest: datetime
    latest: datetime

    @classmethod
    def of(cls, calendar: Calendar, now: datetime, *, ignore_limits: bool = False) -> Window:
        local = now.astimezone(ROME)
        if ignore_limits:
            return cls(datetime.min.replace(tzinfo=ROME), datetime.max.replace(tzinfo=ROME))
        return cls(local + timedelta(hours=calendar.minimum_scheduling_notice),
                   local + timedelta(days=calendar.rolling_days))


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=ROME)


# Stored moments are UTC (SQLite, the demo's database, keeps no offset and gives them back naive).
def stored(day: date, moment: time) -> datetime:
    """A local wall-clock time of the office as the UTC moment to store and compare in queries."""
    return _at(day, moment).astimezone(UTC)


def _overlaps(start: datetime, end: datetime, intervals: Iterable[tuple[datetime, datetime]]) -> int:
    return sum(1 for other_start, other_end in intervals if other_start < end and start < other_end)


def _opens_on(hour: OpeningHour, day: date) -> bool:
    return hour.start_date <= day <= hour.end_date and day.isoweekday() in hour.days_of_week


def slots_for_day(calendar: Calendar, hours: Sequence[OpeningHour], closures: Sequence[Closure], day: date,
                  window: Window, busy: Sequence[tuple[datetime, datetime]] = ()) -> list[Slot]:
    """Slots start at begin_hour and step by meeting + interval minutes while they end by end_hour;
    a slot inside a closure or outside the window is not offered; busy intervals take places."""
    closed = [(aware(c.starts_at), aware(c.ends_at)) for c in closures]
    slots = []
    for hour in hours:
        if not _opens_on(hour, day) or hour.meeting_minutes <= 0:
            continue
        step = timedelta(minutes=hour.meeting_minutes + hour.interval_minutes)
        length = timedelta(minutes=hour.meeting_minutes)
        start, close = _at(day, hour.begin_hour), _at(day, hour.end_hour)
        while start + length <= close:
            end = start + length
            if window.earliest <= start <= window.latest and not _overlaps(start, end, closed):
                slots.append(Slot(day, start.time(), end.time(), str(hour.id), hour.meeting_queue,
                                  _overlaps(start, end, busy)))
            start += step
    return sorted(slots, key=lambda slot: (slot.start, slot.opening_hour_id))


def days(calendar: Calendar, hours: Sequence[OpeningHour], closures: Sequence[Closure], first: date,
         last: date, window: Window, busy: Sequence[tuple[datetime, datetime]] = ()) -> list[tuple[date, bool]]:
    """Each day from `first` to `last` and whether it has at least one free place."""
    result = []
    day = first
    while day <= last:
        free = any(slot.available for slot in slots_for_day(calendar, hours, closures, day, window, busy))
        result.append((day, free))
        day += timedelta(days=1)
    return result
