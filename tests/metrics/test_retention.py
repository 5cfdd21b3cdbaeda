"""Retention (客户保持度), the monthly cohort triangle, share of wallet and category months,
hand-computed, on each engine. Shop days are Asia/Shanghai; as of 2025-04-30.

Paid orders (local payment time):

| customer | payments                                         | cohort | months paid (offset)  |
|----------|--------------------------------------------------|--------|-----------------------|
| c1       | 01-05, 02-03, 04-10                              | Jan    | 0, 1, 3               |
| c2       | 01-20, 01-25 (twice in its first month)          | Jan    | 0                     |
| c3       | 01-31 23:30 (15:30 UTC), 03-01                   | Jan    | 0, 2                  |
| c4       | 02-01 00:10 (01-31 16:10 UTC), 03-15, 04-02      | Feb    | 0, 1, 2               |
| c5       | 02-14                                            | Feb    | 0                     |
| c6       | 03-03, 04-30 23:59                               | Mar    | 0, 1                  |
| c7       | 03-10 (and 05-01 00:00:30, after the as-of date) | Mar    | 0                     |
| c8       | 04-20                                            | Apr    | 0                     |

c9 only placed an unpaid order. The triangle (active = cohort customers paying that month;
repeated = of them, paid again in any month 1…k):

- Jan, 3 customers: active 3, 1 (c1), 1 (c3), 1 (c1) → 100 %, 33.3 %, 33.3 %, 33.3 %;
  first repeats: c1 at 1, c3 at 2 → repeated 0, 1, 2, 2 (0 %, 33.3 %, 66.7 %, 66.7 %).
- Feb, 2: active 2, 1 (c4), 1 (c4); repeated 0, 1, 1.
- Mar, 2: active 2, 1 (c6); repeated 0, 1.
- Apr, 1: active 1; repeated 0.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest

from guanxi.lake import Lake
from guanxi.metrics.retention import (
    category_months,
    cohort_activity,
    cohort_triangle,
    customer_retention,
    share_of_wallet,
)
from tests.factories import orders_table

TZ = "Asia/Shanghai"
AS_OF = dt.date(2025, 4, 30)

PAID = [
    ("c1", "2025-01-05 10:00:00"),
    ("c1", "2025-02-03 10:00:00"),
    ("c1", "2025-04-10 10:00:00"),
    ("c2", "2025-01-20 10:00:00"),
    ("c2", "2025-01-25 10:00:00"),
    ("c3", "2025-01-31 23:30:00"),
    ("c3", "2025-03-01 10:00:00"),
    ("c4", "2025-02-01 00:10:00"),
    ("c4", "2025-03-15 10:00:00"),
    ("c4", "2025-04-02 10:00:00"),
    ("c5", "2025-02-14 10:00:00"),
    ("c6", "2025-03-03 10:00:00"),
    ("c6", "2025-04-30 23:59:00"),
    ("c7", "2025-03-10 10:00:00"),
    ("c7", "2025-05-01 00:00:30"),
    ("c8", "2025-04-20 10:00:00"),
]


def _orders(lake: Lake) -> None:
    rows: list[tuple[str, str, str, str | None, str]] = [
        (f"o{i}", c, paid, paid, "10.00") for i, (c, paid) in enumerate(PAID)
    ]
    rows.append(("o-c9", "c9", "2025-02-10 10:00:00", None, "10.00"))
    lake.write("orders", orders_table(rows))


def test_cohort_triangle(lake: Lake) -> None:
    _orders(lake)
    activity = lake.arrow(
        cohort_activity(lake.table("orders"), as_of=AS_OF, time_zone=TZ, months=12)
    ).to_pylist()
    rows = cohort_triangle(activity, as_of=AS_OF, months=12)
    got = {r.cohort: (r.customers, r.active, r.repeated) for r in rows}
    assert got == {
        "2025-01": (3, [3, 1, 1, 1], [0, 1, 2, 2]),
        "2025-02": (2, [2, 1, 1], [0, 1, 1]),
        "2025-03": (2, [2, 1], [0, 1]),
        "2025-04": (1, [1], [0]),
    }
    jan = rows[0]
    assert jan.rates == pytest.approx([1.0, 1 / 3, 1 / 3, 1 / 3])
    assert jan.repeat_rates == pytest.approx([0.0, 1 / 3, 2 / 3, 2 / 3])


def test_cohorts_older_than_the_window_are_left_out(lake: Lake) -> None:
    _orders(lake)
    # 2 months back from April: the March and April cohorts only (c3's March payment is
    # a repeat of January's cohort, not a March first purchase)
    activity = lake.arrow(
        cohort_activity(lake.table("orders"), as_of=AS_OF, time_zone=TZ, months=2)
    ).to_pylist()
    got = {r.cohort: r.active for r in cohort_triangle(activity, as_of=AS_OF, months=2)}
    assert got == {"2025-03": [2, 1], "2025-04": [1]}


def test_retention_over_one_and_two_month_windows(lake: Lake) -> None:
    _orders(lake)
    # 1 month: current 03-31…04-30, previous 03-01…03-30. Previous buyers c3 (03-01),
    # c4 (03-15), c6 (03-03), c7 (03-10) = 4; of them c4 (04-02) and c6 (04-30) paid in
    # the current window: 2 ÷ 4 = 50 %. Current buyers c1, c4, c6, c8 = 4; new: c8.
    one = lake.arrow(
        customer_retention(lake.table("orders"), as_of=AS_OF, time_zone=TZ, months=1)
    ).to_pylist()[0]
    assert one == {
        "previous_buyers": 4,
        "retained": 2,
        "current_buyers": 4,
        "new_buyers": 1,
        "repeat_buyers": 0,  # one order each in the window
        "rate": 0.5,
    }
    # 2 months: current 03-01…04-30, previous 12-29…02-28: c1, c2, c3, c4, c5 = 5; again
    # in the current window c1, c3, c4 = 3 → 60 %. Current: c1 c3 c4 c6 c7 c8 = 6, new c6
    # c7 c8 = 3.
    two = lake.arrow(
        customer_retention(lake.table("orders"), as_of=AS_OF, time_zone=TZ, months=2)
    ).to_pylist()[0]
    assert two == {
        "previous_buyers": 5,
        "retained": 3,
        "current_buyers": 6,
        "new_buyers": 3,
        "repeat_buyers": 2,  # c4 (03-15, 04-02) and c6 (03-03, 04-30)
        "rate": 0.6,
    }


def test_retention_without_previous_buyers_is_empty(lake: Lake) -> None:
    _orders(lake)
    # 12 months: the previous window (2023-05 … 2024-04) has no buyers
    got = lake.arrow(
        customer_retention(lake.table("orders"), as_of=AS_OF, time_zone=TZ, months=12)
    ).to_pylist()[0]
    assert (got["previous_buyers"], got["retained"], got["rate"]) == (0, 0, None)
    # every buyer is new; c1 (3 orders), c2, c3, c4 (3), c6 paid twice or more: 5
    assert (got["current_buyers"], got["new_buyers"], got["repeat_buyers"]) == (8, 8, 5)


def test_share_of_wallet_only_for_customers_who_answered(lake: Lake) -> None:
    rows = ibis.memtable(
        pa.table(
            {
                "customer_key": ["X", "W"],
                "trailing_paid_amount": pa.array(
                    [Decimal("300.00"), Decimal("50.00")], pa.decimal128(38, 2)
                ),
            }
        )
    )
    answers = ibis.memtable(
        pa.table(
            {
                "customer_key": ["X", "Y", "Z"],
                "spend_elsewhere": pa.array([700.0, 100.0, 0.0], pa.float64()),
            }
        )
    )
    got = {r["customer_key"]: r for r in lake.arrow(share_of_wallet(rows, answers)).to_pylist()}
    # X: 300 ÷ (300 + 700) = 30 %; Y spent nothing here: 0 %; Z nothing anywhere: unknown;
    # W did not answer: left out
    assert {k: r["share"] for k, r in got.items()} == {"X": 0.3, "Y": 0.0, "Z": None}


def test_category_months(lake: Lake) -> None:
    orders = [
        ("o1", "k1", "2025-03-05 10:00:00", "2025-03-05 10:00:00", "150.00"),
        ("o2", "k2", "2025-04-03 10:00:00", "2025-04-03 10:00:00", "50.00"),
        ("o3", "k1", "2025-02-27 10:00:00", "2025-02-27 10:00:00", "99.00"),  # before
        ("o4", "k3", "2025-04-10 10:00:00", None, "77.00"),  # never paid
        ("o5", "k3", "2025-04-30 23:00:00", "2025-04-30 23:00:00", "10.00"),
    ]
    lake.write("orders", orders_table(orders))
    lines = [("o1", "p1", "100.00"), ("o1", "p2", "50.00"), ("o2", "p1", "30.00"),
             ("o2", "p3", "20.00"), ("o3", "p1", "99.00"), ("o4", "p1", "77.00"),
             ("o5", "p9", "10.00")]  # fmt: skip
    n = len(lines)
    lake.write(
        "order_items",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [r[0] for r in lines],
                "line_no": pa.array(range(n), pa.int32()),
                "product_id": [r[1] for r in lines],
                "quantity": pa.array([1] * n, pa.int32()),
                "unit_price": [Decimal(r[2]) for r in lines],
                "amount": [Decimal(r[2]) for r in lines],
            }
        ),
    )
    lake.write(
        "products",
        pa.table(
            {
                "platform": ["taobao"] * 3,
                "product_id": ["p1", "p2", "p3"],
                "title": ["龙井", "茶杯", "礼盒"],
                "category": ["茶叶", "茶具", None],
                "price": [Decimal("1.00")] * 3,
            }
        ),
    )
    expr = category_months(
        lake.table("orders"),
        lake.table("order_items"),
        lake.table("products"),
        as_of=AS_OF,
        time_zone=TZ,
        months=2,
    )
    got = {
        (r["month"], r["category"]): (r["amount"], r["orders"])
        for r in lake.arrow(expr).to_pylist()
    }
    # March: o1's lines; April: o2's and o5's (p9 is not in the products: uncategorised,
    # like p3 with no category); o3 paid in February and o4 never paid are left out
    assert got == {
        ("2025-03", "茶叶"): (Decimal("100.00"), 1),
        ("2025-03", "茶具"): (Decimal("50.00"), 1),
        ("2025-04", "茶叶"): (Decimal("30.00"), 1),
        ("2025-04", ""): (Decimal("30.00"), 2),
    }
