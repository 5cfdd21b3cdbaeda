"""The business-time clock behind the SLAs (时效): pure, no database.

Business time is the time inside a schedule's shifts (``core.business_calendar.Schedule``:
the working-day and the rest-day shifts), on the State Council's calendar (public holidays
are rest days, the 调休 weekend working days are working days; ``day_kind``), in the shop's
time zone, less the pauses (a ticket waiting on the customer). Every instant in and out is
a timezone-aware datetime; shifts are laid on the local wall clock day by day and converted
one by one, so the result is exact in Asia/Shanghai (no DST) and stays right on a DST day
elsewhere. For a year the calendar package has no data for, Monday–Friday are the working
days, and ``unofficial_years`` names those years so a page can say so.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence

from guanxi.core.business_calendar import DayKind, Schedule, day_kind

Interval = tuple[dt.datetime, dt.datetime]

MAX_DAYS = 3 * 366
"""How far a due time is looked for: a schedule with no shift on any day never gets one."""


class ClockError(ValueError):
    """The clock cannot run: a naive datetime, or a schedule with no shift at all."""


@functools.lru_cache(maxsize=4096)
def _kind(day: dt.date) -> DayKind:
    return day_kind(day)


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ClockError(f"{name}: {value.isoformat()} has no time zone; pass an aware datetime")
    return value.astimezone(dt.UTC)


def _wall(day: dt.date, minutes: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of ``minutes`` after local midnight of ``day`` (24:00 = next midnight)."""
    if minutes >= 24 * 60:
        day, minutes = day + dt.timedelta(days=1), minutes - 24 * 60
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), zone)
    return local.astimezone(dt.UTC)


def shifts_from(schedule: Schedule, time_zone: str, first_day: dt.date) -> Iterator[Interval]:
    """Every shift from local day ``first_day`` on, in order, as UTC intervals (endless)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    day = first_day
    while True:
        for start, end in schedule.workday if _kind(day).working else schedule.restday:
            yield _wall(day, start, zone), _wall(day, end, zone)
        day += dt.timedelta(days=1)


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, overlapping or touching intervals joined; empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted((_aware(s, "pause"), _aware(e, "pause")) for s, e in intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _minus(shift: Interval, pauses: Sequence[Interval]) -> Iterator[Interval]:
    """``shift`` less the (merged, sorted) pauses."""
    start, end = shift
    for p_start, p_end in pauses:
        if p_end <= start:
            continue
        if p_start >= end:
            break
        if p_start > start:
            yield start, p_start
        start = max(start, p_end)
        if start >= end:
            return
    if start < end:
        yield start, end


def _local_day(instant: dt.datetime, time_zone: str) -> dt.date:
    return instant.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def business_seconds(
    start: dt.datetime,
    end: dt.datetime,
    *,
    schedule: Schedule,
    time_zone: str,
    pauses: Iterable[Interval] = (),
) -> int:
    """Business seconds in [start, end): inside the schedule's shifts, outside the pauses
    (whole seconds, rounded down); 0 when ``end`` is not after ``start``."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return 0
    paused = merge(pauses)
    total = 0.0
    # From the day before: a local day's shifts start no earlier than its midnight.
    for shift in shifts_from(schedule, time_zone, _local_day(start, time_zone) - dt.timedelta(1)):
        if shift[0] >= end:
            break
        clipped = (max(shift[0], start), min(shift[1], end))
        if clipped[0] >= clipped[1]:
            continue
        total += sum((e - s).total_seconds() for s, e in _minus(clipped, paused))
    return int(total)


def add_business_minutes(
    start: dt.datetime,
    minutes: int,
    *,
    schedule: Schedule,
    time_zone: str,
    pauses: Iterable[Interval] = (),
) -> dt.datetime:
    """The instant (UTC) when ``minutes`` business minutes after ``start`` have run: nights,
    rest days, holidays and pauses skipped. 0 minutes → ``start`` itself. A target that
    ends exactly at a shift's end is due at that end, not at the next shift's start."""
    start = _aware(start, "start")
    if minutes < 0:
        raise ClockError(f"minutes: {minutes} is negative; a target is 0 or more minutes")
    if minutes == 0:
        return start
    if not schedule.is_set:
        raise ClockError("schedule: no shift on any day; set working-day hours")
    paused = merge(pauses)
    left = dt.timedelta(minutes=minutes)
    first_day = _local_day(start, time_zone) - dt.timedelta(1)
    for shift in shifts_from(schedule, time_zone, first_day):
        if (shift[0] - start).days > MAX_DAYS:
            break
        if shift[1] <= start:
            continue
        for s, e in _minus((max(shift[0], start), shift[1]), paused):
            if e - s >= left:
                return s + left
            left -= e - s
    raise ClockError(f"schedule: no business time in the {MAX_DAYS} days after {start:%Y-%m-%d}")


def unofficial_years(start: dt.datetime, end: dt.datetime) -> tuple[int, ...]:
    """The years in [start, end] the holiday calendar has no data for (Monday–Friday used)."""
    years = range(min(start.year, end.year), max(start.year, end.year) + 1)
    return tuple(y for y in years if not _kind(dt.date(y, 6, 1)).official)
