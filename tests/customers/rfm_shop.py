"""A hand-made shop of ten paying customers for the RFM explorer, CLI and API tests, with
every figure worked out by hand below (the issue's definitions: R whole local days from the
last paid order to the as-of date, F paid orders, M their amounts, refunds not deducted).

At AS_OF = 2025-06-30 (n = 10, score = 1 + ⌊5b/10⌋, b = customers strictly worse):

    key  last paid    R   F    M     R  F  M  group
    c01  06-30 23:30   0   4   800   5  5  5  important_value
    c02  06-28         2   3   600   5  4  4  important_value
    c03  06-20        10   1  1200   4  1  5  important_develop
    c04  05-31        30   2   100   3  3  2  general_value
    c05  05-31        30   2   300   3  3  3  important_value
    c06  05-01        60   3   500   3  4  3  important_value
    c07  04-01        90   1    50   2  1  1  general_win_back
    c08  03-01       121   1   700   2  1  4  important_win_back
    c09  2025-01-01  180   2   200   1  3  2  general_keep
    c10  2024-12-01  211   1    40   1  1  1  general_win_back

R by days, more is worse: 211 (b=0 → 1), 180 (b=1 → 1+⌊5/10⌋ = 1), 121 (b=2 → 2), 90 (b=3
→ 2), 60 (b=4 → 3), the tie 30, 30 (both b=5 → 3: the tie straddles the 3|4 edge and falls
wholly below it), 10 (b=7 → 4), 2 (b=8 → 5), 0 (b=9 → 5).
F: the four one-order customers b=0 → 1; F=2 (c04, c05, c09: positions 4–6) b=4 → 3 for all
three, though position 6 alone would score 4; F=3 b=7 → 4; F=4 b=9 → 5.
M (distinct): 40 → 1, 50 → 1, 100 → 2, 200 → 2, 300 → 3, 500 → 3, 600 → 4, 700 → 4, 800 → 5,
1200 → 5. High = score ≥ 3.

Left out on purpose: c07's order paid 2025-07-01 00:10 Shanghai (16:10 UTC on 06-30: the
next local day), c03's unpaid 5,000 order, and a successful 150 refund of c01's order o01b
(not deducted).

A month earlier, 2025-05-30 (n = 9, c03 had not bought; score = 1 + ⌊5b/9⌋):
c01 R20 F2 M400 → 4 4 4 important_value; c02 R10 F1 M200 → 5 1 3 important_develop;
c04 R29 F1 M50 → 3 1 1 general_develop; c05 R76 F1 M150 → 2 1 2 general_win_back;
c06 R29 F3 M500 → 3 5 4 important_value; c07 R59 F1 M50 → 3 1 1 general_develop;
c08 R90 F1 M700 → 2 1 5 important_win_back; c09 R149 F2 M200 → 1 4 3 important_keep;
c10 R180 F1 M40 → 1 1 1 general_win_back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from guanxi.lake import Lake
from tests.customers.helpers import customer
from tests.factories import messages_table, utc

AS_OF = dt.date(2025, 6, 30)
PREVIOUS = dt.date(2025, 5, 30)


def key(i: int) -> str:
    return f"c{i:016x}"


ORDERS = [
    # (order, customer, paid at Shanghai time or None, amount)
    ("o01a", 1, "2025-06-30 23:30:00", "200"),
    ("o01b", 1, "2025-06-10 10:00:00", "200"),
    ("o01c", 1, "2025-05-10 10:00:00", "200"),
    ("o01d", 1, "2025-04-10 10:00:00", "200"),
    ("o02a", 2, "2025-06-28 09:00:00", "200"),
    ("o02b", 2, "2025-06-01 09:00:00", "200"),
    ("o02c", 2, "2025-05-20 09:00:00", "200"),
    ("o03a", 3, "2025-06-20 12:00:00", "1200"),
    ("o03x", 3, None, "5000"),
    ("o04a", 4, "2025-05-31 08:00:00", "50"),
    ("o04b", 4, "2025-05-01 08:00:00", "50"),
    ("o05a", 5, "2025-05-31 21:00:00", "150"),
    ("o05b", 5, "2025-03-15 21:00:00", "150"),
    ("o06a", 6, "2025-05-01 11:00:00", "100"),
    ("o06b", 6, "2025-04-01 11:00:00", "200"),
    ("o06c", 6, "2025-02-01 11:00:00", "200"),
    ("o07a", 7, "2025-04-01 15:00:00", "50"),
    ("o07x", 7, "2025-07-01 00:10:00", "999"),
    ("o08a", 8, "2025-03-01 15:00:00", "700"),
    ("o09a", 9, "2025-01-01 15:00:00", "100"),
    ("o09b", 9, "2024-11-01 15:00:00", "100"),
    ("o10a", 10, "2024-12-01 15:00:00", "40"),
]

# key → (recency_days, frequency, monetary, r, f, m, group) at AS_OF
EXPECTED = {
    key(1): (0, 4, "800.00", 5, 5, 5, "important_value"),
    key(2): (2, 3, "600.00", 5, 4, 4, "important_value"),
    key(3): (10, 1, "1200.00", 4, 1, 5, "important_develop"),
    key(4): (30, 2, "100.00", 3, 3, 2, "general_value"),
    key(5): (30, 2, "300.00", 3, 3, 3, "important_value"),
    key(6): (60, 3, "500.00", 3, 4, 3, "important_value"),
    key(7): (90, 1, "50.00", 2, 1, 1, "general_win_back"),
    key(8): (121, 1, "700.00", 2, 1, 4, "important_win_back"),
    key(9): (180, 2, "200.00", 1, 3, 2, "general_keep"),
    key(10): (211, 1, "40.00", 1, 1, 1, "general_win_back"),
}


def expected_json() -> list[dict[str, object]]:
    names = ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "group")
    return [{"customer_key": k, **dict(zip(names, v, strict=True))} for k, v in EXPECTED.items()]


def build(lake: Lake, *, master: bool = True) -> None:
    """The lake's orders and a refund; with ``master``, the ten customers in the master
    (names 客户一 …, mobiles 1380000000x) so the pages can mask them."""
    n = len(ORDERS)
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [o[0] for o in ORDERS],
                "customer_key": [key(o[1]) for o in ORDERS],
                "created_at": [utc(o[2] or "2025-06-25 10:00:00") for o in ORDERS],
                "paid_at": [utc(o[2]) if o[2] else None for o in ORDERS],
                "shipped_at": [None] * n,
                "signed_at": [None] * n,
                "closed_at": [None] * n,
                "status": ["paid" if o[2] else "created" for o in ORDERS],
                "amount": [Decimal(o[3]) for o in ORDERS],
                "item_count": [1] * n,
            }
        ),
    )
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"],
                "refund_id": ["r1"],
                "order_id": ["o01b"],
                "customer_key": [key(1)],
                "requested_at": [utc("2025-06-12 10:00:00")],
                "completed_at": [utc("2025-06-13 10:00:00")],
                "kind": ["refund_only"],
                "reason": ["不想要了"],
                "quality_issue": [False],
                "amount": [Decimal("150")],
                "status": ["success"],
            }
        ),
    )
    # A chat, so the standing's recompute finds the messages table (without one it fails:
    # reported to the lead, customers.standing.sessions_and_months's empty memtable).
    lake.write("chat_messages", messages_table([(key(3), "customer", "2025-06-19 10:00:00")]))
    if master:
        for i in range(1, 11):
            customer(
                customer_key=key(i),
                name=f"王{'一二三四五六七八九十'[i - 1]}明",
                mobile=f"1380000{i:04d}",
                email="",
                tags=(),
                customer_class="ordinary",
                identities=(),
            )
