"""The CLV models' input (x, t_x, T, m̄) by hand on a tiny table, on DuckDB and on Spark.

Calibration end 2025-06-30, Asia/Shanghai local days. Paid orders (local time, amount):

| customer | paid orders                                              | days          |
|----------|----------------------------------------------------------|---------------|
| A        | 06-01 10:00 100, 06-01 20:00 50, 06-11 30, 06-21 23:30 90 | 06-01, 11, 21 |
| B        | 06-30 23:59:59 40                                        | 06-30         |
| C        | 05-31 23:30 10 (15:30 UTC), 06-14 20, 07-05 999 (later)  | 05-31, 06-14  |
| D        | an unpaid order only                                     | —             |
| E        | paid 07-01 00:00:05 only (after the end)                 | —             |

A: two orders on 06-01 are one purchase → x = 3 days − 1 = 2; t_x = 06-21 − 06-01 = 20;
   T = 06-30 − 06-01 = 29; m̄ = (30 + 90) / 2 = 60 (the first day's 150 left out).
B: x 0, t_x 0, T 0, m̄ 0.   C: x 1, t_x = 06-14 − 05-31 = 14, T = 30, m̄ = 20.
In weeks: A t_x 20/7, T 29/7; C t_x 2, T 30/7.
Hold-out 07-01 … 07-31: C 1 purchase (999), E 1 (5).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from guanxi.lake import Lake
from guanxi.metrics.clv_input import clv_input, holdout_purchases
from tests.factories import utc

TZ = "Asia/Shanghai"
END = dt.date(2025, 6, 30)
ROWS = [  # customer, local paid time (None: unpaid), amount
    ("A", "2025-06-01 10:00:00", "100.00"),
    ("A", "2025-06-01 20:00:00", "50.00"),
    ("A", "2025-06-11 10:00:00", "30.00"),
    ("A", "2025-06-21 23:30:00", "90.00"),
    ("B", "2025-06-30 23:59:59", "40.00"),
    ("C", "2025-05-31 23:30:00", "10.00"),
    ("C", "2025-06-14 10:00:00", "20.00"),
    ("C", "2025-07-05 10:00:00", "999.00"),
    ("D", None, "70.00"),
    ("E", "2025-07-01 00:00:05", "5.00"),
]


def _orders(lake: Lake) -> None:
    n = len(ROWS)
    created = [utc(r[1] or "2025-06-10 10:00:00") - dt.timedelta(minutes=1) for r in ROWS]
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [f"o{i}" for i in range(n)],
                "customer_key": [r[0] for r in ROWS],
                "created_at": created,
                "paid_at": [utc(r[1]) if r[1] else None for r in ROWS],
                "shipped_at": [None] * n,
                "signed_at": [None] * n,
                "closed_at": [None] * n,
                "status": ["paid" if r[1] else "created" for r in ROWS],
                "amount": [Decimal(r[2]) for r in ROWS],
                "item_count": [1] * n,
            }
        ),
    )


def _rows(lake: Lake, unit: str) -> dict[str, tuple]:
    expr = clv_input(lake.table("orders"), calibration_end=END, time_zone=TZ, unit=unit)
    return {
        r["customer_key"]: (
            r["frequency"],
            pytest.approx(r["recency"]),
            pytest.approx(r["T"]),
            pytest.approx(r["monetary_value"]),
        )
        for r in lake.arrow(expr).to_pylist()
    }


def test_input_by_hand_in_days_and_weeks(lake: Lake) -> None:
    _orders(lake)
    assert _rows(lake, "day") == {
        "A": (2, 20.0, 29.0, 60.0),
        "B": (0, 0.0, 0.0, 0.0),
        "C": (1, 14.0, 30.0, 20.0),
    }
    assert _rows(lake, "week") == {
        "A": (2, 20 / 7, 29 / 7, 60.0),
        "B": (0, 0.0, 0.0, 0.0),
        "C": (1, 2.0, 30 / 7, 20.0),
    }
    later = holdout_purchases(
        lake.table("orders"), start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 31), time_zone=TZ
    )
    got = {r["customer_key"]: (r["purchases"], r["amount"]) for r in lake.arrow(later).to_pylist()}
    assert got == {"C": (1, 999.0), "E": (1, 5.0)}


def test_unknown_unit_is_named() -> None:
    with pytest.raises(ValueError, match="unit: 'month'"):
        clv_input(None, calibration_end=END, time_zone=TZ, unit="month")
