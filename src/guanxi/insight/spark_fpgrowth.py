"""The association rules through Spark MLlib (``pyspark.ml.fpm.FPGrowth``) when the lake's
engine is Spark: the baskets stay in the cluster and only the frequent itemsets and rules
come back to the driver.

The rules are the same as ``stats.basket.AssociationRules`` gives on one machine (the
parity test checks support, confidence and lift to 1e-9 on the demo shop's baskets):

- both count an itemset frequent in ≥ ceil(min_support × baskets) baskets;
- both make rules with one consequent and keep confidence ≥ min_confidence;
- MLlib has no maximum itemset length, so itemsets and rules longer than ``max_len`` are
  dropped here after the fit (MLlib still mines them; keep ``min_support`` sensible).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from guanxi.stats.basket import Rule


def baskets_frame(session: Any, baskets: Iterable[Iterable[str]]) -> Any:
    """A Spark DataFrame of ``products`` (array<string>) from baskets in Python (tests)."""
    rows = [(sorted(set(b)),) for b in baskets]
    return session.createDataFrame(rows, "products array<string>")


def spark_rules(
    frame: Any, *, min_support: float, min_confidence: float, max_len: int
) -> tuple[int, dict[frozenset[str], int], list[Rule]]:
    """(baskets, frequent itemsets → basket counts, rules) of the ``products`` column."""
    from pyspark.ml.fpm import FPGrowth
    from pyspark.sql import functions as f

    frame = frame.select("products").where(f.size("products") > 0).cache()
    try:
        n = frame.count()
        model = FPGrowth(
            itemsCol="products", minSupport=min_support, minConfidence=min_confidence
        ).fit(frame)
        itemsets = {
            frozenset(row["items"]): int(row["freq"])
            for row in model.freqItemsets.collect()
            if len(row["items"]) <= max_len
        }
        rules = []
        for row in model.associationRules.collect():
            antecedent = tuple(sorted(row["antecedent"]))
            if len(antecedent) + 1 > max_len:
                continue
            consequent = tuple(row["consequent"])
            rules.append(
                Rule(
                    antecedent,
                    consequent,
                    itemsets[frozenset(antecedent + consequent)],
                    float(row["support"]),
                    float(row["confidence"]),
                    float(row["lift"]),
                )
            )
    finally:
        frame.unpersist()
    rules.sort(key=lambda r: (-r.lift, -r.confidence, -r.baskets, r.antecedent, r.consequent))
    return n, itemsets, rules
