"""Churn features and label per customer at a cutoff date (``stats.churn``; SPEC §9) — Ibis
only, so the same expression runs on DuckDB and on Spark (``tests/metrics`` parity).

The cutoff is the first local day of a month (``cutoff``); everything is counted in the 12
local calendar months before it (the *window*: ``[cutoff − 12 months, cutoff)``), and the
label looks only after it (``[cutoff, cutoff + horizon_days)``): no feature reads a moment
at or after the cutoff, so features and label never overlap. Month-aligned windows let the
chat sessions come from the per-customer monthly facts (``customer_months``) whole months
at a time.

Customers: those with a paid order in the window (the ones a shop can still lose). Columns:

- ``recency_days``: whole days from the last paid order to the cutoff's local midnight
  (paid the evening before: 0); ``frequency``, ``monetary``: paid orders and their amounts
  in the window; ``tenure_days``: the same from the first paid order ever (before the
  cutoff); ``recent_orders``: paid orders in the last 3 months of the window;
  ``order_trend``: recent_orders ÷ frequency (¼ = steady, 0 = fading, 1 = all recent);
- ``refunds``, ``returns``: refunds requested in the window, and of them return-refunds;
- ``sessions``: chat sessions (``customer_months``, the window's months);
- ``complaints``: the service desk's complaint tickets in the window (from the app database:
  a small ``customer_key, complaints`` table the caller builds);
- ``reviews``, ``mean_rating`` (None when no review), ``bad_reviews`` (1–2 stars);
- ``member_score``: the latest member score before the cutoff (a ``customer_key,
  member_score`` table from the loyalty app; None when not scored);
- ``churned`` (when ``horizon_days`` is given): 1 if no order was paid in
  ``[cutoff, cutoff + horizon_days)``, else 0.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import ibis

from guanxi.stats.churn import FEATURE_NAMES

RECENT_MONTHS = 3
WINDOW_MONTHS = 12


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: dt.date, time_zone: str) -> dt.datetime:
    """The UTC instant of ``day``'s local midnight."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(time_zone))
    return local.astimezone(dt.UTC)


def check_cutoff(cutoff: dt.date) -> None:
    if cutoff.day != 1:
        raise ValueError(
            f"cutoff {cutoff.isoformat()}: must be the first day of a month "
            f"(e.g. {cutoff.replace(day=1).isoformat()}), so the chat sessions count whole months"
        )


def _days_before(end: dt.datetime, at: ibis.Value) -> ibis.Value:
    """Whole days from ``at`` to ``end`` (both instants): ⌊seconds ÷ 86 400⌋."""
    seconds = ibis.literal(end).epoch_seconds() - at.epoch_seconds()
    return (seconds / 86_400).floor().cast("int64")


def churn_features(
    *,
    orders: ibis.Table,
    refunds: ibis.Table,
    reviews: ibis.Table,
    months: ibis.Table,
    complaints: ibis.Table,
    members: ibis.Table,
    cutoff: dt.date,
    time_zone: str,
    horizon_days: int | None = None,
) -> ibis.Table:
    """``customer_key``, the ``stats.churn.FEATURE_NAMES`` columns (float64) and, with
    ``horizon_days``, ``churned`` (int64)."""
    check_cutoff(cutoff)
    if horizon_days is not None and horizon_days < 1:
        raise ValueError(f"horizon_days {horizon_days}: must be a whole number of days ≥ 1")
    end = local_midnight(cutoff, time_zone)
    start = local_midnight(_months_before(cutoff, WINDOW_MONTHS), time_zone)
    recent = local_midnight(_months_before(cutoff, RECENT_MONTHS), time_zone)
    start_month = _months_before(cutoff, WINDOW_MONTHS).strftime("%Y-%m")
    end_month = cutoff.strftime("%Y-%m")

    paid = orders.filter(
        orders.customer_key.notnull() & orders.paid_at.notnull() & (orders.paid_at < end)
    )
    ever = paid.group_by("customer_key").aggregate(first_paid_at=paid.paid_at.min())
    w = paid.filter(paid.paid_at >= start)
    bought = w.group_by("customer_key").aggregate(
        last_paid_at=w.paid_at.max(),
        frequency=w.count().cast("float64"),
        monetary=w.amount.sum().cast("float64"),
        recent_orders=w.count(where=w.paid_at >= recent).cast("float64"),
    )
    base = bought.join(ever, "customer_key")
    base = base.select(
        "customer_key",
        recency_days=_days_before(end, base.last_paid_at).cast("float64"),
        frequency=base.frequency,
        monetary=base.monetary,
        tenure_days=_days_before(end, base.first_paid_at).cast("float64"),
        recent_orders=base.recent_orders,
        order_trend=base.recent_orders / base.frequency,
    )

    r = refunds.filter(
        refunds.customer_key.notnull()
        & (refunds.requested_at >= start)
        & (refunds.requested_at < end)
    )
    returned = r.group_by("customer_key").aggregate(
        refunds=r.count().cast("float64"),
        returns=r.count(where=r.kind == "return_refund").cast("float64"),
    )
    m = months.filter((months.month >= start_month) & (months.month < end_month))
    asked = m.group_by("customer_key").aggregate(sessions=m.sessions.sum().cast("float64"))
    v = reviews.filter(
        reviews.customer_key.notnull() & (reviews.created_at >= start) & (reviews.created_at < end)
    )
    rating = v.rating.cast("float64")
    reviewed = v.group_by("customer_key").aggregate(
        reviews=v.count().cast("float64"),
        mean_rating=rating.mean(),
        bad_reviews=v.count(where=v.rating <= 2).cast("float64"),
    )
    told = complaints.select("customer_key", complaints=complaints.complaints.cast("float64"))
    scored = members.select("customer_key", member_score=members.member_score.cast("float64"))

    out = base
    for part in (returned, asked, reviewed, told, scored):
        out = out.left_join(part, "customer_key").drop("customer_key_right")
    zero_when_missing = ("refunds", "returns", "sessions", "complaints", "reviews", "bad_reviews")
    out = out.mutate(**{c: out[c].fill_null(0.0) for c in zero_when_missing})
    columns: list[str] = ["customer_key", *FEATURE_NAMES]
    if horizon_days is None:
        return out.select(*columns)

    label_end = local_midnight(cutoff + dt.timedelta(days=horizon_days), time_zone)
    later = orders.filter(
        orders.customer_key.notnull()
        & orders.paid_at.notnull()
        & (orders.paid_at >= end)
        & (orders.paid_at < label_end)
    )
    came_back = later.group_by("customer_key").aggregate(returned_orders=later.count())
    out = out.left_join(came_back, "customer_key").drop("customer_key_right")
    out = out.mutate(churned=out.returned_orders.isnull().cast("int64"))
    return out.select(*columns, "churned")
