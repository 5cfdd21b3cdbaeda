"""Time: UTC inside, the shop's local calendar days outside."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

UTC = dt.UTC


@dataclass(frozen=True)
class Period:
    """Local calendar days ``start``..``end``, both ends inclusive."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        length = dt.timedelta(days=self.days)
        return Period(self.start - length, self.end - length)

    def utc_bounds(self, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: local midnight of ``start`` to local midnight after ``end``."""
        return local_midnight_utc(self.start, time_zone), local_midnight_utc(
            self.end + dt.timedelta(days=1), time_zone
        )


BUCKETS = ("day", "week", "month")


def buckets(period: Period, by: str) -> list[Period]:
    """``period`` cut into its days, weeks (Monday to Sunday, as Chinese shops count them) or
    calendar months; the first and last are clipped to ``period``."""
    if by not in BUCKETS:
        raise ValueError(f"{by!r} is not one of {', '.join(BUCKETS)}")
    out = []
    start = period.start
    while start <= period.end:
        if by == "day":
            end = start
        elif by == "week":
            end = start + dt.timedelta(days=6 - start.weekday())
        else:
            end = month_period(start.year, start.month).end
        end = min(end, period.end)
        out.append(Period(start, end))
        start = end + dt.timedelta(days=1)
    return out


def local_midnight_utc(day: dt.date, time_zone: str) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(time_zone)
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)


def parse_day(text: str) -> dt.date:
    """Parse YYYY-MM-DD strictly."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from exc


def month_period(year: int, month: int) -> Period:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(first, nxt - dt.timedelta(days=1))
