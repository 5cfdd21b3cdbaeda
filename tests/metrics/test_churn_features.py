"""Churn features and label at a cutoff (``metrics.churn_features``), on DuckDB and Spark.

Cutoff 2025-07-01 (Asia/Shanghai), horizon 30 days: features from the window
[2024-07-01, 2025-07-01) local, the recent part [2025-04-01, 2025-07-01); the label from
[2025-07-01, 2025-07-31) local. Times below are local.

A: paid 2024-03-01 10:00 (before the window: only its tenure), 2025-05-10 10:00 ¥200,
   2025-06-30 23:30 ¥100; paid again 2025-07-05 → stays (0).
   recency: 23:30 → midnight is 30 min → 0 days. F 2, M 300. tenure: 2024-03-01 →
   2025-03-01 is 365 days, + Mar 31 + Apr 30 + May 31 + Jun 30 = 487, less 10 h → 486.
   recent 2 (05-10, 06-30) → trend 2/2 = 1. Refunds: 2025-06-01 return (in), 2024-05-01
   (before the window: out) → 1 refund, 1 return. Sessions: months 2024-06 3 (out),
   2025-06 2 (in), 2025-07 5 (the cutoff's month: out) → 2. Reviews 06-05 ★1, 06-06 ★4 →
   2, mean 2.5, bad 1. Complaints 2, member score 350.
B: paid 2024-07-01 00:30 ¥80 (30 min inside the window), 2025-01-15 12:00 ¥20; next paid
   2025-07-31 00:10, after the label ends (07-31 00:00) → churned (1).
   recency: Jan 15 → Feb 1 is 17 days, + 28 + 31 + 30 + 31 + 30 = 167, less 12 h → 166.
   F 2, M 100; tenure 365 days less 30 min → 364; recent 0 → trend 0; no reviews → mean
   None; no member score → None.
E: paid 2025-04-01 00:00:00 ¥50 (exactly the recent edge: in) → recency Apr 30 + May 31 +
   Jun 30 = 91, tenure 91, recent 1, trend 1; sessions 2024-07 4 (the window's first
   month: in); paid 2025-07-30 23:59 → stays (0).
C paid only 2024-06-30 23:00 (before the window), D only 2025-07-01 00:00:00 (at the
cutoff: after): neither is a customer at this cutoff. An unpaid order counts nowhere.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from guanxi.lake import Lake
from guanxi.lake.schema import spec
from guanxi.metrics.churn_features import churn_features
from tests.factories import utc

TZ = "Asia/Shanghai"
CUTOFF = dt.date(2025, 7, 1)

PAID = [
    ("A", "2024-03-01 10:00:00", "50.00"),
    ("A", "2025-05-10 10:00:00", "200.00"),
    ("A", "2025-06-30 23:30:00", "100.00"),
    ("A", "2025-07-05 10:00:00", "70.00"),
    ("B", "2024-07-01 00:30:00", "80.00"),
    ("B", "2025-01-15 12:00:00", "20.00"),
    ("B", "2025-07-31 00:10:00", "20.00"),
    ("C", "2024-06-30 23:00:00", "10.00"),
    ("D", "2025-07-01 00:00:00", "10.00"),
    ("E", "2025-04-01 00:00:00", "50.00"),
    ("E", "2025-07-30 23:59:00", "50.00"),
]


def _write(lake: Lake) -> None:
    orders = [
        {
            "platform": "taobao",
            "order_id": f"o{i}",
            "customer_key": c,
            "created_at": utc(at) - dt.timedelta(minutes=1),
            "paid_at": utc(at),
            "status": "paid",
            "amount": Decimal(amount),
            "item_count": 1,
        }
        for i, (c, at, amount) in enumerate(PAID)
    ]
    unpaid = {"order_id": "o-unpaid", "created_at": utc("2025-06-01 10:00:00"), "paid_at": None}
    orders.append({**orders[0], **unpaid, "status": "created"})
    lake.write("orders", pa.Table.from_pylist(orders, schema=spec("orders").schema))
    refunds = [
        ("r1", "A", "2025-06-01 10:00:00", "return_refund"),
        ("r2", "A", "2024-05-01 10:00:00", "refund_only"),
    ]
    lake.write(
        "refunds",
        pa.Table.from_pylist(
            [
                {
                    "platform": "taobao",
                    "refund_id": rid,
                    "order_id": "o1",
                    "customer_key": c,
                    "requested_at": utc(at),
                    "kind": kind,
                    "quality_issue": False,
                    "amount": Decimal("10.00"),
                    "status": "success",
                }
                for rid, c, at, kind in refunds
            ],
            schema=spec("refunds").schema,
        ),
    )
    reviews = [("v1", "A", "2025-06-05 10:00:00", 1), ("v2", "A", "2025-06-06 10:00:00", 4)]
    lake.write(
        "reviews",
        pa.Table.from_pylist(
            [
                {
                    "platform": "taobao",
                    "review_id": vid,
                    "customer_key": c,
                    "created_at": utc(at),
                    "rating": rating,
                }
                for vid, c, at, rating in reviews
            ],
            schema=spec("reviews").schema,
        ),
    )


def _features(lake: Lake, horizon_days: int | None = 30) -> dict[str, dict]:
    months = ibis.memtable(
        {
            "customer_key": ["A", "A", "A", "E"],
            "month": ["2024-06", "2025-06", "2025-07", "2024-07"],
            "sessions": [3, 2, 5, 4],
        }
    )
    complaints = ibis.memtable({"customer_key": ["A"], "complaints": [2]})
    members = ibis.memtable({"customer_key": ["A"], "member_score": [350]})
    expr = churn_features(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        months=months,
        complaints=complaints,
        members=members,
        cutoff=CUTOFF,
        time_zone=TZ,
        horizon_days=horizon_days,
    )
    return {r.pop("customer_key"): r for r in lake.arrow(expr).to_pylist()}


def test_features_and_label_at_a_cutoff(lake: Lake) -> None:
    _write(lake)
    rows = _features(lake)
    assert set(rows) == {"A", "B", "E"}
    assert rows["A"] == {
        "recency_days": 0,
        "frequency": 2,
        "monetary": 300,
        "tenure_days": 486,
        "recent_orders": 2,
        "order_trend": 1,
        "refunds": 1,
        "returns": 1,
        "sessions": 2,
        "complaints": 2,
        "reviews": 2,
        "mean_rating": 2.5,
        "bad_reviews": 1,
        "member_score": 350,
        "churned": 0,
    }
    b = rows["B"]
    assert (b["recency_days"], b["frequency"], b["monetary"], b["tenure_days"]) == (
        166,
        2,
        100,
        364,
    )
    assert (b["recent_orders"], b["order_trend"], b["sessions"], b["reviews"]) == (0, 0, 0, 0)
    assert b["mean_rating"] is None and b["member_score"] is None
    assert b["churned"] == 1
    e = rows["E"]
    assert (e["recency_days"], e["tenure_days"], e["recent_orders"], e["order_trend"]) == (
        91,
        91,
        1,
        1,
    )
    assert (e["sessions"], e["churned"]) == (4, 0)
    # Without a horizon (scoring today) there is no label column.
    assert "churned" not in _features(lake, None)["A"]


def test_cutoff_must_start_a_month() -> None:
    empty = ibis.memtable({"customer_key": ["x"], "complaints": [0]})
    with pytest.raises(ValueError, match="first day of a month"):
        churn_features(
            orders=empty,
            refunds=empty,
            reviews=empty,
            months=empty,
            complaints=empty,
            members=empty,
            cutoff=dt.date(2025, 7, 2),
            time_zone=TZ,
        )
