"""Spark MLlib's FP-growth gives the same rules as ours on the medium demo shop's baskets.

The baskets come from the demo generator itself (orders and their lines, paid orders only,
110 000 orders a year at the medium scale): building the whole medium demo shop (customers
in the database, chats, reviews) would take minutes for the same baskets.
"""

from __future__ import annotations

from pathlib import Path
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


def test_basket_job_on_a_spark_lake_stores_mllib_rules(spark_session: Any, tmp_path: Path) -> None:
    from guanxi.insight import job_basket
    from tests.engines import installed_lake
    from tests.insight.test_basket_page import _paired_shop, _shop

    lakes = installed_lake(tmp_path / "lake", "pyspark")
    lake = next(lakes)
    try:
        _shop(lake, _paired_shop())
        result = job_basket.fit({"min_support": 0.05, "min_confidence": 0.2}, lambda f, s: None)
    finally:
        next(lakes, None)  # restores the previous default lake
    assert result.metrics["engine"] == "pyspark"
    rules = {(tuple(r["antecedent"]), tuple(r["consequent"])): r for r in result.rules}
    # the same hand figures as on DuckDB (tests/insight/test_basket_page.py): tea ⇒ cups
    # support 10/70, confidence 10/20 = 0.5, lift 0.5 / (20/70) = 1.75
    tc = rules[(("tea",), ("cups",))]
    assert (tc["baskets"], tc["confidence"]) == (10, pytest.approx(0.5))
    assert tc["lift"] == pytest.approx(1.75)
    assert result.rules[0]["lift"] == pytest.approx(7.0)  # rice ⇒ pot
