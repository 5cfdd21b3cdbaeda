"""Spark MLlib's FP-growth gives the same rules as ours on the medium demo shop's baskets.

The baskets come from the demo generator itself (orders and their lines, paid orders only,
110 000 orders a year at the medium scale): building the whole medium demo shop (customers
in the database, chats, reviews) would take minutes for the same baskets.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from guanxi.insight.spark_fpgrowth import baskets_frame, spark_rules
from guanxi.stats.basket import AssociationRules

pytestmark = pytest.mark.spark


def _demo_baskets(scale: str, seed: int) -> list[frozenset[str]]:
    from guanxi.demo import orders, people
    from guanxi.demo.build import SCALES
    from guanxi.demo.catalog import PRODUCTS

    size = SCALES[scale]
    pop = people.population(size.customers, seed)
    out: list[frozenset[str]] = []
    first = 0
    for month in range(1, 13):
        o = orders.generate(
            np.random.default_rng([seed, 100 + month]), pop, month, size.orders, first
        )
        first += o.size
        lines: dict[int, set[str]] = {}
        for order, product in zip(o.item_order, o.item_product, strict=True):
            if o.paid[order] >= 0:  # NO_TIME (negative) = never paid
                lines.setdefault(int(order), set()).add(PRODUCTS[product].product_id)
        out.extend(frozenset(s) for s in lines.values())
    return out


def test_mllib_rules_equal_ours_on_the_medium_demo(spark_session: Any) -> None:
    baskets = _demo_baskets("medium", 7)
    assert len(baskets) > 80_000
    support, confidence, max_len = 0.004, 0.05, 3
    ours = AssociationRules(support, confidence, max_len).fit(baskets)
    n, itemsets, rules = spark_rules(
        baskets_frame(spark_session, baskets),
        min_support=support,
        min_confidence=confidence,
        max_len=max_len,
    )
    assert n == ours.n_baskets_
    assert itemsets == ours.itemsets_
    assert len(ours.rules_) > 20  # a real comparison, not two empty lists
    mine = {(r.antecedent, r.consequent): r for r in ours.rules_}
    theirs = {(r.antecedent, r.consequent): r for r in rules}
    assert mine.keys() == theirs.keys()
    for key, r in mine.items():
        s = theirs[key]
        assert s.baskets == r.baskets
        assert s.support == pytest.approx(r.support, abs=1e-9)
        assert s.confidence == pytest.approx(r.confidence, abs=1e-9)
        assert s.lift == pytest.approx(r.lift, abs=1e-9)
