"""Per customer and local month: what the customer bought, returned, asked and reviewed —
the derived facts behind customer value, RFM and churn (SPEC §3), counted the way the
store figures count them.

- ``orders``: orders created in the month; ``paid_orders``, ``paid_amount``, ``paid_items``:
  those of them paid (amount and item count as on the order);
- ``refunds`` and ``refund_amount``: refunds requested in the month (every kind), and
  ``returns``: of them, return-refunds (退货退款);
- ``sessions``: chat sessions whose first message is in the month (``facts`` sessions);
- ``reviews`` and ``rating_sum``: reviews written in the month and their star ratings;
- ``last_order_at`` / ``last_paid_at`` / ``last_chat_at``: the latest of each in the month.

One row per (customer, month) with any of these; customers are pseudonymous keys.
"""

from __future__ import annotations

import ibis

from guanxi.core.timeutil import Period
from guanxi.metrics.facts import local_clock, month_of

COUNTS = (
    "orders",
    "paid_orders",
    "paid_amount",
    "paid_items",
    "refunds",
    "refund_amount",
    "returns",
    "sessions",
    "reviews",
    "rating_sum",
)
LATEST = ("last_order_at", "last_paid_at", "last_chat_at")


def _monthly(table: ibis.Table, column: str, time_zone: str, span: Period) -> ibis.Table:
    t = table.filter(table.customer_key.notnull())
    t = local_clock(t, column, time_zone, span)
    return t.mutate(month=month_of(t.day))


def customer_months(
    *,
    orders: ibis.Table,
    refunds: ibis.Table,
    reviews: ibis.Table,
    sessions: ibis.Table,
    time_zone: str,
    span: Period,
) -> ibis.Table:
    """``customer_key, month`` and the counts above, from raw orders, refunds and reviews
    and the chat's sessions (``facts.ChatFacts.sessions``: ``customer_key, first_at``)."""
    o = _monthly(orders, "created_at", time_zone, span)
    paid = o.paid_at.notnull()
    bought = o.group_by(["customer_key", "month"]).aggregate(
        orders=o.count(),
        paid_orders=o.count(where=paid),
        paid_amount=o.amount.sum(where=paid),
        paid_items=o.item_count.cast("int64").sum(where=paid),
        last_order_at=o.created_at.max(),
        last_paid_at=o.paid_at.max(),
    )
    r = _monthly(refunds, "requested_at", time_zone, span)
    returned = r.group_by(["customer_key", "month"]).aggregate(
        refunds=r.count(),
        refund_amount=r.amount.sum(),
        returns=r.count(where=r.kind == "return_refund"),
    )
    s = _monthly(sessions.select("customer_key", "first_at"), "first_at", time_zone, span)
    asked = s.group_by(["customer_key", "month"]).aggregate(
        sessions=s.count(), last_chat_at=s.first_at.max()
    )
    v = _monthly(reviews, "created_at", time_zone, span)
    reviewed = v.group_by(["customer_key", "month"]).aggregate(
        reviews=v.count(), rating_sum=v.rating.cast("int64").sum()
    )
    parts = [bought, returned, asked, reviewed]
    keys = parts[0].select("customer_key", "month")
    for part in parts[1:]:
        keys = keys.union(part.select("customer_key", "month"))
    out = keys.distinct()
    for part in parts:
        out = out.left_join(part, ["customer_key", "month"]).drop(
            "customer_key_right", "month_right"
        )
    return out.mutate(**{c: out[c].fill_null(0) for c in COUNTS})
