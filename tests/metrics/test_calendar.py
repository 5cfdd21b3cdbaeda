"""Local time of day, on both engines: arithmetic when the zone keeps one UTC offset through
the period (every zone of China), the join to the days when daylight saving changes it.

Berlin, 2024-03-31: clocks go from 02:00 CET (UTC+1) to 03:00 CEST (UTC+2).
- 2024-03-30 23:30 UTC is 00:30 local on the 31st (+1): 1,800 s after midnight.
- 2024-03-31 09:00 UTC is 11:00 local (+2). Local seconds are the seconds elapsed since
  local midnight, as the join to the days counts them: 10 hours, 36,000 s, since the clocks
  skipped an hour. (On such a day a wall-clock hour rule is off by that hour; zones of
  China have no such day.)
Shanghai, 2024-06-18 (always +8): 2024-06-18 01:00:30.25 UTC is 09:00:30.25 local, 32,430.25 s.
"""

from __future__ import annotations

import datetime as dt

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.calendar import fixed_offset, with_local_seconds
from tests.factories import chats_table


def test_fixed_offset_only_without_a_daylight_saving_change() -> None:
    march = Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert fixed_offset(march, "Asia/Shanghai") == dt.timedelta(hours=8)
    assert fixed_offset(march, "Europe/Berlin") is None
    assert fixed_offset(Period(dt.date(2024, 3, 1), dt.date(2024, 3, 30)), "Europe/Berlin") == (
        dt.timedelta(hours=1)
    )


def _local_seconds(lake: Lake, utc_times: list[str], period: Period, zone: str) -> list[float]:
    row: tuple[str, str, str, str | None, str] = (
        "s",
        "c1",
        "customer",
        None,
        "2024-01-01 00:00:00",
    )
    rows = [row] * len(utc_times)
    table = chats_table(rows)
    at = [dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC) for t in utc_times]
    lake.write("chat_messages", table.set_column(6, "sent_at", [at]))
    m = lake.table("chat_messages")
    out = with_local_seconds(m, "sent_at", period, zone).order_by("sent_at")
    return [float(v) for v in lake.arrow(out.select("local_seconds"))["local_seconds"].to_pylist()]


def test_local_seconds_across_a_daylight_saving_change(lake: Lake) -> None:
    period = Period(dt.date(2024, 3, 31), dt.date(2024, 3, 31))
    times = ["2024-03-30 22:30:00", "2024-03-30 23:30:00", "2024-03-31 09:00:00"]
    # 22:30 UTC is 23:30 local on the 30th: outside the period, left out.
    assert _local_seconds(lake, times, period, "Europe/Berlin") == [1800.0, 36000.0]


def test_local_seconds_with_a_fixed_offset_keep_fractions(lake: Lake) -> None:
    period = Period(dt.date(2024, 6, 18), dt.date(2024, 6, 18))
    times = ["2024-06-17 15:59:59", "2024-06-18 01:00:30.250000", "2024-06-18 15:59:59"]
    # 15:59:59 UTC on the 17th is 23:59:59 local on the 17th: outside the period.
    assert _local_seconds(lake, times, period, "Asia/Shanghai") == [32430.25, 86399.0]
