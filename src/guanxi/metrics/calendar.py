"""Local calendar days as UTC intervals, for grouping UTC events by the shop's days.

Engines differ in time-zone support, so instead of converting every timestamp we join the
events to a small table of days, each with its UTC [start, end) bounds — exact across DST.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from guanxi.core.timeutil import Period, local_midnight_utc


def day_bounds(period: Period, time_zone: str) -> ibis.Table:
    """One row per local day of ``period``: ``day``, ``day_start``, ``day_end`` (UTC)."""
    days = [period.start + dt.timedelta(days=i) for i in range(period.days)]
    starts = [local_midnight_utc(d, time_zone) for d in days]
    ends = [local_midnight_utc(d + dt.timedelta(days=1), time_zone) for d in days]
    ts = pa.timestamp("us", tz="UTC")
    return ibis.memtable(
        pa.table(
            {
                "day": pa.array(days, pa.date32()),
                "day_start": pa.array(starts, ts),
                "day_end": pa.array(ends, ts),
            }
        )
    )


def assign_day(events: ibis.Table, column: str, days: ibis.Table) -> ibis.Table:
    """``events`` that fall on one of ``days``, with that local ``day`` added."""
    joined = events.join(days, [events[column] >= days.day_start, events[column] < days.day_end])
    return joined.drop("day_start", "day_end")


def in_period(column: ir.TimestampValue, period: Period, time_zone: str) -> ir.BooleanValue:
    """``column`` (UTC) falls on one of ``period``'s local days."""
    start, end = period.utc_bounds(time_zone)
    return (column >= ibis.literal(start)) & (column < ibis.literal(end))


def seconds_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Seconds from ``start`` to ``end`` with their fractions.

    Counted in whole microseconds, which every engine does exactly: Spark's epoch seconds
    (``UNIX_TIMESTAMP``) drop the fraction, and second or millisecond ``delta``s round
    differently on DuckDB (boundaries crossed) and Spark (elapsed time truncated)."""
    return end.delta(start, unit="microsecond").cast("float64") / 1_000_000


def with_local_time(events: ibis.Table, column: str, days: ibis.Table) -> ibis.Table:
    """``events`` that fall on one of ``days`` with that local ``day`` and ``local_seconds``,
    the seconds since its local midnight — time of day without engine time-zone functions."""
    joined = events.join(days, [events[column] >= days.day_start, events[column] < days.day_end])
    joined = joined.mutate(local_seconds=seconds_between(joined.day_start, joined[column]))
    return joined.drop("day_start", "day_end")
