"""Customer classes 普通/潜在/核心/VIP (SPEC §1) at their exact boundaries, on each engine.

The class rules read a customer's facts (``customers.customer_facts``); here the facts are
written by hand, only the columns the rules use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from guanxi.lake import Lake
from guanxi.metrics.customers import CLASS_RULES, class_thresholds, customer_classes
from guanxi.metrics.rules import CUSTOMER_CLASSES, ClassRules, RuleError

# customer, paid orders ever, trailing paid orders, trailing paid amount, trailing sessions,
# trailing unpaid orders
Row = tuple[str, int, int, str, int, int]


def _facts(rows: list[Row]) -> ibis.Table:
    return ibis.memtable(
        pa.table(
            {
                "customer_key": [r[0] for r in rows],
                "paid_orders": pa.array([r[1] for r in rows], pa.int64()),
                "trailing_paid_orders": pa.array([r[2] for r in rows], pa.int64()),
                "trailing_paid_amount": pa.array(
                    [Decimal(r[3]) for r in rows], pa.decimal128(38, 2)
                ),
                "trailing_sessions": pa.array([r[4] for r in rows], pa.int64()),
                "trailing_unpaid_orders": pa.array([r[5] for r in rows], pa.int64()),
            }
        )
    )


def _classes(lake: Lake, rows: list[Row], rules: ClassRules | None = None) -> dict[str, Any]:
    expr = customer_classes(_facts(rows), rules or ClassRules())
    return {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}


SHOP: list[Row] = [
    ("b1", 1, 1, "1000.00", 0, 0),
    ("b2", 1, 1, "400.00", 0, 0),
    ("b3", 2, 2, "300.02", 0, 0),
    ("b4", 3, 3, "300.00", 0, 0),
    ("b5", 2, 2, "300.00", 0, 0),
    ("b6", 5, 2, "50.00", 0, 0),
    ("p1", 0, 0, "0", 1, 0),
    ("p2", 0, 0, "0", 0, 1),
    ("p3", 0, 0, "0", 2, 3),
    ("x1", 4, 0, "0", 3, 0),
    ("x2", 0, 0, "0", 0, 0),
]


def test_each_class_with_its_reason(lake: Lake) -> None:
    got = _classes(lake, SHOP)
    # Six buyers in the window (b1–b6). VIP: fewer than 5 % × 6 = 0.3 buyers paid more,
    # i.e. nobody: b1 alone, threshold = the smallest VIP amount = 1000.00.
    # Median of 50.00, 300.00, 300.00, 300.02, 400.00, 1000.00 = (300.00 + 300.02) ÷ 2
    # = 300.01. Core: ≥ 2 orders and > 300.01: b3 (300.02, exactly 2 orders). b2 has
    # 400.00 > 300.01 but 1 order; b4, b5 (300.00) and b6 (50.00) are below the median.
    # p1 chatted, p2 ordered without paying, p3 both (chat first): potential. x1 chatted
    # but bought before (4 paid orders ever): ordinary; x2 did nothing in the window.
    reasons = {
        k: (r["customer_class"], r["rule"], r["figure"], r["threshold"]) for k, r in got.items()
    }
    assert reasons == {
        "b1": ("vip", "vip_top_share", Decimal("1000.000"), Decimal("1000.000")),
        "b2": ("ordinary", "ordinary", Decimal("400.000"), None),
        "b3": ("core", "core_orders_and_spend", Decimal("300.020"), Decimal("300.010")),
        "b4": ("ordinary", "ordinary", Decimal("300.000"), None),
        "b5": ("ordinary", "ordinary", Decimal("300.000"), None),
        "b6": ("ordinary", "ordinary", Decimal("50.000"), None),
        "p1": ("potential", "potential_chat", Decimal("1.000"), None),
        "p2": ("potential", "potential_unpaid_order", Decimal("1.000"), None),
        "p3": ("potential", "potential_chat", Decimal("2.000"), None),
        "x1": ("ordinary", "ordinary", Decimal("0.000"), None),
        "x2": ("ordinary", "ordinary", Decimal("0.000"), None),
    }
    # the shop-wide figures beside each row, to say why someone is not higher
    assert {(r["buyers"], r["vip_threshold"], r["median_amount"]) for r in got.values()} == {
        (6, Decimal("1000.00"), Decimal("300.010"))
    }
    assert {r["customer_class"] for r in got.values()} == set(CUSTOMER_CLASSES)
    assert {r["rule"] for r in got.values()} == {r.key for r in CLASS_RULES}


def test_spend_equal_to_the_median_is_not_above_it(lake: Lake) -> None:
    rows: list[Row] = [
        ("m1", 1, 1, "10.00", 0, 0),
        ("m2", 2, 2, "20.00", 0, 0),
        ("m3", 3, 3, "30.00", 0, 0),
        ("m4", 2, 2, "30.01", 0, 0),
        ("m5", 1, 1, "50.00", 0, 0),
    ]
    got = _classes(lake, rows)
    # Five buyers: the median is the middle one, 30.00. m3 has 30.00 (not above) though
    # 3 orders; m4 has 30.01 > 30.00 and 2 orders: core. m5: top of 5 (0 < 0.25): VIP.
    assert {k: r["customer_class"] for k, r in got.items()} == {
        "m1": "ordinary",
        "m2": "ordinary",
        "m3": "ordinary",
        "m4": "core",
        "m5": "vip",
    }
    assert got["m4"]["threshold"] == Decimal("30.000")
    # With 3 orders required, m4 (2 orders) falls to ordinary.
    stricter = _classes(lake, rows, ClassRules(core_min_paid_orders=3))
    assert stricter["m4"]["customer_class"] == "ordinary"


def _buyers(amounts: list[str]) -> list[Row]:
    return [(f"c{i:02d}", 1, 1, a, 0, 0) for i, a in enumerate(amounts)]


@pytest.mark.parametrize(
    ("buyers", "vips"),
    [
        # 5 % of 19 = 0.95, of 20 = 1: fewer than that paid more → only the top buyer
        (19, ["c18"]),
        (20, ["c19"]),
        # 5 % of 21 = 1.05: one buyer paid more than c19 → c19 is VIP too; 40 → 2: top two
        (21, ["c19", "c20"]),
        (40, ["c38", "c39"]),
        # 5 % of 41 = 2.05: top three
        (41, ["c38", "c39", "c40"]),
    ],
)
def test_vip_share_at_its_boundary(lake: Lake, buyers: int, vips: list[str]) -> None:
    got = _classes(lake, _buyers([f"{i + 1}.00" for i in range(buyers)]))
    assert sorted(k for k, r in got.items() if r["customer_class"] == "vip") == vips
    # the threshold shown is the smallest VIP amount: c18 → 19.00, c19 → 20.00, …
    low = min(vips)
    assert got[low]["threshold"] == Decimal(f"{int(low[1:]) + 1}.000")


def test_equal_amounts_at_the_vip_edge_are_all_in(lake: Lake) -> None:
    # 20 buyers, the two top equal at 99.00: nobody paid more than either (0 < 1): both VIP;
    # the next (18.00) had two buyers above it: not VIP.
    amounts = [f"{i + 1}.00" for i in range(18)] + ["99.00", "99.00"]
    got = _classes(lake, _buyers(amounts))
    assert sorted(k for k, r in got.items() if r["customer_class"] == "vip") == ["c18", "c19"]


def test_vip_share_and_potential_rules_are_configurable(lake: Lake) -> None:
    rules = ClassRules(
        vip_top_share=Decimal("0.5"), potential_by_chat=False, potential_by_unpaid_order=True
    )
    got = _classes(lake, SHOP, rules)
    # half of 6 = 3: fewer than 3 paid more → b1 (0 above), b2 (1), b3 (2)
    assert sorted(k for k, r in got.items() if r["customer_class"] == "vip") == ["b1", "b2", "b3"]
    assert got["b3"]["threshold"] == Decimal("300.020")
    # chats no longer make a potential customer; an unpaid order still does
    assert [got[k]["rule"] for k in ("p1", "p2", "p3")] == [
        "ordinary",
        "potential_unpaid_order",
        "potential_unpaid_order",
    ]


def test_no_buyers_no_vip_and_no_core(lake: Lake) -> None:
    got = _classes(lake, [("p1", 0, 0, "0", 1, 0), ("x2", 0, 0, "0", 0, 0)])
    assert {k: r["customer_class"] for k, r in got.items()} == {"p1": "potential", "x2": "ordinary"}
    limits = lake.arrow(class_thresholds(_facts(SHOP[:1]))).to_pylist()
    assert limits == [
        {"buyers": 1, "vip_threshold": Decimal("1000.00"), "median_amount": Decimal("1000.000")}
    ]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"vip_top_share": Decimal(0)}, "vip_top_share"),
        ({"vip_top_share": Decimal("1.01")}, "vip_top_share"),
        ({"vip_top_share": "five"}, "vip_top_share"),
        ({"vip_top_share": None}, "vip_top_share"),
        ({"core_min_paid_orders": 0}, "core_min_paid_orders"),
        ({"core_min_paid_orders": 2.5}, "core_min_paid_orders"),
        ({"trailing_months": 0}, "trailing_months"),
        ({"trailing_months": True}, "trailing_months"),
        ({"potential_by_chat": "yes"}, "potential_by_chat"),
    ],
)
def test_bad_class_rules_are_refused_naming_the_field(options: dict, field: str) -> None:
    with pytest.raises(RuleError, match=rf"^{field}: "):
        ClassRules(**options)


def test_a_share_given_as_text_or_float_is_kept_exact() -> None:
    assert ClassRules(vip_top_share="0.07").vip_top_share == Decimal("0.07")  # type: ignore[arg-type]
    assert ClassRules(vip_top_share=0.07).vip_top_share == Decimal("0.07")  # type: ignore[arg-type]
