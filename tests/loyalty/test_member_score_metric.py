"""The member score (会员成长值, 淘气值-style) counted over the lake, on DuckDB and on Spark.

The worked example of docs/customers.md, customer W, as of 2025-06-30 (Shanghai days), the
window 2024-07-01 … 2025-06-30, the default rules:

- paid in the window: 4 orders, 300.00 + 400.00 + 234.50 + 300.00 = 1234.50; an order paid
  2023-09-15 (its first, outside the window); a fifth order placed in the window, unpaid;
  an order placed and paid on 2025-07-01 (after the as-of date: not counted anywhere);
- reviews in the window: 3, two with ≥ 20 characters; 4 more before it (7 ever);
- 2 DSR ratings and 5 chat sessions in the window (one of each before it);
- refunds in the window: one not for quality (−25), one for a quality issue (no penalty);
  one before the window (not counted);
- profile: 6 of 8 fields filled.

purchase    = min(⌊1234.50 × 0.2⌋ = ⌊246.9⌋, 1200) + min(4 × 15, 300)     = 246 + 60 = 306
interaction = min(3×10 + 2×10 + 2×5 + min(5×2, 40), 500) = 30 + 20 + 10 + 10    = 70
credit      = ⌊200 × 6 ÷ 8⌋ = 150
            + min(21 months × 10, 240) = 210   (2023-09-15 → 2025-06-30: 21 whole months)
            + ⌊200 × 4 ÷ 5⌋ = 160              (4 of the 5 orders placed in the window paid)
            + max(200 − 1 × 25, 0) = 175
            + min(7 × 5, 160) = 35                                              = 730
score       = 306 + 70 + 730 = 1106 → 超级会员 (1000 ≤ 1106 < 2500), perk 尊享礼遇 (≥ 800)

N is in the master only (8 of 8 fields): 200 points of credit, nothing else → 普通会员, no
perk. Z has a paid order but is not in the master (erased): no row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from guanxi.lake import Lake
from guanxi.loyalty.rules import MemberRules
from guanxi.metrics.member_score import member_scores
from tests.engines import ENGINES, installed_lake
from tests.factories import orders_table, utc

TZ = "Asia/Shanghai"
AS_OF = dt.date(2025, 6, 30)
DEFAULT = MemberRules()
LONG = "质量很好，包装也很结实，物流很快，客服很耐心，下次还来"  # 27 characters


@pytest.fixture(params=ENGINES)
def lake(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Lake]:
    if request.param == "pyspark":
        request.getfixturevalue("spark_session")
    yield from installed_lake(tmp_path / "lake", request.param)


def _write_example(lake: Lake) -> None:
    lake.write(
        "orders",
        orders_table(
            [
                ("w1", "W", "2024-07-01 00:10:00", "2024-07-01 00:20:00", "300.00"),
                ("w2", "W", "2024-12-01 10:00:00", "2024-12-01 10:05:00", "400.00"),
                ("w3", "W", "2025-03-01 10:00:00", "2025-03-01 10:05:00", "234.50"),
                ("w4", "W", "2025-06-30 23:50:00", "2025-06-30 23:59:59", "300.00"),
                ("w5", "W", "2025-05-01 10:00:00", None, "88.00"),  # placed, never paid
                ("w0", "W", "2023-09-15 09:00:00", "2023-09-15 09:30:00", "99.00"),
                ("w6", "W", "2025-07-01 00:00:01", "2025-07-01 00:00:05", "500.00"),
                ("z1", "Z", "2025-06-01 10:00:00", "2025-06-01 10:01:00", "1000.00"),
            ]
        ),
    )
    reviews = [
        ("2025-06-02 10:00:00", "好"),
        ("2025-01-02 10:00:00", LONG),
        ("2024-07-02 10:00:00", LONG + "!"),
        ("2024-06-30 23:00:00", LONG),  # the day before the window
        ("2024-01-01 10:00:00", None),
        ("2023-12-01 10:00:00", "一般"),
        ("2023-10-01 10:00:00", LONG),
    ]
    n = len(reviews)
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "review_id": [f"v{i}" for i in range(n)],
                "order_id": [None] * n,
                "product_id": [None] * n,
                "customer_key": ["W"] * n,
                "created_at": [utc(r[0]) for r in reviews],
                "rating": [5] * n,
                "text": [r[1] for r in reviews],
            }
        ),
    )
    rated = ["2025-02-01 10:00:00", "2025-06-30 12:00:00", "2024-06-15 10:00:00"]
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["taobao"] * 3,
                "order_id": ["d1", "d2", "d3"],
                "customer_key": ["W"] * 3,
                "rated_at": [utc(t) for t in rated],
                "description": [5] * 3,
                "service": [5] * 3,
                "logistics": [5] * 3,
            },
            schema=lake.table("dsr_ratings").schema().to_pyarrow(),
        ),
    )
    refunds = [
        ("2025-04-01 10:00:00", False),
        ("2025-05-01 10:00:00", True),
        ("2024-05-01 10:00:00", False),  # before the window
    ]
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"] * 3,
                "refund_id": ["r1", "r2", "r3"],
                "order_id": ["w2", "w3", "w0"],
                "customer_key": ["W"] * 3,
                "requested_at": [utc(r[0]) for r in refunds],
                "completed_at": [None] * 3,
                "kind": ["refund_only", "return_refund", "refund_only"],
                "reason": ["不想要了"] * 3,
                "quality_issue": [r[1] for r in refunds],
                "amount": [Decimal("10.00")] * 3,
                "status": ["success"] * 3,
            }
        ),
    )


def _sessions() -> ibis.Table:
    times = [
        "2024-07-01 08:00:00",
        "2024-10-01 08:00:00",
        "2025-01-01 08:00:00",
        "2025-04-01 08:00:00",
        "2025-06-30 08:00:00",
        "2024-06-30 08:00:00",  # before the window
    ]
    return ibis.memtable(pa.table({"customer_key": ["W"] * 6, "first_at": [utc(t) for t in times]}))


def _profiles(rows: list[tuple[str, int, int]]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "customer_key": [r[0] for r in rows],
                "filled": pa.array([r[1] for r in rows], pa.int64()),
                "fields": pa.array([r[2] for r in rows], pa.int64()),
            }
        )
    )


def _scores(lake: Lake, profiles: ibis.Table, rules: MemberRules = DEFAULT) -> dict:
    expr = member_scores(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        dsr_ratings=lake.table("dsr_ratings"),
        sessions=_sessions(),
        profiles=profiles,
        as_of=AS_OF,
        time_zone=TZ,
        rules=rules,
    )
    return {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}


def test_the_worked_example(lake: Lake) -> None:
    _write_example(lake)
    rows = _scores(lake, _profiles([("W", 6, 8), ("N", 8, 8)]))
    assert set(rows) == {"W", "N"}  # Z is not in the master
    w = rows["W"]
    assert (w["paid_amount"], w["paid_orders"], w["placed_orders"], w["placed_paid"]) == (
        Decimal("1234.50"),
        4,
        5,
        4,
    )
    assert (w["reviews"], w["long_reviews"], w["reviews_ever"]) == (3, 2, 7)
    assert (w["dsr_ratings"], w["sessions"], w["refunds_at_fault"]) == (2, 5, 1)
    assert (w["history_months"], w["filled"], w["fields"]) == (21, 6, 8)
    assert (w["amount_points"], w["orders_points"]) == (246, 60)
    assert (w["review_points"], w["long_review_points"], w["dsr_points"]) == (30, 20, 10)
    assert w["session_points"] == 10
    assert (
        w["profile_points"],
        w["history_points"],
        w["payment_points"],
        w["compliance_points"],
        w["review_history_points"],
    ) == (150, 210, 160, 175, 35)
    assert (w["purchase"], w["interaction"], w["credit"], w["score"]) == (306, 70, 730, 1106)
    assert (w["tier"], w["perk"]) == ("super", "premium")
    n = rows["N"]
    assert (n["purchase"], n["interaction"], n["credit"], n["score"]) == (0, 0, 200, 200)
    assert (n["tier"], n["perk"], n["history_months"]) == ("ordinary", "", 0)


def test_caps_hold(lake: Lake) -> None:
    # Tight caps: amount 100, orders 20, sessions 4, interaction 35, history 50, reviews 10.
    _write_example(lake)
    rules = MemberRules(
        amount_cap=100,
        orders_cap=20,
        session_cap=4,
        interaction_cap=35,
        history_cap=50,
        review_history_cap=10,
        super_from=300,
        apass_from=600,
        perk_daily_from=100,
        perk_premium_from=200,
    )
    w = _scores(lake, _profiles([("W", 6, 8)]), rules)["W"]
    # purchase 100 + 20; interaction min(30 + 20 + 10 + 4, 35) = 35;
    # credit 150 + 50 + 160 + 175 + 10 = 545; score 120 + 35 + 545 = 700 ≥ 600 → apass
    assert (w["purchase"], w["interaction"], w["credit"], w["score"]) == (120, 35, 545, 700)
    assert (w["session_points"], w["tier"], w["perk"]) == (4, "apass", "premium")


def test_tier_and_perk_boundaries(lake: Lake) -> None:
    # Only the profile counts here, at 1 point per field filled of 10,000: score = filled.
    lake.write("orders", orders_table([("x1", "X", "2025-06-01 10:00:00", None, "1.00")]))
    rules = MemberRules(profile_points=10_000)
    edges = [399, 400, 799, 800, 999, 1000, 2499, 2500]
    rows = _scores(lake, _profiles([(f"c{s}", s, 10_000) for s in edges]), rules)
    got = {int(k[1:]): (r["score"], r["tier"], r["perk"]) for k, r in rows.items()}
    assert got == {
        399: (399, "ordinary", ""),
        400: (400, "ordinary", "daily"),
        799: (799, "ordinary", "daily"),
        800: (800, "ordinary", "premium"),
        999: (999, "ordinary", "premium"),
        1000: (1000, "super", "premium"),
        2499: (2499, "super", "premium"),
        2500: (2500, "apass", "premium"),
    }
    assert [rules.tier_of(s) for s in edges] == [r[1] for r in got.values()]


def test_without_the_master_every_lake_customer_scores(lake: Lake) -> None:
    _write_example(lake)
    expr = member_scores(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        as_of=AS_OF,
        time_zone=TZ,
        rules=MemberRules(),
    )
    rows = {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}
    # W: no DSR, no sessions, no profile: interaction 30 + 20 = 50; credit 210 + 160 + 175
    # + 35 = 580; score 306 + 50 + 580 = 936. Z: ⌊1000 × 0.2⌋ = 200 + 15; credit: paid
    # since 2025-06-01 (0 whole months), 1 of 1 paid → 200, compliance 200: 615.
    assert (rows["W"]["interaction"], rows["W"]["credit"], rows["W"]["score"]) == (50, 580, 936)
    assert (rows["Z"]["purchase"], rows["Z"]["credit"], rows["Z"]["score"]) == (215, 400, 615)
