"""Local calendar days as UTC intervals, for grouping UTC events by the shop's days.

Engines differ in time-zone support, so instead of converting every timestamp we join the
events to a small table of days, each with its UTC [start, end) bounds — exact across DST.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

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


@ibis.udf.scalar.builtin(name="unix_micros")
def unix_micros(at: dt.datetime) -> int:  # type: ignore[empty-body]
    """Microseconds since the Unix epoch: Spark's built-in ``unix_micros``; on DuckDB a macro
    over ``epoch_us`` (``DuckDBEngine`` defines it)."""


def seconds_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.FloatingValue:
    """Seconds from ``start`` to ``end`` with their fractions.

    Counted in whole microseconds since the epoch, which every engine does exactly and
    cheaply: Spark's epoch seconds (``UNIX_TIMESTAMP``) drop the fraction, second or
    millisecond ``delta``s round differently on DuckDB (boundaries crossed) and Spark
    (elapsed time truncated), and DuckDB's ``date_diff`` on zoned timestamps goes through
    ICU's calendar: 40 times slower than subtracting epoch microseconds."""
    return (unix_micros(end) - unix_micros(start)).cast("float64") / 1_000_000


def with_local_time(events: ibis.Table, column: str, days: ibis.Table) -> ibis.Table:
    """``events`` that fall on one of ``days`` with that local ``day`` and ``local_seconds``,
    the seconds since its local midnight — time of day without engine time-zone functions."""
    joined = events.join(days, [events[column] >= days.day_start, events[column] < days.day_end])
    joined = joined.mutate(local_seconds=seconds_between(joined.day_start, joined[column]))
    return joined.drop("day_start", "day_end")


def fixed_offset(period: Period, time_zone: str) -> dt.timedelta | None:
    """The zone's UTC offset when it is the same all through ``period`` (no daylight-saving
    change in it, as for every zone of China), else ``None``."""
    tz = zoneinfo.ZoneInfo(time_zone)
    midnights = (
        dt.datetime.combine(period.start + dt.timedelta(days=i), dt.time(0), tzinfo=tz)
        for i in range(period.days + 1)
    )
    offsets = {m.utcoffset() for m in midnights}
    return offsets.pop() if len(offsets) == 1 else None


DAY_US = 86_400_000_000


def with_local_seconds(
    events: ibis.Table, column: str, period: Period, time_zone: str
) -> ibis.Table:
    """``events`` that fall on one of ``period``'s local days with ``local_seconds``, the
    seconds since its local midnight.

    With a fixed offset through the period it is arithmetic on epoch microseconds; else
    (a daylight-saving change) each event is joined to its day as ``with_local_time`` does,
    and on the day of the change the seconds are those elapsed since midnight, not the wall
    clock's. The join cost more than every other step of the chat counts together."""
    offset = fixed_offset(period, time_zone)
    if offset is None:
        joined = with_local_time(events, column, day_bounds(period, time_zone))
        return joined.drop("day")
    e = events.filter(in_period(events[column], period, time_zone))
    local_us = (unix_micros(e[column]) + offset // dt.timedelta(microseconds=1)) % DAY_US
    return e.mutate(local_seconds=local_us.cast("float64") / 1_000_000)
