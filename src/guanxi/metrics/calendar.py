"""Local calendar days as UTC intervals, for grouping UTC events by the shop's days.

Engines differ in time-zone support, so instead of converting every timestamp we join the
events to a small table of days, each with its UTC [start, end) bounds — exact across DST.
"""

from __future__ import annotations

import datetime as dt

import ibis
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
