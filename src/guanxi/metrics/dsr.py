"""Shop ratings (DSR, 店铺动态评分) — SPEC §4.

Three dimensions, each rated 1–5: 宝贝与描述相符 description, 卖家的服务态度 service,
物流服务 logistics. A dimension's shop score for a month is the sum of that dimension's
ratings over the ``window_months`` (6 for Taobao) consecutive months ending with it ÷ their
count. Each month is compared with the industry average: ↑ above, ↓ below; a dimension
below industry is flagged with its causes and remedies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.timeutil import Period, month_period

DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("description", "宝贝与描述相符", "Item as described"),
    ("service", "卖家的服务态度", "Service attitude"),
    ("logistics", "物流服务", "Logistics"),
)

# SPEC §4: why a dimension scores low, and what to do about it.
CAUSES: dict[str, tuple[str, str]] = {
    "description": (
        "质量问题、与描述不符、低于预期",
        "如实描述商品，真诚回复差评",
    ),
    "service": (
        "回复慢、纠纷、问题未答复、态度",
        "快捷短语、改善态度、培训与考核",
    ),
    "logistics": (
        "漏发、发货晚、破损、配送慢",
        "更换更好的快递公司，按时发货",
    ),
}


def _months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    out = []
    for _ in range(count):
        out.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def monthly_sums(dsr_ratings: ibis.Table, period: Period, time_zone: str) -> ibis.Table:
    """Per local month of ``period``: ``month`` (first day), ``ratings`` and the sums of the
    three dimensions."""
    start, end = period.utc_bounds(time_zone)
    r = dsr_ratings.filter(
        (dsr_ratings.rated_at >= ibis.literal(start)) & (dsr_ratings.rated_at < ibis.literal(end))
    )
    # Month boundaries as a small table of UTC bounds (exact in any time zone).
    months = []
    y, m = period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        p = month_period(y, m)
        lo, hi = p.utc_bounds(time_zone)
        months.append({"month": p.start, "lo": lo, "hi": hi})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    bounds = ibis.memtable(months)
    j = r.join(bounds, [r.rated_at >= bounds.lo, r.rated_at < bounds.hi])
    return j.group_by("month").aggregate(
        ratings=j.count(),
        description=j.description.cast("int64").sum(),
        service=j.service.cast("int64").sum(),
        logistics=j.logistics.cast("int64").sum(),
    )


@dataclass(frozen=True)
class DsrMonth:
    month: dt.date
    ratings: int  # in the rolling window
    scores: dict[str, Decimal | None]  # dimension → rolling score (3 decimals)
    industry: dict[str, Decimal | None]
    trend: dict[str, str]  # "up", "down", "" against industry

    @property
    def below_industry(self) -> list[str]:
        return [d for d, t in self.trend.items() if t == "down"]


def dsr_months(
    dsr_ratings: ibis.Table,
    last_month: tuple[int, int],
    months: int,
    time_zone: str,
    arrow: Any,
    industry: dict[tuple[dt.date, str], Decimal] | None = None,
    window_months: int = 6,
) -> list[DsrMonth]:
    """The rolling DSR of each of the ``months`` months ending with ``last_month``."""
    shown = _months_back(*last_month, months)
    needed = _months_back(*last_month, months + window_months - 1)
    first = month_period(*needed[0]).start
    last = month_period(*shown[-1]).end
    rows = arrow(monthly_sums(dsr_ratings, Period(first, last), time_zone)).to_pylist()
    by_month = {r["month"]: r for r in rows}
    industry = industry or {}
    out = []
    for y, m in shown:
        window = [month_period(*ym).start for ym in _months_back(y, m, window_months)]
        count = sum(by_month.get(w, {}).get("ratings", 0) for w in window)
        scores: dict[str, Decimal | None] = {}
        trend: dict[str, str] = {}
        month_start = dt.date(y, m, 1)
        marks: dict[str, Decimal | None] = {}
        for key, _zh, _en in DIMENSIONS:
            total = sum(by_month.get(w, {}).get(key, 0) for w in window)
            scores[key] = (
                (Decimal(total) / Decimal(count)).quantize(Decimal("0.001")) if count else None
            )
            marks[key] = industry.get((month_start, key))
            score, mark = scores[key], marks[key]
            trend[key] = (
                ""
                if score is None or mark is None
                else ("up" if score > mark else "down" if score < mark else "")
            )
        out.append(DsrMonth(month_start, count, scores, marks, trend))
    return out


def dsr_months_by_days(
    dsr_ratings: ibis.Table,
    last_month: tuple[int, int],
    months: int,
    time_zone: str,
    arrow: Any,
    industry: dict[tuple[dt.date, str], Decimal] | None = None,
    window_days: int = 90,
) -> list[DsrMonth]:
    """The rolling DSR of each of the ``months`` months ending with ``last_month``, over the
    ``window_days`` local days ending with the month's last day (platforms such as Douyin
    roll over days, not months)."""
    windows = []
    for y, m in _months_back(*last_month, months):
        end = month_period(y, m).end
        lo, hi = Period(end - dt.timedelta(days=window_days - 1), end).utc_bounds(time_zone)
        windows.append({"month": dt.date(y, m, 1), "lo": lo, "hi": hi})
    bounds = ibis.memtable(windows)
    r = dsr_ratings.filter(
        (dsr_ratings.rated_at >= ibis.literal(windows[0]["lo"]))
        & (dsr_ratings.rated_at < ibis.literal(windows[-1]["hi"]))
    )
    j = r.join(bounds, [r.rated_at >= bounds.lo, r.rated_at < bounds.hi])
    sums = j.group_by("month").aggregate(
        ratings=j.count(),
        description=j.description.cast("int64").sum(),
        service=j.service.cast("int64").sum(),
        logistics=j.logistics.cast("int64").sum(),
    )
    by_month = {row["month"]: row for row in arrow(sums).to_pylist()}
    industry = industry or {}
    out = []
    for window in windows:
        month_start = window["month"]
        row = by_month.get(month_start, {})
        count = int(row.get("ratings", 0))
        scores: dict[str, Decimal | None] = {}
        marks: dict[str, Decimal | None] = {}
        trend: dict[str, str] = {}
        for key, _zh, _en in DIMENSIONS:
            scores[key] = (
                (Decimal(row[key]) / Decimal(count)).quantize(Decimal("0.001")) if count else None
            )
            marks[key] = industry.get((month_start, key))
            score, mark = scores[key], marks[key]
            trend[key] = (
                ""
                if score is None or mark is None
                else ("up" if score > mark else "down" if score < mark else "")
            )
        out.append(DsrMonth(month_start, count, scores, marks, trend))
    return out
