"""The lifetime-value models' input per customer at a calibration end (SPEC §9; the BG/NBD
paper's counting): from the lake's paid orders, one row per customer who paid by then.

- a purchase is a local day with a paid order (several orders paid on one day are one
  purchase, their amounts summed) — the paper counts CDNOW's purchases per day too;
- ``frequency`` x: purchase days after the first (repeat purchases);
- ``recency`` t_x: last purchase day − first purchase day; ``T``: calibration end − first
  purchase day; both in the chosen unit (days, or weeks = days ÷ 7);
- ``monetary_value``: the mean amount of the repeat purchase days (the first day left out,
  as Gamma-Gamma wants), 0 without repeats.

``holdout_purchases`` counts the purchase days in a later period, for the hold-out check.
"""

from __future__ import annotations

import datetime as dt

import ibis

from guanxi.core.timeutil import Period, local_midnight_utc
from guanxi.metrics.customers import EARLIEST
from guanxi.metrics.facts import local_clock

UNIT_DAYS = {"day": 1, "week": 7}


def _purchase_days(
    orders: ibis.Table, start: dt.date | None, end: dt.date, time_zone: str
) -> ibis.Table:
    """``customer_key, day, amount``: one row per customer and local day with a paid order
    between ``start`` (inclusive; None: from the beginning) and ``end`` (inclusive)."""
    first = EARLIEST if start is None else start
    upper = ibis.literal(local_midnight_utc(end + dt.timedelta(days=1), time_zone))
    lower = ibis.literal(local_midnight_utc(first, time_zone))
    o = orders.filter(
        orders.customer_key.notnull()
        & orders.paid_at.notnull()
        & (orders.paid_at < upper)
        & (orders.paid_at >= lower)
    )
    o = local_clock(o, "paid_at", time_zone, Period(first, end))
    return o.group_by(["customer_key", "day"]).aggregate(amount=o.amount.cast("float64").sum())


def clv_input(
    orders: ibis.Table, *, calibration_end: dt.date, time_zone: str, unit: str = "day"
) -> ibis.Table:
    """``customer_key, first_day, last_day, frequency, recency, T, monetary_value`` (see the
    module's docstring) for every customer with a paid order by ``calibration_end``."""
    if unit not in UNIT_DAYS:
        raise ValueError(f"unit: {unit!r}; give one of {', '.join(UNIT_DAYS)}")
    per_unit = float(UNIT_DAYS[unit])
    days = _purchase_days(orders, None, calibration_end, time_zone)
    per = days.group_by("customer_key").aggregate(
        first_day=days.day.min(),
        last_day=days.day.max(),
        purchases=days.count(),
        total=days.amount.sum(),
    )
    firsts = days.join(per, [days.customer_key == per.customer_key, days.day == per.first_day])
    firsts = firsts.select(key=days.customer_key, first_amount=days.amount)
    joined = per.join(firsts, per.customer_key == firsts.key).drop("key")
    repeats = joined.purchases - 1
    end = ibis.literal(calibration_end)
    return joined.select(
        "customer_key",
        "first_day",
        "last_day",
        frequency=repeats.cast("int64"),
        recency=joined.last_day.delta(joined.first_day, unit="day").cast("float64") / per_unit,
        T=end.delta(joined.first_day, unit="day").cast("float64") / per_unit,
        monetary_value=(repeats > 0).ifelse(
            (joined.total - joined.first_amount) / repeats.cast("float64"), 0.0
        ),
    )


def holdout_purchases(
    orders: ibis.Table, *, start: dt.date, end: dt.date, time_zone: str
) -> ibis.Table:
    """``customer_key, purchases, amount``: purchase days (and their amounts) from ``start``
    to ``end`` inclusive."""
    days = _purchase_days(orders, start, end, time_zone)
    return days.group_by("customer_key").aggregate(purchases=days.count(), amount=days.amount.sum())
