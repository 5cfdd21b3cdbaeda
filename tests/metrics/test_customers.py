"""Per-customer facts at an as-of date (issue 15 item 1) on hand-computed rows, each engine.

As of 2025-06-15 (Asia/Shanghai days); the trailing 12 months are 2024-06-16 … 2025-06-15.
Whole months come from the derived ``customer_months``, the days at a range's ends from the
raw rows: the window's first 15 days (2024-06-16 … 30) and the as-of month's first 15.

c1's orders (local times):
  o1 2024-05-10 paid 10:05, 100.00, 2 items       (before the window)
  o2 2024-06-16 00:00 paid 00:10, 200.00, 1 item   (the window's first minutes)
  o3 2025-01-20 20:00 paid 01-21 09:00, 300.00, 3 items
  o4 2025-06-14 never paid, 40.00
  o5 2025-06-15 23:00 paid 06-16 00:01 (after the as-of date: unpaid at it), 50.00
  o6 2025-06-16 (after the as-of date: not counted at all)
→ orders 5, paid 3 (o1 o2 o3), paid amount 600.00, items 2+1+3 = 6; trailing: created
  o2 o3 o4 o5 = 4, paid o2 o3 = 2 for 500.00, unpaid o4 o5 = 2; payments on 2024-05-10
  and 2025-01-21, 256 days apart → mean gap 256 ÷ (3 − 1) = 128.0 days.
c1's refunds: 2024-05-12 refund 100.00, 2025-06-01 return 50.00, 2025-06-16 (after)
  → refunds 2, 150.00, returns 1.
c1's reviews: 2024-06-20 ★5, 2025-06-15 22:00 ★3, 2025-06-16 ★1 (after) → 2, 8, mean 4.0.
c1's chat sessions start 2024-06-15 20:00 (before the window), 2024-06-16 08:00,
  2025-06-15 23:30, 2025-06-16 00:30 (after) → sessions 3, trailing 2, last 2025-06-15 23:30.
c1's DSR ratings: 2025-02-01 (5, 4, 3); 2025-06-20 (after) → 1 rating, means 5.0 4.0 3.0.
c2: one order paid 2024-06-15 23:59:59, 80.00 — a second before the window.
c3: one chat session on 2025-03-01, nothing else. c4: only after the as-of date: no row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.customer_facts import customer_months
from guanxi.metrics.customers import (
    customer_classes,
    customer_facts,
    event_facts,
    rfm_values,
    split_months,
    trailing_period,
)
from guanxi.metrics.facts import session_facts
from guanxi.metrics.rules import ClassRules
from tests.factories import chats_table, utc

TZ = "Asia/Shanghai"
AS_OF = dt.date(2025, 6, 15)


def _shop(lake: Lake) -> None:
    orders = [
        # id, customer, created, paid, amount, items
        ("o1", "c1", "2024-05-10 10:00:00", "2024-05-10 10:05:00", "100.00", 2),
        ("o2", "c1", "2024-06-16 00:00:00", "2024-06-16 00:10:00", "200.00", 1),
        ("o3", "c1", "2025-01-20 20:00:00", "2025-01-21 09:00:00", "300.00", 3),
        ("o4", "c1", "2025-06-14 10:00:00", None, "40.00", 1),
        ("o5", "c1", "2025-06-15 23:00:00", "2025-06-16 00:01:00", "50.00", 1),
        ("o6", "c1", "2025-06-16 08:00:00", "2025-06-16 08:05:00", "60.00", 1),
        ("o7", "c2", "2024-06-15 23:50:00", "2024-06-15 23:59:59", "80.00", 1),
        ("o8", "c4", "2025-06-16 10:00:00", None, "10.00", 1),
    ]
    n = len(orders)
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [o[0] for o in orders],
                "customer_key": [o[1] for o in orders],
                "created_at": [utc(o[2]) for o in orders],
                "paid_at": [utc(o[3]) if o[3] else None for o in orders],
                "shipped_at": [None] * n,
                "signed_at": [None] * n,
                "closed_at": [None] * n,
                "status": ["paid" if o[3] else "created" for o in orders],
                "amount": [Decimal(o[4]) for o in orders],
                "item_count": pa.array([o[5] for o in orders], pa.int32()),
            }
        ),
    )
    refunds = [
        ("o1", "2024-05-12 10:00:00", "refund_only", "100.00"),
        ("o3", "2025-06-01 10:00:00", "return_refund", "50.00"),
        ("o3", "2025-06-16 10:00:00", "return_refund", "99.00"),
    ]
    n = len(refunds)
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "refund_id": [f"r{i}" for i in range(n)],
                "order_id": [r[0] for r in refunds],
                "customer_key": ["c1"] * n,
                "requested_at": [utc(r[1]) for r in refunds],
                "completed_at": [None] * n,
                "kind": [r[2] for r in refunds],
                "reason": ["不想要了"] * n,
                "quality_issue": [False] * n,
                "amount": [Decimal(r[3]) for r in refunds],
                "status": ["success"] * n,
            }
        ),
    )
    reviews = [("2024-06-20 10:00:00", 5), ("2025-06-15 22:00:00", 3), ("2025-06-16 09:00:00", 1)]
    n = len(reviews)
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "review_id": [f"v{i}" for i in range(n)],
                "order_id": ["o1"] * n,
                "product_id": ["p1"] * n,
                "customer_key": ["c1"] * n,
                "created_at": [utc(v[0]) for v in reviews],
                "rating": pa.array([v[1] for v in reviews], pa.int8()),
                "text": ["好"] * n,
            }
        ),
    )
    lake.write(
        "chat_messages",
        chats_table(
            [
                ("s1", "c1", "customer", None, "2024-06-15 20:00:00"),
                ("s1", "c1", "agent", "kf1", "2024-06-15 20:00:30"),
                ("s2", "c1", "customer", None, "2024-06-16 08:00:00"),
                ("s3", "c1", "customer", None, "2025-06-15 23:30:00"),
                # s3 began on the 15th: its reply after midnight does not move it
                ("s3", "c1", "agent", "kf1", "2025-06-16 00:10:00"),
                ("s4", "c1", "customer", None, "2025-06-16 00:30:00"),
                ("s5", "c3", "customer", None, "2025-03-01 10:00:00"),
                ("s6", "c4", "customer", None, "2025-06-16 11:00:00"),
            ]
        ),
    )
    n = 2
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": ["o2", "o3"],
                "customer_key": ["c1"] * n,
                "rated_at": [utc("2025-02-01 10:00:00"), utc("2025-06-20 10:00:00")],
                "description": pa.array([5, 1], pa.int8()),
                "service": pa.array([4, 1], pa.int8()),
                "logistics": pa.array([3, 1], pa.int8()),
            }
        ),
    )
    lake.derived.rebuild(TZ, AttributionRules())


def _facts(lake: Lake, as_of: dt.date = AS_OF) -> dict[str, dict]:
    derived = lake.derived
    expr = customer_facts(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        sessions=derived.table("sessions"),
        months=derived.table("customer_months"),
        as_of=as_of,
        time_zone=TZ,
        dsr_ratings=lake.table("dsr_ratings"),
    )
    return {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}


def test_facts_of_a_customer_at_the_as_of_date(lake: Lake) -> None:
    _shop(lake)
    facts = _facts(lake)
    assert sorted(facts) == ["c1", "c2", "c3"]
    assert facts["c1"] == {
        "customer_key": "c1",
        "orders": 5,
        "first_order_at": utc("2024-05-10 10:00:00"),
        "last_order_at": utc("2025-06-15 23:00:00"),
        "paid_orders": 3,
        "paid_amount": Decimal("600.00"),
        "paid_items": 6,
        "first_paid_at": utc("2024-05-10 10:05:00"),
        "last_paid_at": utc("2025-01-21 09:00:00"),
        "first_paid_day": dt.date(2024, 5, 10),
        "last_paid_day": dt.date(2025, 1, 21),
        "mean_days_between_paid_orders": 128.0,
        "trailing_orders": 4,
        "trailing_paid_orders": 2,
        "trailing_paid_amount": Decimal("500.00"),
        "trailing_unpaid_orders": 2,
        "refunds": 2,
        "refund_amount": Decimal("150.00"),
        "returns": 1,
        "sessions": 3,
        "reviews": 2,
        "rating_sum": 8,
        "last_chat_at": utc("2025-06-15 23:30:00"),
        "trailing_sessions": 2,
        "dsr_ratings": 1,
        "dsr_description": 5.0,
        "dsr_service": 4.0,
        "dsr_logistics": 3.0,
        "mean_rating": 4.0,
    }


def test_customers_with_little_history(lake: Lake) -> None:
    _shop(lake)
    facts = _facts(lake)
    c2, c3 = facts["c2"], facts["c3"]
    # c2 paid a second before the window: all-time yes, trailing no; one payment, no gap
    assert (c2["paid_orders"], c2["paid_amount"], c2["trailing_paid_orders"]) == (
        1,
        Decimal("80.00"),
        0,
    )
    assert (c2["trailing_orders"], c2["mean_days_between_paid_orders"]) == (0, None)
    assert (c2["sessions"], c2["last_chat_at"], c2["mean_rating"]) == (0, None, None)
    # c3 only chatted
    assert (c3["orders"], c3["paid_amount"], c3["first_order_at"]) == (0, Decimal("0.00"), None)
    assert (c3["sessions"], c3["trailing_sessions"], c3["last_chat_at"]) == (
        1,
        1,
        utc("2025-03-01 10:00:00"),
    )
    assert (c3["dsr_ratings"], c3["dsr_service"]) == (0, None)


def test_classes_from_the_facts(lake: Lake) -> None:
    _shop(lake)
    derived = lake.derived
    facts = customer_facts(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        sessions=derived.table("sessions"),
        months=derived.table("customer_months"),
        as_of=AS_OF,
        time_zone=TZ,
    )
    got = lake.arrow(customer_classes(facts, ClassRules()).order_by("customer_key")).to_pylist()
    # One buyer in the window (c1, 500.00): the top 5 % of 1 → VIP, threshold 500.00.
    # c2 bought, but before the window: ordinary. c3 chatted and never bought: potential.
    assert [(r["customer_key"], r["customer_class"], r["threshold"]) for r in got] == [
        ("c1", "vip", Decimal("500.000")),
        ("c2", "ordinary", None),
        ("c3", "potential", None),
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, dt.date(2025, 6, 15)),  # all months to May 2025, then 15 days
        (None, dt.date(2025, 5, 31)),  # whole months only
        (dt.date(2024, 6, 16), dt.date(2025, 6, 15)),  # days, months, days
        (dt.date(2025, 6, 2), dt.date(2025, 6, 15)),  # days of one month only
    ],
)
def test_months_and_edge_days_count_what_raw_rows_count(
    lake: Lake, start: dt.date | None, end: dt.date
) -> None:
    _shop(lake)
    derived = lake.derived
    got = event_facts(
        months=derived.table("customer_months"),
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        sessions=derived.table("sessions"),
        start=start,
        end=end,
        time_zone=TZ,
    )
    # the reference: customer_months of the range's raw rows alone, summed per customer
    span = Period(start or dt.date(2024, 1, 1), end)
    lo, hi = span.utc_bounds(TZ)

    def inside(name: str, column: str) -> ibis.Table:
        t = lake.table(name)
        return t.filter((t[column] >= lo) & (t[column] < hi))

    sessions = derived.table("sessions")
    sessions = sessions.filter((sessions.first_at >= lo) & (sessions.first_at < hi))
    raw = customer_months(
        orders=inside("orders", "created_at"),
        refunds=inside("refunds", "requested_at"),
        reviews=inside("reviews", "created_at"),
        sessions=sessions,
        time_zone=TZ,
        span=span,
    )
    columns = ["refunds", "refund_amount", "returns", "sessions", "reviews", "rating_sum"]
    ref = raw.group_by("customer_key").aggregate(
        **{c: raw[c].sum() for c in columns}, last_chat_at=raw.last_chat_at.max()
    )

    def rows(expr: ibis.Table) -> list[tuple]:
        # customers with something in the range (an order alone leaves zeros here)
        return sorted(
            tuple(r[c] for c in ["customer_key", *columns, "last_chat_at"])
            for r in lake.arrow(expr).to_pylist()
            if any(r[c] for c in columns) or r["last_chat_at"] is not None
        )

    assert rows(got) == rows(ref)
    assert rows(got)  # c1 has something in every range


def test_trailing_period() -> None:
    assert trailing_period(dt.date(2025, 6, 30), 12) == Period(
        dt.date(2024, 7, 1), dt.date(2025, 6, 30)
    )
    assert trailing_period(dt.date(2025, 6, 15), 12) == Period(
        dt.date(2024, 6, 16), dt.date(2025, 6, 15)
    )
    # 2024-02-29 − 12 months = 2023-02-28 (no 29th): the window starts on 03-01
    assert trailing_period(dt.date(2024, 2, 29), 12).start == dt.date(2023, 3, 1)
    assert trailing_period(dt.date(2025, 3, 31), 1).start == dt.date(2025, 3, 1)  # 02-28 + 1
    assert trailing_period(dt.date(2025, 1, 15), 3).start == dt.date(2024, 10, 16)


def test_split_into_whole_months_and_days() -> None:
    s = split_months(dt.date(2024, 6, 16), dt.date(2025, 6, 15))
    assert (s.first_month, s.last_month) == ("2024-07", "2025-05")
    assert s.days == (
        Period(dt.date(2024, 6, 16), dt.date(2024, 6, 30)),
        Period(dt.date(2025, 6, 1), dt.date(2025, 6, 15)),
    )
    whole = split_months(dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert (whole.first_month, whole.last_month, whole.days) == ("2024-07", "2025-06", ())
    start_open = split_months(None, dt.date(2025, 6, 15))
    assert (start_open.first_month, start_open.last_month) == (None, "2025-05")
    assert start_open.days == (Period(dt.date(2025, 6, 1), dt.date(2025, 6, 15)),)
    inside = split_months(dt.date(2025, 6, 2), dt.date(2025, 6, 29))
    assert (inside.has_months, inside.days) == (
        False,
        (Period(dt.date(2025, 6, 2), dt.date(2025, 6, 29)),),
    )
    # two partial months with none whole between them
    pair = split_months(dt.date(2025, 5, 20), dt.date(2025, 6, 10))
    assert (pair.has_months, pair.days) == (
        False,
        (Period(dt.date(2025, 5, 20), dt.date(2025, 6, 10)),),
    )


def test_rfm_agrees_with_the_facts(lake: Lake) -> None:
    _shop(lake)
    facts = _facts(lake)
    expr = rfm_values(lake.table("orders"), as_of=AS_OF, time_zone=TZ)
    values = {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}
    # c1: last payment 2025-01-21 → 2025-06-15 is 10+28+31+30+31+15 = 145 days
    assert (values["c1"]["recency_days"], values["c1"]["frequency"]) == (145, 3)
    assert sorted(values) == ["c1", "c2"]  # c3 never paid
    for key, v in values.items():
        f = facts[key]
        assert (v["frequency"], v["monetary"], v["last_paid_day"]) == (
            f["paid_orders"],
            f["paid_amount"],
            f["last_paid_day"],
        )


def test_raw_path_gives_the_derived_facts(lake: Lake) -> None:
    _shop(lake)
    derived = _facts(lake)
    # chat sessions built from the raw messages, no monthly table: every day from raw rows
    sessions = session_facts(
        lake.table("chat_messages"),
        lake.table("orders"),
        TZ,
        Period(dt.date(2024, 1, 1), dt.date(2025, 12, 31)),
    )["sessions"]
    expr = customer_facts(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        sessions=sessions,
        months=None,
        as_of=AS_OF,
        time_zone=TZ,
        dsr_ratings=lake.table("dsr_ratings"),
    )
    raw = {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}
    assert raw == derived
