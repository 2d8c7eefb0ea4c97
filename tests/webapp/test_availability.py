"""Slot rules (opencity-model.md, section e): slots from the opening hours, the booking window,
closures, capacity and busy intervals. Pure computation on unsaved model objects."""

from __future__ import annotations

from datetime import date, datetime, time

from webapp.models import Calendar, Closure, OpeningHour
from webapp.services.appointments import Window, days, slots_for_day
from webapp.services.common.localtime import ROME

MONDAY = date(2027, 3, 1)


def _calendar(**changes) -> Calendar:
    values = {"minimum_scheduling_notice": 24, "rolling_days": 30}
    values.update(changes)
    return Calendar(**values)


def _hour(**changes) -> OpeningHour:
    values = {"id": "h1", "name": "Mattine", "start_date": date(2027, 1, 1), "end_date": date(2027, 12, 31),
              "days_of_week": [1, 2, 3, 4, 5], "begin_hour": time(9), "end_hour": time(12), "meeting_minutes": 30,
              "interval_minutes": 0, "meeting_queue": 1}
    values.update(changes)
    return OpeningHour(**values)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


EARLY = Window.of(_calendar(), _at(date(2027, 2, 25), 8))  # the Thursday before: Monday is bookable


def _starts(slots) -> list[str]:
    return [slot.start.strftime("%H:%M") for slot in slots]


def test_slots_step_by_length_plus_interval_and_end_by_closing_time():
    plain = slots_for_day(_calendar(), [_hour()], [], MONDAY, EARLY)
    assert _starts(plain) == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"]
    spaced = slots_for_day(_calendar(), [_hour(meeting_minutes=40, interval_minutes=10)], [], MONDAY, EARLY)
    assert _starts(spaced) == ["09:00", "09:50", "10:40"]  # 11:30 + 40 min would end after 12:00
    assert all(slot.available == 1 for slot in plain)


def test_only_on_its_weekdays_and_between_its_dates():
    saturday = date(2027, 3, 6)
    assert slots_for_day(_calendar(), [_hour()], [], saturday, EARLY) == []
    ended = _hour(end_date=date(2027, 2, 28))
    assert slots_for_day(_calendar(), [ended], [], MONDAY, EARLY) == []


def test_the_booking_window_applies_notice_and_horizon():
    notice = Window.of(_calendar(minimum_scheduling_notice=48), _at(date(2027, 2, 27), 10))  # Saturday 10:00
    assert _starts(slots_for_day(_calendar(), [_hour()], [], MONDAY, notice)) == ["10:00", "10:30", "11:00", "11:30"]
    horizon = Window.of(_calendar(rolling_days=2), _at(date(2027, 2, 25), 8))
    assert slots_for_day(_calendar(), [_hour()], [], MONDAY, horizon) == []
    assert Window.of(_calendar(), _at(MONDAY, 11), ignore_limits=True).earliest < _at(MONDAY, 9)


def test_closures_remove_slots_and_a_closed_day_is_not_offered():
    lunch = Closure(starts_at=_at(MONDAY, 10), ends_at=_at(MONDAY, 11))
    assert _starts(slots_for_day(_calendar(), [_hour()], [lunch], MONDAY, EARLY)) == ["09:00", "09:30", "11:00",
                                                                                       "11:30"]
    holiday = Closure(starts_at=_at(MONDAY, 0), ends_at=_at(date(2027, 3, 2), 0))
    offered = days(_calendar(), [_hour()], [holiday], MONDAY, date(2027, 3, 2), EARLY)
    assert offered == [(MONDAY, False), (date(2027, 3, 2), True)]


def test_capacity_is_shared_by_overlapping_busy_intervals():
    two_desks = _hour(meeting_queue=2)
    busy = [(_at(MONDAY, 9), _at(MONDAY, 9, 30)), (_at(MONDAY, 9, 15), _at(MONDAY, 9, 45))]
    slots = {slot.start.strftime("%H:%M"): slot.available
             for slot in slots_for_day(_calendar(), [two_desks], [], MONDAY, EARLY, busy)}
    assert slots["09:00"] == 0 and slots["09:30"] == 1 and slots["10:00"] == 2


def test_a_day_across_the_change_to_summer_time_keeps_local_hours():
    sunday_change = date(2027, 3, 28)  # clocks go forward in Italy
    monday_after = date(2027, 3, 29)
    window = Window.of(_calendar(rolling_days=60), _at(date(2027, 3, 20), 8))
    assert slots_for_day(_calendar(), [_hour(days_of_week=[7])], [], sunday_change, window)[0].start == time(9)
    assert _starts(slots_for_day(_calendar(), [_hour()], [], monday_after, window))[0] == "09:00"
