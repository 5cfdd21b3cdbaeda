"""Business-time response figures across the 2025 National Day holiday (Shanghai times).

Calendar (State Council, via chinese-calendar): 10-01 … 10-08 are holidays, Saturday 10-11
is an adjusted working day (调休上班), 10-18/10-19 an ordinary weekend.

kf1 works 09:00-18:00 on working days and is off on rest days:
- s1: c1 asks Tue 09-30 17:59:30; kf1 answers Thu 10-09 09:00:10 → 30 s on 09-30 + 10 s on
  10-09 = 40 business seconds (the holiday week counts nothing); wall clock 745,240 s.
- s2: c2 asks Sat 10-11 08:59:50, kf1 answers 09:00:05 → 5 s (a working Saturday: the shift
  starts 09:00); c2 again 09:10:00, answered 09:10:30 → 30 s.
  kf1: first response (40 + 5) / 2 = 22.50; average response (40 + 5 + 30) / 3 = 25.00.
kf3 works 09:00-18:00 on working days and 10:00-16:00 on rest days:
- s3: c3 asks Sat 10-18 09:59:00, kf3 answers 10:00:30 → 30 s.
- s4: c4 asks Sun 10-19 16:00:00 (after the rest-day shift), answered Mon 10-20 09:00:45
  → 45 s. kf3: first and average response (30 + 45) / 2 = 37.50.
kf2 has no schedule: no business-time figures (None), its wall-clock figures as ever.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.business_calendar import (
    Schedule,
    ScheduleError,
    day_kind,
    duty_intervals,
    parse_hours,
)
from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics.agents import AgentReport
from tests.factories import chats_table, reports_by_agent, utc

CHATS = [
    ("s1", "c1", None, "2025-09-30 17:59:30"),
    ("s1", "c1", "kf1", "2025-10-09 09:00:10"),
    ("s2", "c2", None, "2025-10-11 08:59:50"),
    ("s2", "c2", "kf1", "2025-10-11 09:00:05"),
    ("s2", "c2", None, "2025-10-11 09:10:00"),
    ("s2", "c2", "kf1", "2025-10-11 09:10:30"),
    ("s3", "c3", None, "2025-10-18 09:59:00"),
    ("s3", "c3", "kf3", "2025-10-18 10:00:30"),
    ("s4", "c4", None, "2025-10-19 16:00:00"),
    ("s4", "c4", "kf3", "2025-10-20 09:00:45"),
    ("s5", "c5", None, "2025-10-20 23:00:00"),
    ("s5", "c5", "kf2", "2025-10-20 23:00:20"),
]
PERIOD = Period(parse_day("2025-09-29"), parse_day("2025-10-31"))
SCHEDULES = {
    "kf1": Schedule.parse("09:00-18:00"),
    "kf3": Schedule.parse("09:00-18:00", "10:00-16:00"),
}


@pytest.fixture
def shop(lake: Lake) -> Lake:
    rows = [(c[0], c[1], "agent" if c[2] else "customer", c[2], c[3]) for c in CHATS]
    lake.write("chat_messages", chats_table(rows))
    return lake


def _reports(shop: Lake) -> dict[str, AgentReport]:
    return reports_by_agent(shop, PERIOD, schedules=SCHEDULES)


def test_business_time_skips_nights_weekends_and_holidays(shop: Lake) -> None:
    reports = _reports(shop)
    kf1, kf2, kf3 = reports["kf1"], reports["kf2"], reports["kf3"]
    assert kf1.first_response_business_seconds == Decimal("22.50")
    assert kf1.avg_response_business_seconds == Decimal("25.00")
    assert kf3.first_response_business_seconds == Decimal("37.50")
    assert kf3.avg_response_business_seconds == Decimal("37.50")
    assert kf2.first_response_business_seconds is None
    assert kf2.avg_response_business_seconds is None
    # Wall-clock figures are untouched: s1 waited 8 days 15:00:40 = 745,240 s, s2 15 s.
    assert kf1.first_response_seconds == Decimal("372627.50")  # (745,240 + 15) / 2
    assert kf2.first_response_seconds == Decimal("20.00")


def test_without_schedules_there_are_no_business_figures(shop: Lake) -> None:
    reports = reports_by_agent(shop, PERIOD)
    assert all(r.avg_response_business_seconds is None for r in reports.values())


def test_calendar_follows_holidays_and_adjusted_working_days() -> None:
    assert not day_kind(dt.date(2025, 10, 1)).working  # National Day
    assert not day_kind(dt.date(2025, 10, 8)).working
    assert day_kind(dt.date(2025, 10, 11)).working  # Saturday, adjusted working day
    assert not day_kind(dt.date(2025, 10, 18)).working  # an ordinary Saturday
    later = day_kind(dt.date(2099, 10, 1))  # no official data: Monday–Friday, and said so
    assert later.working and not later.official


def test_duty_intervals_are_utc_and_say_which_years_are_guessed() -> None:
    duty = duty_intervals(
        {"kf1": Schedule.parse("09:00-12:00, 13:30-24:00")},
        dt.date(2025, 10, 10),
        dt.date(2025, 10, 11),
        "Asia/Shanghai",
    )
    rows = duty.table.to_pylist()
    assert [(r["duty_start"], r["duty_end"]) for r in rows] == [
        (utc("2025-10-10 09:00:00"), utc("2025-10-10 12:00:00")),
        (utc("2025-10-10 13:30:00"), utc("2025-10-11 00:00:00")),
        (utc("2025-10-11 09:00:00"), utc("2025-10-11 12:00:00")),
        (utc("2025-10-11 13:30:00"), utc("2025-10-12 00:00:00")),
    ]
    assert duty.unofficial_years == ()
    year_2099 = dt.date(2099, 1, 1)
    guessed = duty_intervals({"kf1": Schedule.parse("09:00-18:00")}, year_2099, year_2099, "UTC")
    assert guessed.unofficial_years == (2099,)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9点到18点", "is not a time range like 09:00-12:00, 13:30-24:00"),
        ("18:00-09:00", "ends before it starts; a night shift is written as two ranges"),
        ("09:00-12:00, 11:00-13:00", "overlap"),
        ("09:00-25:00", "is not a time of day"),
    ],
)
def test_bad_hours_are_named(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match="workday hours") as caught:
        Schedule.parse(text)
    assert message in str(caught.value)


def test_hours_accept_chinese_punctuation() -> None:
    assert parse_hours("09:00-12:00，13:30-18:00") == ((540, 720), (810, 1080))
    assert parse_hours("") == ()


def test_a_wait_entirely_off_duty_counts_nothing(lake: Lake) -> None:
    """kf1 works 09:00-18:00; Tuesday 2025-10-21: c1 asks 23:00:00 and kf1 answers 23:00:20
    (no shift at all during the wait → 0 s, not the 20 wall-clock seconds); c2 asks 10:00:00,
    answered 10:00:10 → 10 s. First and average response (0 + 10) / 2 = 5.00."""
    lake.write(
        "chat_messages",
        chats_table(
            [
                ("n1", "c1", "customer", None, "2025-10-21 23:00:00"),
                ("n1", "c1", "agent", "kf1", "2025-10-21 23:00:20"),
                ("n2", "c2", "customer", None, "2025-10-21 10:00:00"),
                ("n2", "c2", "agent", "kf1", "2025-10-21 10:00:10"),
            ]
        ),
    )
    day = Period(parse_day("2025-10-21"), parse_day("2025-10-21"))
    kf1 = reports_by_agent(lake, day, schedules=SCHEDULES)["kf1"]
    assert kf1.first_response_business_seconds == Decimal("5.00")
    assert kf1.avg_response_business_seconds == Decimal("5.00")
    assert kf1.avg_response_seconds == Decimal("15.00")  # wall clock (20 + 10) / 2


def test_a_shift_across_utc_midnight_counts_whole(lake: Lake) -> None:
    """kf4 works 06:00-10:00 Shanghai time = 22:00-02:00 UTC: the shift is cut at UTC
    midnight into two pieces, and a wait across the cut meets both. Tuesday 2025-10-21:
    c1 asks 07:30:00, kf4 answers 08:30:00 → 3,600 s (23:30-00:30 UTC); c2 asks 05:00:00,
    answered 06:30:00 → 1,800 s (on duty from 06:00). Both means (3,600 + 1,800) / 2 = 2,700."""
    lake.write(
        "chat_messages",
        chats_table(
            [
                ("m1", "c1", "customer", None, "2025-10-21 07:30:00"),
                ("m1", "c1", "agent", "kf4", "2025-10-21 08:30:00"),
                ("m2", "c2", "customer", None, "2025-10-21 05:00:00"),
                ("m2", "c2", "agent", "kf4", "2025-10-21 06:30:00"),
            ]
        ),
    )
    day = Period(parse_day("2025-10-21"), parse_day("2025-10-21"))
    kf4 = reports_by_agent(lake, day, schedules={"kf4": Schedule.parse("06:00-10:00")})["kf4"]
    assert kf4.first_response_business_seconds == Decimal("2700.00")
    assert kf4.avg_response_business_seconds == Decimal("2700.00")


def test_duty_pieces_cut_at_utc_midnight() -> None:
    from guanxi.metrics.business_hours import duty_pieces

    duty = duty_intervals(
        {"kf4": Schedule.parse("06:00-10:00")},
        parse_day("2025-10-21"),
        parse_day("2025-10-21"),
        "Asia/Shanghai",
    )
    pieces = duty_pieces(duty.table).to_pylist()
    assert [(p["duty_start"], p["duty_end"]) for p in pieces] == [
        # Shanghai 06:00-08:00 and 08:00-10:00 (UTC midnight is 08:00 there)
        (utc("2025-10-21 06:00:00"), utc("2025-10-21 08:00:00")),
        (utc("2025-10-21 08:00:00"), utc("2025-10-21 10:00:00")),
    ]
    day = (dt.date(2025, 10, 20) - dt.date(1970, 1, 1)).days
    assert [p["duty_day"] for p in pieces] == [day, day + 1]
