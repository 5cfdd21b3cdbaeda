"""Stages, attribution, inquiries and agent sales on hand-made rows (Shanghai times).

Period 2024-06-18. By hand:
- c1, pre-sale p1: 06-18 10:00 C, 10:01 kf1, 10:05 C, 10:06 kf2 (transferred). o1 created
  11:00, paid 11:05, ¥100.00, 2 items → kf2's (the last to speak). A return r1 on o1.
- c2, pre-sale p2 06-15 07:00 C / 07:01 kf1 (73 h before o2: too early), o2 created 06-18
  08:00, never paid → nobody's. Pre-sale p3 06-18 09:00 C / 09:02 kf1; o3 created 12:00,
  closed unpaid → kf1's, lost.
- c3, after-sale a1 06-18 14:00 C / 14:01 kf1 (o4 signed 06-12, 6 days before); o5 created
  15:00, paid 15:10, ¥80.00 → nobody's (after-sale chats attribute nothing).
- c4, in-sale i1 06-18 09:30 C / 09:31 kf2 (o6 paid 06-17, not shipped): no inquiry.
- c5, pre-sale p5 06-18 20:00 C / 20:02 kf1; o7 created 06-20, paid 06-21 09:00: converts
  finally (by the end of 06-21) but not next-day (by the end of 06-19).
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics import attribution, period_counts
from tests.factories import chats_table, reports_by_agent, utc

CHATS = [
    ("p1", "c1", "customer", None, "2024-06-18 10:00:00"),
    ("p1", "c1", "agent", "kf1", "2024-06-18 10:01:00"),
    ("p1", "c1", "customer", None, "2024-06-18 10:05:00"),
    ("p1", "c1", "agent", "kf2", "2024-06-18 10:06:00"),
    ("p2", "c2", "customer", None, "2024-06-15 07:00:00"),
    ("p2", "c2", "agent", "kf1", "2024-06-15 07:01:00"),
    ("p3", "c2", "customer", None, "2024-06-18 09:00:00"),
    ("p3", "c2", "agent", "kf1", "2024-06-18 09:02:00"),
    ("a1", "c3", "customer", None, "2024-06-18 14:00:00"),
    ("a1", "c3", "agent", "kf1", "2024-06-18 14:01:00"),
    ("i1", "c4", "customer", None, "2024-06-18 09:30:00"),
    ("i1", "c4", "agent", "kf2", "2024-06-18 09:31:00"),
    ("p5", "c5", "customer", None, "2024-06-18 20:00:00"),
    ("p5", "c5", "agent", "kf1", "2024-06-18 20:02:00"),
]
T = str | None
ORDERS: list[tuple[str, str, str, T, T, T, str, str, int]] = [
    # id, customer, created, paid, shipped, signed, status, amount, items
    ("o1", "c1", "2024-06-18 11:00:00", "2024-06-18 11:05:00", None, None, "paid", "100.00", 2),
    ("o2", "c2", "2024-06-18 08:00:00", None, None, None, "created", "50.00", 1),
    ("o3", "c2", "2024-06-18 12:00:00", None, None, None, "closed", "60.00", 1),
    (
        "o4",
        "c3",
        "2024-06-10 10:00:00",
        "2024-06-10 10:05:00",
        "2024-06-11 10:00:00",
        "2024-06-12 10:00:00",
        "signed",
        "70.00",
        1,
    ),
    ("o5", "c3", "2024-06-18 15:00:00", "2024-06-18 15:10:00", None, None, "paid", "80.00", 1),
    ("o6", "c4", "2024-06-17 20:00:00", "2024-06-17 20:05:00", None, None, "paid", "90.00", 1),
    ("o7", "c5", "2024-06-20 10:00:00", "2024-06-21 09:00:00", None, None, "paid", "30.00", 1),
]


def _ts(value: T) -> object:
    return utc(value) if value else None


@pytest.fixture
def shop(lake: Lake) -> Lake:
    lake.write("chat_messages", chats_table(CHATS))
    m = len(ORDERS)
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * m,
                "order_id": [o[0] for o in ORDERS],
                "customer_key": [o[1] for o in ORDERS],
                "created_at": [utc(o[2]) for o in ORDERS],
                "paid_at": [_ts(o[3]) for o in ORDERS],
                "shipped_at": [_ts(o[4]) for o in ORDERS],
                "signed_at": [_ts(o[5]) for o in ORDERS],
                "closed_at": [None] * m,
                "status": [o[6] for o in ORDERS],
                "amount": [Decimal(o[7]) for o in ORDERS],
                "item_count": [o[8] for o in ORDERS],
            }
        ),
    )
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"] * 2,
                "refund_id": ["r1", "r2"],
                "order_id": ["o1", "o5"],
                "customer_key": ["c1", "c3"],
                "requested_at": [utc("2024-06-18 18:00:00"), utc("2024-06-18 19:00:00")],
                "completed_at": [None, None],
                "kind": ["return_refund", "return_refund"],
                "reason": ["尺码不合适", "质量问题"],
                "quality_issue": [False, True],
                "amount": [Decimal("100.00"), Decimal("80.00")],
                "status": ["processing", "processing"],
            }
        ),
    )
    return lake


PERIOD = Period(parse_day("2024-06-18"), parse_day("2024-06-18"))


def test_stages(shop: Lake) -> None:
    stages = shop.arrow(
        attribution.session_stages(shop.table("chat_messages"), shop.table("orders"))
    )
    got = {r["session_id"]: r["stage"] for r in stages.to_pylist()}
    assert got == {
        "p1": "pre_sale",
        "p2": "pre_sale",
        "p3": "pre_sale",
        "a1": "after_sale",
        "i1": "in_sale",
        "p5": "pre_sale",
    }


def test_attribution_takes_the_last_pre_sale_agent_within_72_hours(shop: Lake) -> None:
    rows = shop.arrow(
        attribution.attributed_orders(shop.table("chat_messages"), shop.table("orders"))
    ).to_pylist()
    assert sorted((r["order_id"], r["agent_id"]) for r in rows) == [
        ("o1", "kf2"),
        ("o3", "kf1"),
        ("o7", "kf1"),
    ]


def test_inquiries_and_their_conversion(shop: Lake) -> None:
    rows = shop.arrow(
        period_counts.inquiries(
            shop.table("chat_messages"), shop.table("orders"), PERIOD, "Asia/Shanghai"
        )
    ).to_pylist()
    got = sorted(
        (r["customer_key"], r["agent_id"], r["converted_next_day"], r["converted_final"])
        for r in rows
    )
    assert got == [
        ("c1", "kf1", True, True),
        ("c1", "kf2", True, True),
        ("c2", "kf1", False, False),
        ("c5", "kf1", False, True),
    ]


def test_agent_sales_by_hand(shop: Lake) -> None:
    table = shop.arrow(
        period_counts.agent_sales(
            shop.table("chat_messages"),
            shop.table("orders"),
            shop.table("refunds"),
            PERIOD,
            "Asia/Shanghai",
        )
    )
    by_agent = {r["agent_id"]: r for r in table.to_pylist()}
    kf1, kf2 = by_agent["kf1"], by_agent["kf2"]
    # kf1: o3 created and lost; o7 is kf1's but created on the 20th.
    assert (kf1["attributed_orders"], kf1["attributed_paid"], kf1["attributed_lost"]) == (1, 0, 1)
    assert (kf1["sales_amount"], kf1["buyers"], kf1["returns"]) == (0, 0, 0)
    assert (kf1["inquirers"], kf1["converted_next_day"], kf1["converted_final"]) == (3, 1, 2)
    # kf2: o1 paid ¥100.00, 2 items, one buyer; r1 returns it; one inquirer (c1), converted.
    assert (kf2["attributed_orders"], kf2["attributed_paid"], kf2["attributed_lost"]) == (1, 1, 0)
    assert (kf2["sales_amount"], kf2["sales_units"], kf2["buyers"]) == (Decimal("100.00"), 2, 1)
    assert kf2["returns"] == 1  # r2 is on o5, nobody's
    assert (kf2["inquirers"], kf2["converted_next_day"], kf2["converted_final"]) == (1, 1, 1)
    store = shop.arrow(
        period_counts.store_aov_counts(
            shop.table("orders"), period_counts.bucket_days([PERIOD]), [PERIOD], "Asia/Shanghai"
        )
    ).to_pylist()[0]
    # Orders created on the 18th and paid: o1 ¥100 (c1), o5 ¥80 (c3) → store AOV ¥90.00,
    # so kf2's AOV ratio (落实客单价) is 100 ÷ 90 = 1.11.
    assert (store["paid_amount"], store["payers"]) == (Decimal("180.00"), 2)


def test_the_agent_report_combines_chat_and_sales(shop: Lake) -> None:

    by_agent = reports_by_agent(shop, PERIOD)
    kf1, kf2 = by_agent["kf1"], by_agent["kf2"]
    assert kf2.aov == Decimal("100.00")  # ¥100 ÷ 1 buyer
    assert kf2.aov_ratio == Decimal("1.1111")  # 100 ÷ (180 ÷ 2)
    assert kf2.units_per_buyer == Decimal("2.00")
    assert (kf2.payment_rate, kf2.order_loss_rate) == (Decimal("1.0000"), Decimal("0.0000"))
    assert kf2.return_rate == Decimal("1.0000")  # 1 return ÷ 1 paid attributed order
    assert kf1.inquiry_conversion_final == Decimal("0.6667")  # 2 of 3 inquirers
    assert kf1.inquiry_conversion_next_day == Decimal("0.3333")  # 1 of 3
    assert (kf1.payment_rate, kf1.order_loss_rate) == (Decimal("0.0000"), Decimal("1.0000"))
    assert kf1.aov is None and kf1.aov_ratio is None and kf1.return_rate is None
    # Chat side: kf1 received c1, c2, c3, c5; kf2 received c1 and c4.
    assert (kf1.received_customers, kf2.received_customers) == (4, 2)


def test_the_report_reads_only_relevant_sessions_yet_counts_old_orders_returns(
    shop: Lake,
) -> None:
    """A return requested in the period on an order from 13 days before still counts: the
    report keeps the chats of that order's attribution although they lie before the period."""
    from guanxi.metrics.agents import relevant_messages
    from guanxi.metrics.attribution import AttributionRules

    shop.write(
        "chat_messages",
        pa.table(
            {
                "platform": ["taobao"] * 4,
                "message_id": ["x1", "x2", "x3", "x4"],
                "session_id": ["p8", "p8", "old", "old"],
                "customer_key": ["c6", "c6", "c7", "c7"],
                "agent_id": [None, "kf2", None, "kf1"],
                "sender": ["customer", "agent", "customer", "agent"],
                "sent_at": [
                    utc("2024-06-05 09:00:00"),
                    utc("2024-06-05 09:01:00"),
                    utc("2024-05-01 09:00:00"),
                    utc("2024-05-01 09:01:00"),
                ],
                "text": ["…"] * 4,
            }
        ),
    )
    shop.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"],
                "order_id": ["o8"],
                "customer_key": ["c6"],
                "created_at": [utc("2024-06-05 10:00:00")],
                "paid_at": [utc("2024-06-05 10:05:00")],
                "shipped_at": [None],
                "signed_at": [None],
                "closed_at": [None],
                "status": ["paid"],
                "amount": [Decimal("20.00")],
                "item_count": [1],
            }
        ),
    )
    shop.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"],
                "refund_id": ["r3"],
                "order_id": ["o8"],
                "customer_key": ["c6"],
                "requested_at": [utc("2024-06-18 12:00:00")],
                "completed_at": [None],
                "kind": ["return_refund"],
                "reason": ["不喜欢"],
                "quality_issue": [False],
                "amount": [Decimal("20.00")],
                "status": ["processing"],
            }
        ),
    )
    kept = shop.arrow(
        relevant_messages(
            shop.table("chat_messages"),
            shop.table("orders"),
            shop.table("refunds"),
            PERIOD,
            "Asia/Shanghai",
            AttributionRules(),
        )
    )
    sessions = set(kept.column("session_id").to_pylist())
    assert "p8" in sessions  # o8's chat, 13 days before the period
    assert "old" not in sessions  # May's chat matters for nothing in June 18's report
    assert reports_by_agent(shop, PERIOD)["kf2"].returns == 2  # r1 on o1 and r3 on o8
