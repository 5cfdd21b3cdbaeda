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

    @property
    def whole_months(self) -> int:
        """How many calendar months the period is, when it is whole months (0 otherwise)."""
        if self.start.day != 1 or (self.end + dt.timedelta(days=1)).day != 1:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period before, 上期: the as many calendar months before when this one is whole
        months (November → October, not October 2–31), else as many days just before.

        Every page, export and report compares with this one period, so 上期 means the same
        thing everywhere and the monthly report's 上月 is the agent page's 上期.
        """
        months = self.whole_months
        if months:
            index = self.start.year * 12 + self.start.month - 1 - months
            return Period(
                dt.date(index // 12, index % 12 + 1, 1), self.start - dt.timedelta(days=1)
            )
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


def is_partial(part: Period, by: str, *, today: dt.date | None = None) -> bool:
    """Whether ``part`` (one of ``buckets``) holds less than its whole calendar week (Monday to
    Sunday) or month, so its figures are not comparable with a whole one's.

    Both ends count: the first part clipped by the period's start is as short as the last one
    clipped by its end. Given ``today``, a part not over yet (its last day is today or later)
    is partial too, whatever its length: the current week of the data is still filling. A day
    is partial only then.
    """
    if by not in BUCKETS:
        raise ValueError(f"{by!r} is not one of {', '.join(BUCKETS)}")
    if today is not None and part.end >= today:
        return True
    if by == "week":
        return part.days < 7
    if by == "month":
        return part != month_period(part.start.year, part.start.month)
    return False


def local_midnight_utc(day: dt.date, time_zone: str) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(time_zone)
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(UTC)


def parse_day(text: str) -> dt.date:
    """Parse YYYY-MM-DD strictly."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date in the form YYYY-MM-DD") from exc


def parse_month(text: str) -> tuple[int, int]:
    """``2025-11`` (or a day of it, ``2025-11-01``) → (2025, 11); ``ValueError`` naming the
    text otherwise. The one month parser of the pages, the API and the CLI."""
    try:
        year, month = (int(p) for p in text.strip().split("-")[:2])
        dt.date(year, month, 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month like 2025-11") from None
    return year, month


def period_between(
    start: dt.date, end: dt.date, *, names: tuple[str, str] = ("start", "end")
) -> Period:
    """The period from ``start`` to ``end``; ``ValueError`` naming both fields (``names``,
    e.g. ``--from``/``--to``) when they are the wrong way round."""
    if start > end:
        raise ValueError(
            f"{names[0]} {start} is after {names[1]} {end}; give the earlier day first"
        )
    return Period(start, end)


def month_period(year: int, month: int) -> Period:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(first, nxt - dt.timedelta(days=1))
