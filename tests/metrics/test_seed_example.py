"""SPEC §3's worked example rebuilt from raw chat and order rows, then scored.

The seed gives three agents' figures for 30 days; here each figure is produced by chats and
orders designed for it, and the lake → agent report → scorecard path must give them back.
June 2025, Shanghai time. For an agent with n inquirers of whom k converted, o attributed
orders of which p were paid by b buyers:

- every inquirer has one pre-sale session on day D = 1 + i mod 20 starting at 09:00 + i min:
  customer at t0, the agent at t0 + ST, customer at t0 + 100 s, the agent at t0 + 100 + R2,
  with R2 = 2·PT − ST, so the first response is ST and the mean of the two rounds is PT;
- inquirers 0 … b−1 buy: their p paid orders are created at t0 + 2 h (inside the 72 h
  attribution window) and paid 5 minutes later; the sales total is AOV × b, spread over the
  orders (the cents left over go to the first order);
- inquirers b … k−1 convert late: an order created on day D+3 at 20:00 (83 h after the
  agent's last message, so nobody's) and paid at 20:05, by the end of the third day: they
  count as converted but not as the agent's sales; ¥50.00 each;
- the next o − p inquirers leave an attributed order unpaid (closed the next day);
- the agent's first `returns` paid orders get a return-refund request on day D+3.

Store AOV (paid amount of June's orders ÷ their payers) must be 66.30: the agents' buyers
and late converters pay 6,884.24 + 18,994.30 + 16,394.40 + 369 × 50.00 = 60,722.94 from
88 + 582 + 232 = 902 payers; 100 shoppers who never chat pay the rest of
66.30 × 1,002 = 66,432.60, i.e. 5,709.66 (99 × 57.10 + 56.76).

By hand (SPEC §3): A 88/275 = 32 % → 70 ×30 %, 228/240 = 95 % → 100 ×25 %,
78.23/66.30 = 1.1799 → 70 ×20 %, ST 13 → 90 ×10 %, PT 21 → 90 ×5 %, 6 returns → 80 ×5 %
= 21 + 25 + 14 + 9 + 4.5 + 4 = 77.5; B 582/1455 = 40 % → 90, 247/325 = 76 % → 80,
76.90/66.30 = 1.1599 → 60, 8 → 100, 19 → 100, 23 → 0 = 27 + 20 + 12 + 10 + 5 + 0 = 74;
C 232/800 = 29 % → 60, 198/225 = 88 % → 90, 82.80/66.30 = 1.2489 → 100, 16 → 80, 27 → 80,
0 → 100 = 18 + 22.5 + 20 + 8 + 4 + 5 = 77.5.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

import pyarrow as pa
import pytest
from django.core.management import call_command

from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics import scorecard
from guanxi.metrics.agents import KEYS
from tests.factories import reports_by_agent

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
JUNE = Period(parse_day("2025-06-01"), parse_day("2025-06-30"))


@dataclass(frozen=True)
class Seed:
    agent: str
    inquirers: int  # n
    converted: int  # k
    orders: int  # o, attributed orders created
    paid: int  # p
    buyers: int  # b, distinct payers of the agent's orders
    aov: Decimal
    first_response: int  # ST, seconds
    avg_response: int  # PT, seconds
    returns: int


SEEDS = [
    Seed("A", 275, 88, 240, 228, 88, Decimal("78.23"), 13, 21, 6),
    Seed("B", 1455, 582, 325, 247, 247, Decimal("76.90"), 8, 19, 23),
    Seed("C", 800, 232, 225, 198, 198, Decimal("82.80"), 16, 27, 0),
]
LATE_AMOUNT = Decimal("50.00")


def _local(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2025, 6, day, hour, minute, second, tzinfo=SHANGHAI).astimezone(dt.UTC)


class Rows:
    def __init__(self) -> None:
        self.messages: list[dict[str, object]] = []
        self.orders: list[dict[str, object]] = []
        self.refunds: list[dict[str, object]] = []

    def message(self, session: str, customer: str, agent: str | None, at: dt.datetime) -> None:
        self.messages.append(
            {
                "platform": "taobao",
                "message_id": f"m{len(self.messages):06d}",
                "session_id": session,
                "customer_key": customer,
                "agent_id": agent,
                "sender": "agent" if agent else "customer",
                "sent_at": at,
                "text": "…",
            }
        )

    def order(
        self,
        customer: str,
        created: dt.datetime,
        amount: Decimal,
        *,
        paid: bool = True,
    ) -> str:
        order_id = f"o{len(self.orders):06d}"
        self.orders.append(
            {
                "platform": "taobao",
                "order_id": order_id,
                "customer_key": customer,
                "created_at": created,
                "paid_at": created + dt.timedelta(minutes=5) if paid else None,
                "shipped_at": None,
                "signed_at": None,
                "closed_at": None if paid else created + dt.timedelta(days=1),
                "status": "paid" if paid else "closed",
                "amount": amount,
                "item_count": 1,
            }
        )
        return order_id

    def refund(self, order_id: str, customer: str, at: dt.datetime, amount: Decimal) -> None:
        self.refunds.append(
            {
                "platform": "taobao",
                "refund_id": f"r{len(self.refunds):06d}",
                "order_id": order_id,
                "customer_key": customer,
                "requested_at": at,
                "completed_at": None,
                "kind": "return_refund",
                "reason": "尺码不合适",
                "quality_issue": False,
                "amount": amount,
                "status": "processing",
            }
        )


def _agent_rows(rows: Rows, seed: Seed) -> tuple[Decimal, int]:
    """Write ``seed``'s chats and orders; return (paid amount, payers) for the store."""
    second_reply = 2 * seed.avg_response - seed.first_response
    total_cents = int(seed.aov * 100) * seed.buyers
    share, leftover = divmod(total_cents, seed.paid)
    paid_written = returns_written = 0
    store_paid, store_payers = Decimal(0), 0
    for i in range(seed.inquirers):
        customer, session = f"{seed.agent}-c{i}", f"{seed.agent}-s{i}"
        day = 1 + i % 20
        t0 = _local(day, 9) + dt.timedelta(minutes=i // 20)
        rows.message(session, customer, None, t0)
        rows.message(session, customer, seed.agent, t0 + dt.timedelta(seconds=seed.first_response))
        rows.message(session, customer, None, t0 + dt.timedelta(seconds=100))
        rows.message(session, customer, seed.agent, t0 + dt.timedelta(seconds=100 + second_reply))
        if i < seed.buyers:
            count = seed.paid // seed.buyers + (1 if i < seed.paid % seed.buyers else 0)
            for _ in range(count):
                cents = share + (leftover if paid_written == 0 else 0)
                amount = Decimal(cents) / 100
                order_id = rows.order(customer, t0 + dt.timedelta(hours=2), amount)
                if returns_written < seed.returns:
                    rows.refund(order_id, customer, _local(day + 3, 10), amount)
                    returns_written += 1
                paid_written += 1
                store_paid += amount
            store_payers += 1
        elif i < seed.converted:
            rows.order(customer, _local(day + 3, 20), LATE_AMOUNT)
            store_paid += LATE_AMOUNT
            store_payers += 1
        elif i < seed.converted + seed.orders - seed.paid:
            rows.order(customer, t0 + dt.timedelta(hours=2), Decimal("99.00"), paid=False)
    assert paid_written == seed.paid and returns_written == seed.returns
    return store_paid, store_payers


def _write(lake: Lake) -> None:
    rows = Rows()
    paid, payers = Decimal(0), 0
    for seed in SEEDS:
        amount, count = _agent_rows(rows, seed)
        paid, payers = paid + amount, payers + count
    assert (paid, payers) == (Decimal("60722.94"), 902)  # the module docstring's sums
    silent = 100
    rest = Decimal("66.30") * (payers + silent) - paid
    assert rest == Decimal("5709.66")
    for j in range(silent):
        amount = Decimal("57.10") if j < silent - 1 else rest - Decimal("57.10") * (silent - 1)
        rows.order(f"shopper{j}", _local(25, 15), amount)
    lake.write("chat_messages", pa.Table.from_pylist(rows.messages))
    lake.write("orders", pa.Table.from_pylist(rows.orders))
    lake.write("refunds", pa.Table.from_pylist(rows.refunds))


@pytest.fixture
def seed_shop(lake: Lake) -> Lake:
    _write(lake)
    return lake


def test_agent_figures_are_the_seeds(seed_shop: Lake) -> None:
    reports = reports_by_agent(seed_shop, JUNE)
    for seed in SEEDS:
        r = reports[seed.agent]
        assert r.inquirers == seed.inquirers
        assert r.inquiry_conversion_final == Decimal(seed.converted) / seed.inquirers
        assert r.payment_rate == Decimal(seed.paid) / seed.orders
        assert r.buyers == seed.buyers
        assert r.aov == seed.aov
        assert r.first_response_seconds == seed.first_response
        assert r.avg_response_seconds == seed.avg_response
        assert r.returns == seed.returns
    # 78.23 / 66.30, 76.90 / 66.30, 82.80 / 66.30 to four places
    assert [reports[s.agent].aov_ratio for s in SEEDS] == [
        Decimal("1.1799"),
        Decimal("1.1599"),
        Decimal("1.2489"),
    ]


@pytest.mark.django_db
def test_scorecard_from_the_lake_gives_the_seeds_totals(seed_shop: Lake) -> None:
    out = StringIO()
    call_command(
        "scorecard", "--from", "2025-06-01", "--to", "2025-06-30", "--format", "json", stdout=out
    )
    scores = {s["agent"]: s for s in json.loads(out.getvalue())}
    assert {a: s["total"] for a, s in scores.items()} == {"A": 77.5, "B": 74.0, "C": 77.5}
    points = {a: [i["score"] for i in s["items"]] for a, s in scores.items()}
    assert points == {
        "A": [70, 100, 70, 90, 90, 80],
        "B": [90, 80, 60, 100, 100, 0],
        "C": [60, 90, 100, 80, 80, 100],
    }
    card = scorecard.load(None, KEYS)
    assert [i.metric for i in card.items] == [i["metric"] for i in scores["A"]["items"]]
