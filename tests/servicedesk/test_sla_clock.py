"""The business-time clock, by hand. Times are shop time (Asia/Shanghai, UTC+8, no DST).

Office rota: 09:00-18:00 on working days, off on rest days (the chinese-calendar days)."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.core.business_calendar import Schedule
from guanxi.servicedesk.sla_clock import (
    ClockError,
    add_business_minutes,
    business_seconds,
    unofficial_years,
)

TZ = "Asia/Shanghai"
CST = dt.timezone(dt.timedelta(hours=8))
OFFICE = Schedule.parse("09:00-18:00")
LUNCH = Schedule.parse("09:00-12:00, 13:30-18:00")
SHOP = Schedule.parse("09:00-24:00", "09:00-24:00")  # the default service hours


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST)


def due(start: str, minutes: int, schedule: Schedule = OFFICE, pauses=()) -> dt.datetime:
    return add_business_minutes(at(start), minutes, schedule=schedule, time_zone=TZ, pauses=pauses)


def seconds(start: str, end: str, schedule: Schedule = OFFICE, pauses=()) -> int:
    return business_seconds(at(start), at(end), schedule=schedule, time_zone=TZ, pauses=pauses)


def test_across_a_night():
    # Tue 2025-06-10 17:00 → 18:00 (1 h), night, Wed 09:00 → 10:00 (1 h) = 2 h.
    assert seconds("2025-06-10 17:00", "2025-06-11 10:00") == 2 * 3600
    # 120 min from Tue 17:00: 60 on Tuesday, 60 from Wed 09:00 → Wed 10:00.
    assert due("2025-06-10 17:00", 120) == at("2025-06-11 10:00")
    # A target that ends with the shift is due at 18:00, not at the next morning.
    assert due("2025-06-10 17:00", 60) == at("2025-06-10 18:00")
    # Lunch break 12:00-13:30: 11:30 + 60 min = 30 before lunch + 30 after → 14:00.
    assert due("2025-06-10 11:30", 60, LUNCH) == at("2025-06-10 14:00")


def test_across_a_weekend():
    # Fri 2025-06-13 17:30 → 18:00 (30 min), Sat/Sun off, Mon 09:00 → 09:30 (30 min).
    assert seconds("2025-06-13 17:30", "2025-06-16 09:30") == 3600
    assert due("2025-06-13 17:30", 60) == at("2025-06-16 09:30")
    # Service hours 09:00-24:00 every day: Sat 23:30 + 60 = 30 min + Sun 09:00 → 09:30.
    assert due("2025-06-14 23:30", 60, SHOP) == at("2025-06-15 09:30")


def test_adjusted_working_weekend_days():
    # 调休: Saturday 2025-10-11 is a working day (after National Day).
    # Fri 10-10 17:00 + 120 min: 60 on Friday, 60 on Saturday 09:00 → Sat 10:00.
    assert due("2025-10-10 17:00", 120) == at("2025-10-11 10:00")
    # A week later Saturday 10-18 is an ordinary rest day: → Mon 10-20 10:00.
    assert due("2025-10-17 17:00", 120) == at("2025-10-20 10:00")
    # Sunday 2025-09-28 is a working day: Sat 09-27 noon + 60 min → Sun 10:00.
    assert due("2025-09-27 12:00", 60) == at("2025-09-28 10:00")
    assert seconds("2025-09-27 00:00", "2025-09-29 00:00") == 9 * 3600  # Sunday's 9 h only


def test_national_day_holiday():
    # Tue 2025-09-30 17:00 + 120 min: 60 on 09-30, 10-01…10-08 off, Thu 10-09 09:00 → 10:00.
    assert due("2025-09-30 17:00", 120) == at("2025-10-09 10:00")
    # 09-30 09:00 → 10-09 09:00: only 09-30's 9 h count.
    assert seconds("2025-09-30 09:00", "2025-10-09 09:00") == 9 * 3600


def test_pause_while_waiting_on_the_customer():
    pause = [(at("2025-06-10 11:00"), at("2025-06-10 13:00"))]
    # 10:00 → 16:00 is 6 h, less the 2 h pause = 4 h.
    assert seconds("2025-06-10 10:00", "2025-06-10 16:00", pauses=pause) == 4 * 3600
    # 240 min from 10:00: 60 to 11:00, paused to 13:00, 180 more → 16:00.
    assert due("2025-06-10 10:00", 240, pauses=pause) == at("2025-06-10 16:00")
    # A pause over the night: waiting Tue 17:00 → Wed 10:00. 16:00 + 120 min =
    # 60 to 17:00, then from Wed 10:00 another 60 → Wed 11:00.
    night = [(at("2025-06-10 17:00"), at("2025-06-11 10:00"))]
    assert due("2025-06-10 16:00", 120, pauses=night) == at("2025-06-11 11:00")
    # Overlapping pauses count once: 11:00-12:00 and 11:30-13:00 = 11:00-13:00.
    twice = [
        (at("2025-06-10 11:00"), at("2025-06-10 12:00")),
        (at("2025-06-10 11:30"), at("2025-06-10 13:00")),
    ]
    assert seconds("2025-06-10 10:00", "2025-06-10 16:00", pauses=twice) == 4 * 3600


def test_years_without_calendar_data_use_monday_to_friday():
    # 2027 is not in chinese-calendar: Fri 2027-01-01 counts as a working day (the real
    # New Year's Day holiday is not known), and the years are named for the page.
    assert due("2026-12-31 17:00", 120) == at("2027-01-01 10:00")
    assert unofficial_years(at("2026-12-31 17:00"), at("2027-01-01 10:00")) == (2027,)
    assert unofficial_years(at("2025-01-01 00:00"), at("2025-12-31 00:00")) == ()


def test_inputs_in_any_zone_and_bad_inputs():
    utc = dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC)  # = 17:00 shop time
    assert add_business_minutes(utc, 120, schedule=OFFICE, time_zone=TZ) == at("2025-06-11 10:00")
    with pytest.raises(ClockError, match="no time zone"):
        business_seconds(dt.datetime(2025, 6, 10), utc, schedule=OFFICE, time_zone=TZ)
    with pytest.raises(ClockError, match="no shift"):
        add_business_minutes(utc, 5, schedule=Schedule(()), time_zone=TZ)
    assert seconds("2025-06-10 12:00", "2025-06-10 11:00") == 0


def test_a_daylight_saving_day_elsewhere():
    # New York, Sunday 2025-03-09 (a rest day in the Chinese calendar too): the clocks skip
    # 02:00-03:00, so a 00:00-24:00 day lasts 23 h.
    nyc = "America/New_York"
    around = Schedule.parse("00:00-24:00", "00:00-24:00")
    start = dt.datetime(2025, 3, 9, 5, tzinfo=dt.UTC)  # 00:00 EST
    end = dt.datetime(2025, 3, 10, 4, tzinfo=dt.UTC)  # 00:00 EDT, 23 h later
    assert business_seconds(start, end, schedule=around, time_zone=nyc) == 23 * 3600
    assert add_business_minutes(start, 23 * 60, schedule=around, time_zone=nyc) == end
