"""The per-customer features the clusters are fitted on (issue 18 item 3), as of a local day.

Pure Ibis (DuckDB or PySpark) over ``customers.customer_facts`` — itself the raw orders plus
the derived ``customer_months`` for refunds, chats and reviews — and one grouped pass over
the orders for the months with a purchase. Only customers with a paid order by the as-of
day are clustered: a customer who only chatted has no recency, frequency or value to place.

- ``recency_days``: days from the last payment's local day to the as-of day (0 = that day);
- ``frequency``: paid orders; ``monetary``: their amount (yuan, float);
- ``mean_order_value`` = monetary ÷ frequency;
- ``months_active``: distinct local months in which a paid order was created;
- ``refund_share`` = refunds ÷ paid orders, at most 1 (a customer who returned everything);
- ``sessions``: chat sessions started by the as-of day;
- ``mean_rating``: mean review stars, empty for a customer who never reviewed (the job
  fills it with the population's median, so not reviewing places a customer nowhere).
"""

from __future__ import annotations

import datetime as dt

import ibis

from guanxi.core.timeutil import Period, local_midnight_utc
from guanxi.metrics.customers import EARLIEST
from guanxi.metrics.facts import local_clock, month_of

FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "mean_order_value",
    "months_active",
    "refund_share",
    "sessions",
    "mean_rating",
)


def months_active(orders: ibis.Table, *, as_of: dt.date, time_zone: str) -> ibis.Table:
    """``customer_key, months_active``: local months of creation of orders paid by ``as_of``."""
    end = ibis.literal(local_midnight_utc(as_of + dt.timedelta(days=1), time_zone))
    o = orders.filter(
        orders.customer_key.notnull() & orders.paid_at.notnull() & (orders.paid_at < end)
    )
    o = local_clock(o, "created_at", time_zone, Period(EARLIEST, as_of))
    o = o.mutate(month=month_of(o.day))
    return o.group_by("customer_key").aggregate(months_active=o.month.nunique())


def cluster_features(
    facts: ibis.Table, orders: ibis.Table, *, as_of: dt.date, time_zone: str
) -> ibis.Table:
    """``customer_key`` and ``FEATURES`` for every customer with a paid order by ``as_of``;
    ``facts``: ``metrics.customers.customer_facts`` at the same as-of day."""
    f = facts.filter(facts.paid_orders > 0)
    recency = ibis.literal(as_of).delta(f.last_paid_day, unit="day")
    monetary = f.paid_amount.cast("float64")
    out = f.select(
        "customer_key",
        recency_days=recency.cast("int64"),
        frequency=f.paid_orders.cast("int64"),
        monetary=monetary,
        mean_order_value=monetary / f.paid_orders,
        refund_share=ibis.least(f.refunds.cast("float64") / f.paid_orders, 1.0),
        sessions=f.sessions.cast("int64"),
        mean_rating=f.mean_rating,
    )
    active = months_active(orders, as_of=as_of, time_zone=time_zone)
    out = out.left_join(active, "customer_key").drop("customer_key_right")
    return out.mutate(months_active=out.months_active.fill_null(0).cast("int64")).select(
        "customer_key", *FEATURES
    )
