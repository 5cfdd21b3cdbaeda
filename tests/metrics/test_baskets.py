"""Baskets from paid orders' lines, and each customer's sequence, on each engine."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from guanxi.lake import Lake
from guanxi.metrics.baskets import baskets, customer_sequences
from tests.factories import orders_table

ORDERS = [
    ("o1", "A", "2025-06-01 10:00:00", "2025-06-01 10:01:00", "10.00"),
    ("o2", "A", "2025-06-03 10:00:00", "2025-06-03 10:01:00", "10.00"),
    ("o3", "A", "2025-06-02 10:00:00", None, "10.00"),  # never paid: no basket
    ("o4", "B", "2025-06-05 10:00:00", "2025-06-05 10:01:00", "10.00"),
    ("o5", "B", "2025-06-04 10:00:00", "2025-06-04 10:01:00", "10.00"),  # B's first
    ("o6", "C", "2025-06-06 10:00:00", "2025-06-06 10:01:00", "10.00"),  # no product ids
]
# (order, line, product): o1 has p1 twice (two lines) → one p1 in its basket.
LINES = [
    ("o1", 1, "p1"),
    ("o1", 2, "p2"),
    ("o1", 3, "p1"),
    ("o2", 1, "p3"),
    ("o3", 1, "p9"),
    ("o4", 1, "p1"),
    ("o4", 2, "p3"),
    ("o5", 1, "p2"),
    ("o6", 1, None),
]


def _write(lake: Lake) -> None:
    lake.write("orders", orders_table(ORDERS))
    n = len(LINES)
    lake.write(
        "order_items",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [r[0] for r in LINES],
                "line_no": pa.array([r[1] for r in LINES], pa.int32()),
                "product_id": [r[2] for r in LINES],
                "quantity": pa.array([1] * n, pa.int32()),
                "unit_price": [Decimal("5.00")] * n,
                "amount": [Decimal("5.00")] * n,
            }
        ),
    )


def test_baskets_are_distinct_products_of_paid_orders(lake: Lake) -> None:
    _write(lake)
    table = lake.arrow(baskets(lake.table("orders"), lake.table("order_items")))
    got = {r["order_id"]: sorted(r["products"]) for r in table.to_pylist()}
    assert got == {"o1": ["p1", "p2"], "o2": ["p3"], "o4": ["p1", "p3"], "o5": ["p2"]}
    sequences = customer_sequences(table)
    # A: o1 (06-01) then o2 (06-03); B: o5 (06-04) before o4 (06-05), by payment time
    assert sequences == {
        "A": [frozenset({"p1", "p2"}), frozenset({"p3"})],
        "B": [frozenset({"p2"}), frozenset({"p1", "p3"})],
    }
