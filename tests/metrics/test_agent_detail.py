"""One agent in depth on hand-made rows; every expected figure is computed by hand below.

Shanghai local times; the period is 2024-06-18..19; the agent is kf1.
- s1 (c1, pre-sale): 18th 09:00:00 C, 09:00:05 C, 09:00:12 kf1 (r1 12 s), 09:01:00 C,
  09:01:45 kf1 (r2 45 s), 09:03:00 C (r3 unanswered: kf1's, who spoke before it).
- s2 (c2, pre-sale, across midnight): 18th 23:58:00 C, 19th 00:02:00 kf1 (r1 240 s — on the
  18th, when it was asked), 00:03:00 C, 00:03:20 kf2 (r2 20 s, kf2's), 00:04:00 C,
  00:04:25 kf1 (r3 25 s, on the 19th, before 08:00).
- s3 (c3, in-sale: o3 paid 06-17, not shipped): 19th 02:00:00 C, 02:00:30 kf1 (30 s). 02:00
  on the 19th is 18:00 UTC on the 18th: the local day decides.
- s4 (c4, after-sale: o4 shipped 06-15, not signed): 19th 10:00:00 C, 10:03:20 kf1 (200 s).
- s5 (c5, pre-sale): 17th 23:59:59 C, 18th 00:00:09 kf1 (10 s): the round and session are
  on the 17th, outside the period; the reply receives c5 on the 18th.
- s6 (c6): kf2 only. s7 (c1, in-sale: o1 paid, not shipped): 19th 15:00:00 C, 15:00:08 kf1
  (8 s). s8 (c8, pre-sale, never buys): 19th 11:00:00 C, 11:00:15 kf1 (15 s).
Orders: o1 c1 created 18th 10:00, paid 10:02, ¥88.00 → kf1 (last pre-sale speaker, s1);
o5 c1 created 18th 23:59:30, paid 19th 00:10, ¥11.11 → kf1, on the 18th (creation day);
o2 c2 created 19th 08:00, paid 08:30, ¥50.50 → kf1 (00:04:25 in s2 is after kf2's 00:03:20).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics import agent_detail
from guanxi.metrics.agent_detail import Bucket, StageShare
from guanxi.metrics.agents import agent_reports
from guanxi.metrics.facts import ChatFacts
from guanxi.metrics.period_counts import facts_from_raw
from tests.factories import utc

D, N, B = "2024-06-18", "2024-06-19", "2024-06-17"
TZ = "Asia/Shanghai"
PERIOD = Period(parse_day(D), parse_day(N))
CHATS = [
    # session, customer, sender, agent, local time
    ("s1", "c1", "customer", None, f"{D} 09:00:00"),
    ("s1", "c1", "customer", None, f"{D} 09:00:05"),
    ("s1", "c1", "agent", "kf1", f"{D} 09:00:12"),
    ("s1", "c1", "customer", None, f"{D} 09:01:00"),
    ("s1", "c1", "agent", "kf1", f"{D} 09:01:45"),
    ("s1", "c1", "customer", None, f"{D} 09:03:00"),
    ("s2", "c2", "customer", None, f"{D} 23:58:00"),
    ("s2", "c2", "agent", "kf1", f"{N} 00:02:00"),
    ("s2", "c2", "customer", None, f"{N} 00:03:00"),
    ("s2", "c2", "agent", "kf2", f"{N} 00:03:20"),
    ("s2", "c2", "customer", None, f"{N} 00:04:00"),
    ("s2", "c2", "agent", "kf1", f"{N} 00:04:25"),
    ("s3", "c3", "customer", None, f"{N} 02:00:00"),
    ("s3", "c3", "agent", "kf1", f"{N} 02:00:30"),
    ("s4", "c4", "customer", None, f"{N} 10:00:00"),
    ("s4", "c4", "agent", "kf1", f"{N} 10:03:20"),
    ("s5", "c5", "customer", None, f"{B} 23:59:59"),
    ("s5", "c5", "agent", "kf1", f"{D} 00:00:09"),
    ("s6", "c6", "customer", None, f"{D} 15:00:00"),
    ("s6", "c6", "agent", "kf2", f"{D} 15:00:10"),
    ("s7", "c1", "customer", None, f"{N} 15:00:00"),
    ("s7", "c1", "agent", "kf1", f"{N} 15:00:08"),
    ("s8", "c8", "customer", None, f"{N} 11:00:00"),
    ("s8", "c8", "agent", "kf1", f"{N} 11:00:15"),
]
T = str | None
ORDERS: list[tuple[str, str, str, T, T, str, str]] = [
    # id, customer, created, paid, shipped, status, amount
    ("o1", "c1", f"{D} 10:00:00", f"{D} 10:02:00", None, "paid", "88.00"),
    ("o5", "c1", f"{D} 23:59:30", f"{N} 00:10:00", None, "paid", "11.11"),
    ("o2", "c2", f"{N} 08:00:00", f"{N} 08:30:00", None, "paid", "50.50"),
    ("o3", "c3", f"{B} 10:00:00", f"{B} 10:00:00", None, "paid", "30.00"),
    (
        "o4",
        "c4",
        "2024-06-14 10:00:00",
        "2024-06-14 10:05:00",
        "2024-06-15 09:00:00",
        "shipped",
        "40.00",
    ),
]


def _ts(value: T) -> object:
    return utc(value) if value else None


def write_shop(lake: Lake) -> Lake:
    n, m = len(CHATS), len(ORDERS)
    lake.write(
        "chat_messages",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "message_id": [f"m{i:02d}" for i in range(n)],
                "session_id": [c[0] for c in CHATS],
                "customer_key": [c[1] for c in CHATS],
                "agent_id": [c[3] for c in CHATS],
                "sender": [c[2] for c in CHATS],
                "sent_at": [utc(c[4]) for c in CHATS],
                "text": [f"消息 {i}" for i in range(n)],
            }
        ),
    )
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
                "signed_at": [None] * m,
                "closed_at": [None] * m,
                "status": [o[5] for o in ORDERS],
                "amount": [Decimal(o[6]) for o in ORDERS],
                "item_count": [1] * m,
            }
        ),
    )
    return lake


@pytest.fixture
def detail_shop(lake: Lake) -> Lake:
    return write_shop(lake)


def _facts(shop: Lake, period: Period = PERIOD) -> ChatFacts:
    return facts_from_raw(shop.table("chat_messages"), shop.table("orders"), period, TZ)


def _days(shop: Lake, period: Period = PERIOD) -> list[agent_detail.AgentDay]:
    return agent_detail.agent_days(
        shop.arrow,
        facts=_facts(shop, period),
        orders=shop.table("orders"),
        period=period,
        time_zone=TZ,
        agent_id="kf1",
    )


def test_daily_trends_by_hand(detail_shop: Lake) -> None:
    d18, d19 = _days(detail_shop)
    assert (d18.day, d19.day) == (dt.date(2024, 6, 18), dt.date(2024, 6, 19))
    # Received: the 18th c1 (s1) and c5 (s5's reply at 00:00:09); the 19th c2, c3, c4, c1, c8.
    assert (d18.received_customers, d19.received_customers) == (2, 5)
    # Rounds of the 18th: s1 r1 12 s, r2 45 s, r3 unanswered, s2 r1 240 s (asked 23:58).
    assert (d18.rounds_owned, d18.rounds_answered) == (4, 3)
    assert d18.avg_response_seconds == Decimal("99.00")  # (12 + 45 + 240) ÷ 3
    assert d18.three_minute_rate == Decimal("0.5000")  # all 4 in 08–24; 12 s and 45 s ≤ 180
    # The 19th: s2 r3 25 s, s3 30 s (both before 08:00), s4 200 s, s7 8 s, s8 15 s.
    assert (d19.rounds_owned, d19.rounds_answered) == (5, 5)
    assert d19.avg_response_seconds == Decimal("55.60")  # 278 ÷ 5
    assert d19.three_minute_rate == Decimal("0.6667")  # s4, s7, s8 in hours; s7, s8 quick
    # First replies: the 18th s1 12 s, s2 240 s; the 19th s3 30, s4 200, s7 8, s8 15.
    assert (d18.first_reply_sessions, d18.first_response_seconds) == (2, Decimal("126.00"))
    assert (d19.first_reply_sessions, d19.first_response_seconds) == (4, Decimal("63.25"))
    # Inquiries: c1 (s1) and c2 (s2, begun 23:58 on the 18th) both pay; c8 never does.
    assert (d18.inquirers, d18.inquiry_conversion_final) == (2, Decimal("1.0000"))
    assert (d19.inquirers, d19.inquiry_conversion_final) == (1, Decimal("0.0000"))
    # Sales by creation day: o1 ¥88.00 + o5 ¥11.11 (created 23:59:30) on the 18th; o2 ¥50.50.
    assert (d18.sales_amount, d18.paid_orders) == (Decimal("99.11"), 2)
    assert (d19.sales_amount, d19.paid_orders) == (Decimal("50.50"), 1)


def test_the_days_agree_with_the_agent_report(detail_shop: Lake) -> None:
    days = _days(detail_shop)
    report = {
        r.unit: r
        for r in agent_reports(
            chat_messages=detail_shop.table("chat_messages"),
            orders=detail_shop.table("orders"),
            refunds=detail_shop.table("refunds"),
            period=PERIOD,
            time_zone=TZ,
            arrow=detail_shop.arrow,
        )
    }["kf1"]
    assert (
        sum((d.sales_amount for d in days), Decimal(0)) == report.sales_amount == Decimal("149.61")
    )
    assert sum(d.inquirers for d in days) == report.inquirers == 3
    first = sum(d.first_response_seconds_sum for d in days) / sum(
        d.first_reply_sessions for d in days
    )
    assert round(Decimal(first), 2) == report.first_response_seconds == Decimal("84.17")  # 505/6
    average = sum(d.response_seconds_sum for d in days) / sum(d.rounds_answered for d in days)
    assert round(Decimal(average), 3) == Decimal("71.875")  # 575 ÷ 8
    assert report.avg_response_seconds == Decimal("71.88")
    quick = Decimal(sum(d.quick_answered for d in days)) / sum(d.quick_rounds for d in days)
    assert round(quick, 4) == report.three_minute_rate == Decimal("0.5714")  # 4 ÷ 7
    assert report.reply_rate == Decimal("0.8889")  # 8 answered ÷ 9 owned
    # Distinct customers do not add up: c1 was received on both days.
    assert report.received_customers == 6 and sum(d.received_customers for d in days) == 7


def test_response_distribution_by_hand(detail_shop: Lake) -> None:
    dist = agent_detail.response_distribution(_facts(detail_shop), PERIOD, "kf1", detail_shop.arrow)
    # Answered rounds sorted: 8, 12, 15, 25, 30, 45, 200, 240 (s5's 10 s is on the 17th).
    assert dist.rounds == 8
    assert dist.buckets == [
        Bucket(None, 10, 1, Decimal("0.1250")),  # 8
        Bucket(10, 20, 2, Decimal("0.2500")),  # 12, 15
        Bucket(20, 30, 2, Decimal("0.2500")),  # 25, 30 (30 is inside: upper edges inclusive)
        Bucket(30, 60, 1, Decimal("0.1250")),  # 45
        Bucket(60, 180, 0, Decimal("0.0000")),
        Bucket(180, None, 2, Decimal("0.2500")),  # 200, 240
    ]
    # Median: rank 0.5 × 7 = 3.5 → 25 + 0.5 × (30 − 25) = 27.5.
    # 90th percentile: rank 0.9 × 7 = 6.3 → 200 + 0.3 × (240 − 200) = 212.
    assert (dist.median_seconds, dist.p90_seconds) == (Decimal("27.50"), Decimal("212.00"))


def test_stage_mix_by_hand(detail_shop: Lake) -> None:
    mix = agent_detail.stage_mix(detail_shop.arrow, _facts(detail_shop, PERIOD), PERIOD, "kf1")
    # Pre-sale s1, s2, s8; in-sale s3, s7; after-sale s4. s5 began on the 17th; s6 is kf2's.
    assert mix == [
        StageShare("pre_sale", 3, Decimal("0.5000")),
        StageShare("in_sale", 2, Decimal("0.3333")),
        StageShare("after_sale", 1, Decimal("0.1667")),
    ]


def test_slowest_rounds(detail_shop: Lake) -> None:
    rows = detail_shop.arrow(
        agent_detail.slowest_rounds(_facts(detail_shop), PERIOD, "kf1", 3)
    ).to_pylist()
    got = [(r["session_id"], r["round_no"], r["customer_key"], r["response_seconds"]) for r in rows]
    assert got == [("s2", 1, "c2", 240), ("s4", 1, "c4", 200), ("s1", 2, "c1", 45)]
    assert (rows[0]["started_at"], rows[0]["answered_at"]) == (
        utc(f"{D} 23:58:00"),
        utc(f"{N} 00:02:00"),
    )


def test_an_empty_period_has_no_figures(detail_shop: Lake) -> None:
    july = Period(dt.date(2024, 7, 1), dt.date(2024, 7, 2))
    days = _days(detail_shop, july)
    assert [d.day for d in days] == [dt.date(2024, 7, 1), dt.date(2024, 7, 2)]
    assert not any(d.has_activity for d in days)
    assert days[0].avg_response_seconds is None and days[0].sales_amount == Decimal("0.00")
    dist = agent_detail.response_distribution(
        _facts(detail_shop, july), july, "kf1", detail_shop.arrow
    )
    assert dist.rounds == 0 and dist.median_seconds is None
    assert {b.share for b in dist.buckets} == {None}
    mix = agent_detail.stage_mix(detail_shop.arrow, _facts(detail_shop, july), july, "kf1")
    assert [(s.sessions, s.share) for s in mix] == [(0, None)] * 3


def test_the_report_over_an_agents_customers_is_that_agents_report(detail_shop: Lake) -> None:
    """``customers_of`` reads a fraction of the chats yet changes none of the agent's
    figures (the detail page computes the agent's report that way)."""
    chats, orders = detail_shop.table("chat_messages"), detail_shop.table("orders")

    def reports(chat_messages: object) -> dict[str, object]:
        return {
            r.unit: r
            for r in agent_reports(
                chat_messages=chat_messages,
                orders=orders,
                refunds=detail_shop.table("refunds"),
                period=PERIOD,
                time_zone=TZ,
                arrow=detail_shop.arrow,
            )
        }

    whole = reports(chats)
    for agent in ("kf1", "kf2"):
        scoped = agent_detail.customers_of(chats, agent)
        kept = detail_shop.arrow(scoped.session_id.nunique()).as_py()
        assert kept == {"kf1": 7, "kf2": 2}[agent]  # kf2: s2 and s6 of 8 sessions
        assert reports(scoped)[agent] == whole[agent]
