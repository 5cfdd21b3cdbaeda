"""Association rules over baskets (关联分析, seed 电商平台客户关系管理手册 ch.8): which products
are bought together, "frequently bought together" per product and bundles worth suggesting.

A basket is the set of distinct product ids of one paid order. Frequent itemsets come from
FP-growth (mlxtend's ``fpgrowth``; never apriori, whose candidate generation does not scale
to millions of baskets). Rules are then counted here from the itemsets' exact basket counts,
with one product as the consequent (as Spark MLlib's FPGrowth makes them, so both engines
give the same rules):

- support(A ⇒ B)    = baskets holding A and B / all baskets
- confidence(A ⇒ B) = baskets holding A and B / baskets holding A      = P(B | A)
- lift(A ⇒ B)       = confidence / (baskets holding B / all baskets)    = P(B | A) / P(B)

The minimum support is turned into a whole number of baskets the way Spark does it,
``ceil(min_support × baskets)``, so that a float rounding at the boundary never keeps an
itemset on one engine and drops it on the other.

Bundle uplift, stated honestly: lift says how much likelier B is in A's baskets than in
any basket; the *extra attach* it implies is ``(P(B|A) − P(B)) × baskets holding A`` —
the baskets holding both beyond what B's overall rate alone would give. For a pair it is
symmetric (= n(AB) − n(A)·n(B)/N), so a bundle {A, B} has one uplift. It is an
association in past orders, not a measured causal effect of offering the bundle.

scikit-learn conventions: ``__init__`` stores hyperparameters, ``fit`` returns self,
fitted attributes end in ``_``. No Django here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse


@dataclass(frozen=True)
class Rule:
    antecedent: tuple[str, ...]  # sorted product ids
    consequent: tuple[str, ...]  # one product id
    baskets: int  # baskets holding antecedent and consequent
    support: float
    confidence: float
    lift: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "antecedent": list(self.antecedent),
            "consequent": list(self.consequent),
            "baskets": self.baskets,
            "support": self.support,
            "confidence": self.confidence,
            "lift": self.lift,
        }


@dataclass(frozen=True)
class Bundle:
    items: tuple[str, str]
    baskets: int  # baskets holding both
    expected: float  # baskets holding both if the two were bought independently
    uplift: float  # baskets − expected: the extra attach lift implies (see the module doc)
    lift: float
    confidence_ab: float  # P(second | first)
    confidence_ba: float  # P(first | second)


def min_count(min_support: float, n_baskets: int) -> int:
    """Spark MLlib's threshold: an itemset is frequent in ≥ ceil(min_support × N) baskets."""
    return max(1, math.ceil(min_support * n_baskets))


class AssociationRules:
    """FP-growth frequent itemsets and single-consequent rules with support, confidence, lift.

    ``min_support``: share of baskets (0–1]; ``min_confidence``: 0–1; ``max_len``: largest
    itemset (antecedent + consequent), at least 2.
    """

    def __init__(
        self, min_support: float = 0.01, min_confidence: float = 0.1, max_len: int = 3
    ) -> None:
        self.min_support = min_support
        self.min_confidence = min_confidence
        self.max_len = max_len

    def _check(self) -> None:
        if not 0 < self.min_support <= 1:
            raise ValueError(
                f"min_support must be a share of baskets in (0, 1], got {self.min_support}"
            )
        if not 0 <= self.min_confidence <= 1:
            raise ValueError(f"min_confidence must be in [0, 1], got {self.min_confidence}")
        if int(self.max_len) < 2:
            raise ValueError(
                f"max_len must be at least 2 (a rule has two sides), got {self.max_len}"
            )

    def fit(self, baskets: Iterable[Iterable[str]]) -> AssociationRules:
        self._check()
        sets = [frozenset(b) for b in baskets]
        sets = [b for b in sets if b]
        if not sets:
            raise ValueError("no baskets: there is no paid order with a product id")
        items = sorted({i for b in sets for i in b})
        index = {item: k for k, item in enumerate(items)}
        n = len(sets)
        self.n_baskets_ = n
        self.items_ = items
        matrix = _one_hot(sets, index)
        counts = np.asarray(matrix.sum(axis=0)).ravel().astype(np.int64)
        self.item_counts_ = {item: int(c) for item, c in zip(items, counts, strict=True)}
        threshold = min_count(self.min_support, n)
        self.min_count_ = threshold
        self.itemsets_ = _frequent(matrix, items, threshold, n, int(self.max_len))
        self.rules_ = self._rules()
        return self

    def _rules(self) -> list[Rule]:
        n = self.n_baskets_
        rules: list[Rule] = []
        for itemset, both in self.itemsets_.items():
            if len(itemset) < 2:
                continue
            for consequent in itemset:
                antecedent = itemset - {consequent}
                confidence = both / self.itemsets_[antecedent]
                if confidence < self.min_confidence:
                    continue
                lift = confidence / (self.itemsets_[frozenset((consequent,))] / n)
                rules.append(
                    Rule(
                        tuple(sorted(antecedent)),
                        (consequent,),
                        both,
                        both / n,
                        confidence,
                        lift,
                    )
                )
        rules.sort(key=lambda r: (-r.lift, -r.confidence, -r.baskets, r.antecedent, r.consequent))
        return rules

    def bought_together(self, product: str, n: int = 5) -> list[Rule]:
        """常一起购买: the pair rules product ⇒ other, by confidence (then lift)."""
        found = [r for r in self.rules_ if r.antecedent == (product,)]
        found.sort(key=lambda r: (-r.confidence, -r.lift, r.consequent))
        return found[:n]

    def bundles(self, n: int = 10) -> list[Bundle]:
        """Pairs bought together more often than chance (lift > 1), by uplift in baskets."""
        total = self.n_baskets_
        out: list[Bundle] = []
        for itemset, both in self.itemsets_.items():
            if len(itemset) != 2:
                continue
            a, b = sorted(itemset)
            na, nb = self.item_counts_[a], self.item_counts_[b]
            expected = na * nb / total
            lift = both * total / (na * nb)
            if lift <= 1:
                continue
            out.append(Bundle((a, b), both, expected, both - expected, lift, both / na, both / nb))
        out.sort(key=lambda x: (-x.uplift, -x.lift, x.items))
        return out[:n]


def _one_hot(sets: Sequence[frozenset[str]], index: dict[str, int]) -> sparse.csr_matrix:
    rows = np.repeat(np.arange(len(sets)), [len(b) for b in sets])
    cols = np.fromiter((index[i] for b in sets for i in b), dtype=np.int64, count=len(rows))
    data = np.ones(len(rows), dtype=bool)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), len(index)), dtype=bool)


# Below this many cells the one-hot frame is dense (fastest in mlxtend); above, sparse.
DENSE_CELLS = 200_000_000


def _frequent(
    matrix: sparse.csr_matrix, items: list[str], threshold: int, n: int, max_len: int
) -> dict[frozenset[str], int]:
    """Frequent itemsets → their exact basket counts (threshold in whole baskets)."""
    from mlxtend.frequent_patterns import fpgrowth

    # mlxtend compares shares; half a basket below the whole-number threshold is exact enough
    # for any N, and the counts are then checked as integers.
    share = (threshold - 0.5) / n
    if matrix.shape[0] * matrix.shape[1] <= DENSE_CELLS:
        frame = pd.DataFrame(matrix.toarray(), columns=range(len(items)))
    else:
        frame = pd.DataFrame.sparse.from_spmatrix(  # type: ignore[attr-defined]
            matrix, columns=range(len(items))
        )
    found = fpgrowth(frame, min_support=share, use_colnames=True, max_len=max_len)
    out: dict[frozenset[str], int] = {}
    for support, itemset in zip(found["support"], found["itemsets"], strict=True):
        count = round(float(support) * n)
        if count >= threshold:
            out[frozenset(items[k] for k in itemset)] = count
    return out
