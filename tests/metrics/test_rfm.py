"""RFM at an as-of date (SPEC §9) on ten hand-computed customers, on each engine.

As of 2025-06-30 (Asia/Shanghai days). Paid orders (local payment day, amount):

| customer | paid orders                                         | R   | F | M       |
|----------|-----------------------------------------------------|-----|---|---------|
| A        | 06-30 23:59:59 100, 06-01 200, 05-01 300            | 0   | 3 | 600.00  |
| B        | 06-28 50, 06-20 50                                  | 2   | 2 | 100.00  |
| C        | 06-28 1000 (one order)                              | 2   | 1 | 1000.00 |
| D        | 06-20 80 (one order; another paid 07-01 00:00:05)   | 10  | 1 | 80.00   |
| E        | 06-10 80, 06-05 20                                  | 20  | 2 | 100.00  |
| F        | 05-31 500 (one order)                               | 30  | 1 | 500.00  |
| G        | 04-01, 03-01, 02-01, 01-01, 100 each                | 90  | 4 | 400.00  |
| H        | 2025-01-01 60 (one order)                           | 180 | 1 | 60.00   |
| I        | 2024-12-31 23:30 2000 (one order; 15:30 UTC)        | 181 | 1 | 2000.00 |
| J        | 2024-07-01 10, 2024-06-30 10                        | 364 | 2 | 20.00   |

K only placed an unpaid order, L paid only after the as-of date: neither has an RFM row.
R: 2025-01-01 → 2025-06-30 is 31+28+31+30+31+29 = 180 days; 2024-07-01 → 2025-06-30 is 364.

Scores, n = 10: score = 1 + ⌊5 × b ÷ 10⌋, b = customers with a strictly worse value.
- R (worse = more days): A b=9 → 5; B, C b=7 → 1+⌊3.5⌋ = 4 (a tie at the quintile edge:
  by position they would be 4 and 5, here both 4); D b=6 → 4; E b=5 → 3; F b=4 → 3;
  G b=3 → 2; H b=2 → 2; I b=1 → 1; J b=0 → 1.
- F: the five one-order customers (C D F H I) b=0 → 1; B E J (2 orders) b=5 → 1+⌊2.5⌋ = 3;
  A (3) b=8 → 5; G (4) b=9 → 5.
- M: J 20 b=0 → 1; H 60 b=1 → 1; D 80 b=2 → 2; B, E 100 b=3 → 1+⌊1.5⌋ = 2 (by position 2
  and 3: the tie straddles an edge); G 400 b=5 → 3; F 500 b=6 → 4; A 600 b=7 → 4;
  C 1000 b=8 → 5; I 2000 b=9 → 5.
Groups, high = score ≥ 3: A HHH 重要价值; B HHL 一般价值; C HLH 重要发展; D HLL 一般发展;
E HHL 一般价值; F HLH 重要发展; G LHH 重要保持; H LLL 一般挽留; I LLH 重要挽留;
J LHL 一般保持 — all eight groups.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.lake import Lake
from guanxi.metrics.customers import RFM_GROUPS, rfm, rfm_scores, rfm_values
from guanxi.metrics.rules import RfmRules, RuleError
from tests.factories import utc

TZ = "Asia/Shanghai"
AS_OF = dt.date(2025, 6, 30)

PAID = [
    ("A", "2025-06-30 23:59:59", "100.00"),
    ("A", "2025-06-01 10:00:00", "200.00"),
    ("A", "2025-05-01 10:00:00", "300.00"),
    ("B", "2025-06-28 10:00:00", "50.00"),
    ("B", "2025-06-20 10:00:00", "50.00"),
    ("C", "2025-06-28 09:00:00", "1000.00"),
    ("D", "2025-06-20 10:00:00", "80.00"),
    ("D", "2025-07-01 00:00:05", "999.00"),  # paid after the as-of date: not counted
    ("E", "2025-06-10 10:00:00", "80.00"),
    ("E", "2025-06-05 10:00:00", "20.00"),
    ("F", "2025-05-31 10:00:00", "500.00"),
    ("G", "2025-04-01 10:00:00", "100.00"),
    ("G", "2025-03-01 10:00:00", "100.00"),
    ("G", "2025-02-01 10:00:00", "100.00"),
    ("G", "2025-01-01 10:00:00", "100.00"),
    ("H", "2025-01-01 10:00:00", "60.00"),
    ("I", "2024-12-31 23:30:00", "2000.00"),
    ("J", "2024-07-01 10:00:00", "10.00"),
    ("J", "2024-06-30 10:00:00", "10.00"),
    ("L", "2025-07-02 10:00:00", "70.00"),
]


def _orders(lake: Lake) -> None:
    rows: list[tuple[str, str, str, str | None, str]] = [
        (f"o{i}", c, paid, paid, amount) for i, (c, paid, amount) in enumerate(PAID)
    ]
    rows.append(("o-k", "K", "2025-06-29 10:00:00", None, "35.00"))
    n = len(rows)
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": [r[0] for r in rows],
                "customer_key": [r[1] for r in rows],
                # created a minute before payment (the D order paid after midnight was
                # created on the as-of date)
                "created_at": [utc(r[2]) - dt.timedelta(minutes=1) for r in rows],
                "paid_at": [utc(r[3]) if r[3] else None for r in rows],
                "shipped_at": [None] * n,
                "signed_at": [None] * n,
                "closed_at": [None] * n,
                "status": ["paid" if r[3] else "created" for r in rows],
                "amount": [Decimal(r[4]) for r in rows],
                "item_count": [1] * n,
            }
        ),
    )


def _rows(lake: Lake, **options) -> dict[str, dict]:
    expr = rfm(lake.table("orders"), as_of=AS_OF, time_zone=TZ, **options)
    return {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}


def test_recency_frequency_monetary_at_the_as_of_date(lake: Lake) -> None:
    _orders(lake)
    rows = _rows(lake)
    got = {k: (r["recency_days"], r["frequency"], r["monetary"]) for k, r in rows.items()}
    assert got == {
        "A": (0, 3, Decimal("600.00")),
        "B": (2, 2, Decimal("100.00")),
        "C": (2, 1, Decimal("1000.00")),
        "D": (10, 1, Decimal("80.00")),
        "E": (20, 2, Decimal("100.00")),
        "F": (30, 1, Decimal("500.00")),
        "G": (90, 4, Decimal("400.00")),
        "H": (180, 1, Decimal("60.00")),
        "I": (181, 1, Decimal("2000.00")),
        "J": (364, 2, Decimal("20.00")),
    }
    assert rows["I"]["last_paid_day"] == dt.date(2024, 12, 31)  # 15:30 UTC is 23:30 local


def test_scores_with_ties_at_quintile_edges_and_groups(lake: Lake) -> None:
    _orders(lake)
    rows = _rows(lake)
    scores = {k: (r["r_score"], r["f_score"], r["m_score"], r["group"]) for k, r in rows.items()}
    assert scores == {
        "A": (5, 5, 4, "重要价值"),
        "B": (4, 3, 2, "一般价值"),
        "C": (4, 1, 5, "重要发展"),
        "D": (4, 1, 2, "一般发展"),
        "E": (3, 3, 2, "一般价值"),
        "F": (3, 1, 4, "重要发展"),
        "G": (2, 5, 3, "重要保持"),
        "H": (2, 1, 1, "一般挽留"),
        "I": (1, 1, 5, "重要挽留"),
        "J": (1, 3, 1, "一般保持"),
    }
    assert {r["group_key"] for r in rows.values()} == {g.key for g in RFM_GROUPS}
    assert (rows["G"]["r_high"], rows["G"]["f_high"], rows["G"]["m_high"]) == (False, True, True)


def test_high_score_rule_is_configurable(lake: Lake) -> None:
    _orders(lake)
    rows = _rows(lake, rules=RfmRules(high_score=5))
    # only 5s are high now: A R5 F5 M4 → HHL 一般价值; C R4 F1 M5 → LLH 重要挽留;
    # G R2 F5 M3 → LHL 一般保持; I R1 F1 M5 → LLH 重要挽留; the rest LLL 一般挽留
    groups = {k: r["group"] for k, r in rows.items()}
    assert groups == {
        "A": "一般价值",
        "B": "一般挽留",
        "C": "重要挽留",
        "D": "一般挽留",
        "E": "一般挽留",
        "F": "一般挽留",
        "G": "一般保持",
        "H": "一般挽留",
        "I": "重要挽留",
        "J": "一般挽留",
    }


def test_equal_customers_share_the_lowest_score(lake: Lake) -> None:
    # Three customers with the same single order: b = 0 for all three, so 1, 1, 1 (a lone
    # customer scores 1 too: nobody is worse) — and all 一般挽留 under score ≥ 3.
    n = 3
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": ["x1", "x2", "x3"],
                "customer_key": ["P", "Q", "R"],
                "created_at": [utc("2025-06-01 10:00:00")] * n,
                "paid_at": [utc("2025-06-01 10:00:00")] * n,
                "shipped_at": [None] * n,
                "signed_at": [None] * n,
                "closed_at": [None] * n,
                "status": ["paid"] * n,
                "amount": [Decimal("9.90")] * n,
                "item_count": [1] * n,
            }
        ),
    )
    rows = _rows(lake)
    assert {(r["r_score"], r["f_score"], r["m_score"], r["group"]) for r in rows.values()} == {
        (1, 1, 1, "一般挽留")
    }
    assert {r["recency_days"] for r in rows.values()} == {29}  # 06-01 → 06-30


def _refunds(lake: Lake) -> None:
    rows = [
        # order, customer, requested, completed, status, amount
        ("o5", "C", "2025-06-29 10:00:00", "2025-06-29 12:00:00", "success", "1000.00"),
        ("o16", "I", "2025-06-30 20:00:00", None, "success", "500.00"),  # no completion time
        ("o0", "A", "2025-06-30 20:00:00", None, "processing", "100.00"),  # not refunded yet
        ("o3", "B", "2025-06-29 10:00:00", "2025-07-01 09:00:00", "success", "50.00"),  # later
        ("o-k", "K", "2025-06-29 12:00:00", "2025-06-29 13:00:00", "success", "35.00"),  # unpaid
    ]
    n = len(rows)
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "refund_id": [f"r{i}" for i in range(n)],
                "order_id": [r[0] for r in rows],
                "customer_key": [r[1] for r in rows],
                "requested_at": [utc(r[2]) for r in rows],
                "completed_at": [utc(r[3]) if r[3] else None for r in rows],
                "kind": ["refund_only"] * n,
                "reason": ["不想要了"] * n,
                "quality_issue": [False] * n,
                "amount": [Decimal(r[5]) for r in rows],
                "status": [r[4] for r in rows],
            }
        ),
    )


def test_refunds_are_deducted_only_when_configured(lake: Lake) -> None:
    _orders(lake)
    _refunds(lake)
    plain = _rows(lake, refunds=lake.table("refunds"))
    assert (plain["C"]["monetary"], plain["I"]["monetary"]) == (
        Decimal("1000.00"),
        Decimal("2000.00"),
    )
    net = _rows(lake, refunds=lake.table("refunds"), rules=RfmRules(deduct_refunds=True))
    # C 1000 − 1000 = 0.00; I 2000 − 500 = 1500.00 (completion unknown: requested on the
    # as-of date counts); A's refund is still processing and B's completed on 07-01: kept
    assert {k: r["monetary"] for k, r in net.items() if k in "ABCI"} == {
        "A": Decimal("600.00"),
        "B": Decimal("100.00"),
        "C": Decimal("0.00"),
        "I": Decimal("1500.00"),
    }
    assert net["C"]["frequency"] == 1  # a refund does not undo the purchase


def test_deducting_refunds_needs_the_refunds_table() -> None:
    orders = ibis.table({"customer_key": "string", "paid_at": "timestamp"}, name="orders")
    with pytest.raises(RuleError, match=r"^deduct_refunds: "):
        rfm_values(orders, as_of=AS_OF, time_zone=TZ, rules=RfmRules(deduct_refunds=True))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"high_score": 1}, "high_score"),
        ({"high_score": 6}, "high_score"),
        ({"high_score": "3"}, "high_score"),
        ({"high_score": True}, "high_score"),
        ({"deduct_refunds": "yes"}, "deduct_refunds"),
    ],
)
def test_bad_rfm_rules_are_refused_naming_the_field(options: dict, field: str) -> None:
    with pytest.raises(RuleError, match=rf"^{field}: "):
        RfmRules(**options)


@st.composite
def _values(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    n = draw(st.integers(1, 25))
    small = st.integers(0, 6)  # few distinct values: many ties
    return [(draw(small), draw(small) + 1, draw(small) * 10) for _ in range(n)]


@settings(max_examples=40, deadline=None)
@given(values=_values())
def test_scores_are_quintiles_of_rank_with_ties_shared(values: list[tuple[int, int, int]]) -> None:
    # DuckDB only: the property is about the rule; the engines' parity is shown above.
    table = ibis.memtable(
        pa.table(
            {
                "customer_key": [f"c{i:02d}" for i in range(len(values))],
                "recency_days": pa.array([v[0] for v in values], pa.int64()),
                "frequency": pa.array([v[1] for v in values], pa.int64()),
                "monetary": pa.array([Decimal(v[2]) for v in values], pa.decimal128(38, 2)),
            }
        )
    )
    got = ibis.duckdb.connect().to_pyarrow(rfm_scores(table)).to_pylist()
    n = len(values)
    for row in got:
        r, f, m = row["recency_days"], row["frequency"], int(row["monetary"])
        worse_r = sum(v[0] > r for v in values)
        worse_f = sum(v[1] < f for v in values)
        worse_m = sum(v[2] < m for v in values)
        assert (row["r_score"], row["f_score"], row["m_score"]) == (
            1 + 5 * worse_r // n,
            1 + 5 * worse_f // n,
            1 + 5 * worse_m // n,
        )
    # equal values, equal scores; every score 1–5
    by_recency: dict[int, int] = {}
    for row in got:
        assert by_recency.setdefault(row["recency_days"], row["r_score"]) == row["r_score"]
        assert {row["r_score"], row["f_score"], row["m_score"]} <= {1, 2, 3, 4, 5}
