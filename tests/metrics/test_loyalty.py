"""Loyalty high/medium/low (SPEC §7, seed 002 §4.1) on hand-computed customers at each edge,
on each engine, every component shown.

Default rules: frequency high ≥ 4 paid orders in the window, medium ≥ 2; amount high = top
20 % of the window's buyers, medium = top 50 %; recommend (NPS) high ≥ 9, medium ≥ 7;
after-sales rating high ≥ 4.5, medium ≥ 3.5; points: high 2, medium 1, low 0, averaged over
the known components; loyalty high ≥ 1.5 with no low, medium ≥ 0.75, else low.

Ten buyers in the window (A–J), so n = 10. Amount: "above" = buyers paying strictly more.

| key | window orders | amount | above | NPS | ratings (sum/n)        |
|-----|---------------|--------|-------|-----|------------------------|
| A   | 4 high        | 1000   | 0     | 9   | 9/2 = 4.5              |
| B   | 3 medium      | 900    | 1     | 8   | 10/2 = 5.0             |
| C   | 2 medium      | 900    | 1     | –   | 12/3 = 4.0; after refund 5/1 |
| D   | 1 low         | 800    | 3     | 6   | 7/2 = 3.5              |
| E   | 5 high        | 500    | 4     | –   | 3/1 = 3.0              |
| F   | 2 medium      | 400    | 5     | –   | none; refund, no review after |
| G   | 1 low         | 300    | 6     | –   | none                   |
| H   | 4 high        | 200    | 7     | 10  | 10/2 = 5.0             |
| I   | 1 low         | 100    | 8     | 10  | 7/2 = 3.5              |
| J   | 2 medium      | 50     | 9     | 10  | none                   |

Amount: high when above × 5 < 10 × 1 (above < 2): A, B, C — B and C tie at 900, both in;
medium when above × 2 < 10 (above < 5): D, E; low: F–J. Edges: high_at 900 (smallest high
amount), medium_at 500. K paid once before the window (0 in it): frequency low, amount low.
L never paid: loyalty null.

Points and loyalty:
- A: 2+2+2+2 = 8 / 4 = 2.0 → high.
- B: 1+2+1+2 = 6 / 4 = 1.5 (the edge), none low → high.
- C: 1+2+(unknown)+2 (5.0 after the refund, not the 4.0 of all reviews) = 5 / 3 = 1.67 → high.
- D: 0+1+0+1 (3.5 is the medium edge) = 2 / 4 = 0.5 → low.
- E: 2+1+(unknown)+0 = 3 / 3 = 1.0 → medium.
- F: 1+0 = 1 / 2 = 0.5 → low (after-sales unknown: a refund but no rating).
- G: 0+0 = 0 / 2 → low.
- H: 2+0+2+2 = 6 / 4 = 1.5, but amount is low → medium.
- I: 0+0+2+1 = 3 / 4 = 0.75 (the medium edge) → medium.
- J: 1+0+2 = 3 / 3 = 1.0 → medium.
- K: 0+0 = 0 → low. L: null.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from guanxi.lake import Lake
from guanxi.metrics.loyalty import after_sales_ratings, with_loyalty
from guanxi.metrics.rules import LoyaltyRules, RuleError
from tests.factories import utc

# key, paid_orders, window orders, window amount, reviews, rating_sum
ROWS = [
    ("A", 6, 4, "1000.00", 2, 9),
    ("B", 3, 3, "900.00", 2, 10),
    ("C", 2, 2, "900.00", 3, 12),
    ("D", 1, 1, "800.00", 2, 7),
    ("E", 5, 5, "500.00", 1, 3),
    ("F", 2, 2, "400.00", 0, 0),
    ("G", 1, 1, "300.00", 0, 0),
    ("H", 4, 4, "200.00", 2, 10),
    ("I", 1, 1, "100.00", 2, 7),
    ("J", 2, 2, "50.00", 0, 0),
    ("K", 1, 0, "0.00", 0, 0),
    ("L", 0, 0, "0.00", 1, 3),
]
NPS = {"A": 9, "B": 8, "D": 6, "H": 10, "I": 10, "J": 10}
# after-sales: (reviews after the first refund, their rating sum)
AFTER = {"C": (1, 5), "F": (0, 0)}


def _rows() -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "customer_key": [r[0] for r in ROWS],
                "paid_orders": pa.array([r[1] for r in ROWS], pa.int64()),
                "trailing_paid_orders": pa.array([r[2] for r in ROWS], pa.int64()),
                "trailing_paid_amount": pa.array(
                    [Decimal(r[3]) for r in ROWS], pa.decimal128(38, 2)
                ),
                "reviews": pa.array([r[4] for r in ROWS], pa.int64()),
                "rating_sum": pa.array([r[5] for r in ROWS], pa.int64()),
            }
        )
    )


def _nps() -> ibis.Table:
    return ibis.memtable(
        pa.table({"customer_key": list(NPS), "nps": pa.array(list(NPS.values()), pa.int64())})
    )


def _after() -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "customer_key": list(AFTER),
                "after_sale_reviews": pa.array([v[0] for v in AFTER.values()], pa.int64()),
                "after_sale_rating_sum": pa.array([v[1] for v in AFTER.values()], pa.int64()),
            }
        )
    )


def _loyalty(lake: Lake, rules: LoyaltyRules | None = None) -> dict[str, dict[str, Any]]:
    expr = with_loyalty(_rows(), rules or LoyaltyRules(), nps=_nps(), after_sales=_after())
    return {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}


def test_each_customer_s_loyalty_at_the_edges(lake: Lake) -> None:
    got = _loyalty(lake)
    assert {k: r["loyalty"] for k, r in got.items()} == {
        "A": "high",
        "B": "high",
        "C": "high",
        "D": "low",
        "E": "medium",
        "F": "low",
        "G": "low",
        "H": "medium",
        "I": "medium",
        "J": "medium",
        "K": "low",
        "L": None,
    }
    points = {k: r["loyalty_components"]["points"] for k, r in got.items()}
    assert points == pytest.approx(
        {
            "A": 2.0, "B": 1.5, "C": 5 / 3, "D": 0.5, "E": 1.0, "F": 0.5, "G": 0.0,
            "H": 1.5, "I": 0.75, "J": 1.0, "K": 0.0, "L": 0.0,
        }
    )  # fmt: skip


def test_each_component_with_figure_level_and_edges(lake: Lake) -> None:
    got = _loyalty(lake)

    def levels(key: str) -> tuple[str, ...]:
        c = got[key]["loyalty_components"]
        return tuple(
            c[name]["level"] for name in ("frequency", "amount", "recommend", "after_sales")
        )

    assert levels("A") == ("high", "high", "high", "high")
    assert levels("B") == ("medium", "high", "medium", "high")
    assert levels("C") == ("medium", "high", "unknown", "high")
    assert levels("D") == ("low", "medium", "low", "medium")
    assert levels("E") == ("high", "medium", "unknown", "low")
    assert levels("F") == ("medium", "low", "unknown", "unknown")
    assert levels("H") == ("high", "low", "high", "high")
    assert levels("K") == ("low", "low", "unknown", "unknown")
    assert levels("L") == ("unknown", "unknown", "unknown", "low")
    a = got["A"]["loyalty_components"]
    assert a["frequency"] == {
        "figure": 4.0, "level": "high", "high_at": 4.0, "medium_at": 2.0,
        "basis": "window", "count": None,
    }  # fmt: skip
    # the amount's edges: the smallest high amount (the 900 tie) and the smallest medium one
    assert (a["amount"]["figure"], a["amount"]["high_at"], a["amount"]["medium_at"]) == (
        1000.0,
        900.0,
        500.0,
    )
    assert got["K"]["loyalty_components"]["amount"]["high_at"] == 900.0
    assert a["recommend"] == {
        "figure": 9.0, "level": "high", "high_at": 9.0, "medium_at": 7.0,
        "basis": "survey", "count": None,
    }  # fmt: skip
    assert a["after_sales"] == {
        "figure": 4.5, "level": "high", "high_at": 4.5, "medium_at": 3.5,
        "basis": "reviews", "count": 2,
    }  # fmt: skip
    # C: judged by the one rating after the refund (5), not by all three (12 / 3 = 4.0)
    c = got["C"]["loyalty_components"]["after_sales"]
    assert (c["figure"], c["basis"], c["count"]) == (5.0, "after_refund", 1)
    # F had a refund and never rated: unknown, not low
    f = got["F"]["loyalty_components"]["after_sales"]
    assert (f["figure"], f["level"], f["basis"], f["count"]) == (None, "unknown", "", 0)


def test_without_survey_recommend_is_unknown_for_everyone(lake: Lake) -> None:
    expr = with_loyalty(_rows(), LoyaltyRules())
    got = {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}
    assert {r["loyalty_components"]["recommend"]["level"] for r in got.values()} == {"unknown"}
    # A: 2+2+2 = 6 / 3 = 2.0 → high; H: 2+0+2 = 4 / 3 → amount low: medium;
    # I: 0+0+1 = 1 / 3 = 0.33 → low (with its NPS 10 it was medium)
    assert (got["A"]["loyalty"], got["H"]["loyalty"], got["I"]["loyalty"]) == (
        "high",
        "medium",
        "low",
    )


def test_stricter_rules_move_the_edges(lake: Lake) -> None:
    rules = LoyaltyRules(frequency_high=5, amount_high_share=Decimal("0.1"))
    got = _loyalty(lake, rules)
    # A: 4 orders < 5 → medium; amount: above × 10 < 10 → above 0: A alone high, B and C
    # (900) medium. A: 1+2+2+2 = 7 / 4 = 1.75 → high; B: 1+1+1+2 = 5 / 4 = 1.25 → medium.
    assert got["A"]["loyalty_components"]["frequency"]["level"] == "medium"
    assert got["B"]["loyalty_components"]["amount"]["level"] == "medium"
    assert got["A"]["loyalty_components"]["amount"]["high_at"] == 1000.0
    assert (got["A"]["loyalty"], got["B"]["loyalty"]) == ("high", "medium")


def test_ratings_after_the_first_refund(lake: Lake) -> None:
    # C asked for a refund on 05-10; rated 4 before it, 5 and 3 after, and 1 after the
    # as-of date (not counted) → 2 reviews, sum 8. F: refund, rated only before it → 0.
    # R rated but never asked for a refund: no row.
    refunds = [("r1", "o1", "C", "2025-05-10 10:00:00"), ("r2", "o2", "F", "2025-06-01 10:00:00"),
               ("r3", "o3", "C", "2025-06-15 10:00:00")]  # fmt: skip
    reviews = [
        ("v1", "C", "2025-05-01 10:00:00", 4),
        ("v2", "C", "2025-05-20 10:00:00", 5),
        ("v3", "C", "2025-06-20 10:00:00", 3),
        ("v4", "C", "2025-07-01 00:00:01", 1),
        ("v5", "F", "2025-05-01 10:00:00", 5),
        ("v6", "R", "2025-05-01 10:00:00", 2),
    ]
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"] * 3,
                "refund_id": [r[0] for r in refunds],
                "order_id": [r[1] for r in refunds],
                "customer_key": [r[2] for r in refunds],
                "requested_at": [utc(r[3]) for r in refunds],
                "completed_at": [None] * 3,
                "kind": ["refund_only"] * 3,
                "reason": [None] * 3,
                "quality_issue": [False] * 3,
                "amount": [Decimal("10.00")] * 3,
                "status": ["success"] * 3,
            }
        ),
    )
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"] * 6,
                "review_id": [r[0] for r in reviews],
                "order_id": [None] * 6,
                "product_id": [None] * 6,
                "customer_key": [r[1] for r in reviews],
                "created_at": [utc(r[2]) for r in reviews],
                "rating": pa.array([r[3] for r in reviews], pa.int8()),
                "text": [None] * 6,
            }
        ),
    )
    expr = after_sales_ratings(
        lake.table("refunds"),
        lake.table("reviews"),
        as_of=dt.date(2025, 6, 30),
        time_zone="Asia/Shanghai",
    )
    got = {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}
    assert got == {
        "C": {"customer_key": "C", "after_sale_reviews": 2, "after_sale_rating_sum": 8},
        "F": {"customer_key": "F", "after_sale_reviews": 0, "after_sale_rating_sum": 0},
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"frequency_high": 2, "frequency_medium": 2}, "frequency_high"),
        ({"frequency_medium": 0}, "frequency_medium"),
        ({"amount_high_share": "0.6"}, "amount_high_share"),
        ({"amount_medium_share": "1.5"}, "amount_medium_share"),
        ({"amount_high_share": "0"}, "amount_high_share"),
        ({"recommend_high": 11}, "recommend_high"),
        ({"recommend_high": 7, "recommend_medium": 7}, "recommend_high"),
        ({"satisfaction_medium": "x"}, "satisfaction_medium"),
        ({"satisfaction_high": "3", "satisfaction_medium": "3.5"}, "satisfaction_high"),
        ({"high_points": "2.5"}, "high_points"),
        ({"medium_points": "0"}, "medium_points"),
        ({"frequency_high": True}, "frequency_high"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_field(values: dict[str, Any], field: str) -> None:
    with pytest.raises(RuleError) as caught:
        LoyaltyRules(**values)
    assert str(caught.value).startswith(f"{field}:")
