"""Agent schedules (排班) and the duty intervals behind business-time metrics (SPEC §2).

A schedule is written the way a 客服主管 writes a rota: the hours on working days and the
hours on rest days, e.g. ``09:00-12:00, 13:30-24:00`` and ``10:00-22:00`` (blank = off).
Which days are working days follows the State Council's calendar through the
``chinese-calendar`` package: public holidays are rest days and the adjusted weekend working
days (调休上班) are working days. For years the package does not know yet, Monday–Friday
are taken as working days and the result says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~至]\s*(\d{1,2}):(\d{2})$")
EXAMPLE = "09:00-12:00, 13:30-24:00"


class ScheduleError(ValueError):
    """A schedule that cannot be read; the message names the text and shows the form.

    ``code`` (format | time | order | overlap) and ``part`` let a user interface word the
    message in its own language."""

    def __init__(self, message: str, code: str, part: str) -> None:
        super().__init__(message)
        self.code = code
        self.part = part


Shift = tuple[int, int]  # minutes after local midnight, [start, end)


def parse_hours(text: str, label: str = "hours") -> tuple[Shift, ...]:
    """``"09:00-12:00, 13:30-24:00"`` → ((540, 720), (810, 1440)); blank → ()."""
    shifts: list[Shift] = []
    for part in re.split(r"[,，;；\s]+(?=\d)", text.strip()) if text.strip() else []:
        match = _RANGE.match(part.strip())
        if not match:
            raise ScheduleError(
                f"{label}: {part.strip()!r} is not a time range like {EXAMPLE}",
                "format",
                part.strip(),
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or start > 24 * 60 or end > 24 * 60:
            raise ScheduleError(
                f"{label}: {part.strip()!r} is not a time of day (00:00–24:00)",
                "time",
                part.strip(),
            )
        if end <= start:
            raise ScheduleError(
                f"{label}: {part.strip()!r} ends before it starts; a night shift is written "
                "as two ranges, e.g. 20:00-24:00, 00:00-02:00",
                "order",
                part.strip(),
            )
        shifts.append((start, end))
    shifts.sort()
    for (_s1, e1), (s2, _e2) in itertools.pairwise(shifts):
        if s2 < e1:
            raise ScheduleError(
                f"{label}: the ranges of {text.strip()!r} overlap", "overlap", text.strip()
            )
    return tuple(shifts)


def format_hours(shifts: tuple[Shift, ...]) -> str:
    return ", ".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in shifts)


@dataclass(frozen=True)
class Schedule:
    workday: tuple[Shift, ...]
    restday: tuple[Shift, ...] = ()

    @classmethod
    def parse(cls, workday: str, restday: str = "") -> Schedule:
        return cls(parse_hours(workday, "workday hours"), parse_hours(restday, "rest-day hours"))

    @property
    def is_set(self) -> bool:
        return bool(self.workday or self.restday)


@dataclass(frozen=True)
class DayKind:
    working: bool
    official: bool  # False when the holiday calendar has no data for the year (weekdays used)


def day_kind(day: dt.date) -> DayKind:
    import chinese_calendar  # here, not at the top: the agents' models import this module

    try:
        return DayKind(chinese_calendar.is_workday(day), True)
    except NotImplementedError:  # a year the package has no data for yet
        return DayKind(day.weekday() < 5, False)


@dataclass(frozen=True)
class Duty:
    table: pa.Table  # duty_agent, duty_start, duty_end: one row per agent shift, UTC bounds
    unofficial_years: tuple[int, ...]  # years counted with Monday–Friday only


def duty_intervals(
    schedules: Mapping[str, Schedule], first: dt.date, last: dt.date, time_zone: str
) -> Duty:
    """Every agent's shifts on the local days ``first``…``last`` as UTC intervals."""
    import pyarrow as pa

    zone = zoneinfo.ZoneInfo(time_zone)
    agents: list[str] = []
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    unofficial: set[int] = set()
    day = first
    while day <= last:
        kind = day_kind(day)
        if not kind.official:
            unofficial.add(day.year)
        midnight = dt.datetime.combine(day, dt.time(), zone)
        for agent, schedule in schedules.items():
            for start, end in schedule.workday if kind.working else schedule.restday:
                agents.append(agent)
                # Wall-clock minutes, converted one by one: exact on days with a DST change.
                starts.append(_local(midnight, start, zone))
                ends.append(_local(midnight, end, zone))
        day += dt.timedelta(days=1)
    schema = pa.schema(
        [
            pa.field("duty_agent", pa.string()),
            pa.field("duty_start", pa.timestamp("us", tz="UTC")),
            pa.field("duty_end", pa.timestamp("us", tz="UTC")),
        ]
    )
    table = pa.table({"duty_agent": agents, "duty_start": starts, "duty_end": ends}, schema=schema)
    return Duty(table, tuple(sorted(unofficial)))


def _local(midnight: dt.datetime, minutes: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    if minutes == 24 * 60:
        next_day = midnight.date() + dt.timedelta(days=1)
        return dt.datetime.combine(next_day, dt.time(), zone).astimezone(dt.UTC)
    wall = dt.datetime.combine(midnight.date(), dt.time(minutes // 60, minutes % 60), zone)
    return wall.astimezone(dt.UTC)
