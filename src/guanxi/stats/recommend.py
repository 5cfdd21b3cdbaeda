"""Next products per customer (推荐, seed ch.8): item co-occurrence and the association rules,
against a popularity baseline, evaluated on each customer's last order held out.

Scores. A candidate product j scores an estimate of its chance to be in the next basket:
``P(j) × (1 + mean over the bought products i of (lift(i, j) − 1))``, where P(j) is j's share
of the training baskets (the popularity baseline ranks by P(j) alone) and the lift is counted
over the training customers' purchase histories (customers who bought i also bought j),
with P(j | i) shrunk toward P(j) for rarely bought i (``shrinkage``, in customers). A pair
never seen together counts as no evidence (lift 1), so a customer whose products co-occur
with nothing gets the popularity ranking. An association rule whose whole antecedent
(two or more products) was bought raises its consequent to at least the rule's confidence —
the rules add what pairs alone miss.

Repeat purchases: products the customer already bought are NOT recommended (the page is
about what to offer next, and the evaluation counts only new products as hits for both the
model and the baseline, which excludes them the same way). ``exclude_bought=False`` turns
this off for shops of consumables.

Evaluation (``evaluate``): customers with ≥ 2 paid orders have their last order held out;
the model learns from every other basket (the held-out orders never enter training) and
recommends from the customer's earlier orders; hit-rate@k is the share of those customers
with at least one held-out product among the k, recall@k the mean share of the held-out
order's new products found among the k. The popularity baseline is measured the same way.

No Django here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from guanxi.stats.basket import Rule

# A customer's paid orders, oldest first, each the set of its distinct product ids.
History = Sequence[frozenset[str]]
CHUNK = 4096  # customers scored at once at most
PARTITION_FROM = 5_000  # catalogues larger than this: argpartition (ties at the k-th: any)
CELLS = 16_000_000  # and at most this many chunk × items scores (128 MB) at once


class CoOccurrenceRecommender:
    """``k`` next products from what was bought with the customer's products."""

    def __init__(
        self,
        k: int = 10,
        exclude_bought: bool = True,
        use_cooccurrence: bool = True,
        shrinkage: float = 10.0,
    ):
        self.k = k
        self.shrinkage = shrinkage
        self.exclude_bought = exclude_bought
        # False leaves popularity alone: the baseline is this class without co-occurrence.
        self.use_cooccurrence = use_cooccurrence

    def fit(
        self,
        baskets: Sequence[frozenset[str]],
        rules: Sequence[Rule] = (),
        histories: Sequence[frozenset[str]] | None = None,
    ) -> CoOccurrenceRecommender:
        """``baskets``: the training orders (popularity); ``histories``: each training
        customer's products over all their orders, for the co-occurrence (None: count it
        within baskets instead)."""
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")
        together_sets = baskets if histories is None else histories
        items = sorted({i for b in baskets for i in b} | {i for h in together_sets for i in h})
        self.items_ = items
        self.index_ = {item: n for n, item in enumerate(items)}
        m = _matrix(baskets, self.index_)
        # P(j): the share of baskets holding j — what the popularity baseline ranks by.
        self.popularity_ = np.asarray(m.sum(axis=0)).ravel().astype(np.float64) / max(
            len(baskets), 1
        )
        h = m if histories is None else _matrix(histories, self.index_)
        self.lift_ = _shrunk_lift(h, self.shrinkage)
        # Rules with two or more antecedent products (pairs are in the co-occurrence).
        wide = [r for r in rules if len(r.antecedent) >= 2 and r.consequent[0] in self.index_]
        wide = [r for r in wide if all(a in self.index_ for a in r.antecedent)]
        self.rule_antecedents_ = _matrix([frozenset(r.antecedent) for r in wide], self.index_)
        self.rule_sizes_ = np.array([len(r.antecedent) for r in wide], dtype=np.int64)
        gain = sparse.lil_matrix((len(wide), len(items)))
        for n, r in enumerate(wide):
            at = self.index_[r.consequent[0]]
            gain[n, at] = max(gain[n, at], r.confidence)
        self.rule_gain_ = gain.tocsr()
        return self

    def recommend(self, histories: Sequence[frozenset[str]]) -> list[list[str]]:
        """Top ``k`` products for each set of already bought products, best first."""
        out: list[list[str]] = []
        n_items = max(len(self.items_), 1)
        k = min(self.k, len(self.items_))
        chunk_size = max(1, min(CHUNK, CELLS // n_items))  # a dense chunk × items block
        for start in range(0, len(histories), chunk_size):
            chunk = histories[start : start + chunk_size]
            owned = _matrix(chunk, self.index_)
            scores = np.tile(self.popularity_, (len(chunk), 1))
            if self.use_cooccurrence:
                # P(j) × (1 + the mean of lift(i, j) − 1 over the bought products i)
                sizes = np.maximum(np.asarray(owned.sum(axis=1)).ravel(), 1.0)
                deviation = (owned @ self.lift_).toarray() / sizes[:, None]
                scores *= 1.0 + deviation
                if self.rule_sizes_.size:
                    held = (owned @ self.rule_antecedents_.T).toarray()
                    fires = sparse.csr_matrix(held == self.rule_sizes_[None, :])
                    # a rule whose whole antecedent was bought: at least its confidence
                    scores = np.maximum(scores, (fires @ self.rule_gain_).toarray())
            if self.exclude_bought:
                scores[owned.toarray() > 0] = -np.inf
            if n_items > PARTITION_FROM:  # the k best unsorted, then sorted
                part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
                part.sort(axis=1)
                rows = np.arange(len(chunk))[:, None]
                order = np.argsort(-scores[rows, part], axis=1, kind="stable")
                best = part[rows, order]
            else:
                best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
            for row, picks in zip(scores, best, strict=True):
                out.append([self.items_[p] for p in picks if np.isfinite(row[p])])
        return out


def _shrunk_lift(h: sparse.csr_matrix, shrinkage: float) -> sparse.csr_matrix:
    """lift(i, j) − 1 over the rows of ``h`` (customers' products, or baskets), with
    P(j | i) shrunk toward P(j) for rarely bought i: P̂(j | i) = (n(ij) + s·P(j)) / (n(i) + s),
    lift = P̂(j | i) / P(j), s = ``shrinkage``. Kept only for pairs seen together (sparse: a
    big catalogue stays small); zero — no evidence either way — on the diagonal and for
    pairs never seen together."""
    rows = max(h.shape[0], 1)
    counts = np.asarray(h.sum(axis=0)).ravel().astype(np.float64)
    together = (h.T @ h).tocoo()
    keep = together.row != together.col
    i, j, n = together.row[keep], together.col[keep], together.data[keep]
    share = counts[j] / rows
    value = (n + shrinkage * share) / (counts[i] + shrinkage) / share - 1.0
    return sparse.csr_matrix((value, (i, j)), shape=together.shape)


def _matrix(sets: Sequence[frozenset[str]], index: Mapping[str, int]) -> sparse.csr_matrix:
    """Rows of 0/1 over the known items (unknown products are left out)."""
    rows: list[int] = []
    cols: list[int] = []
    for r, s in enumerate(sets):
        for item in s:
            col = index.get(item)
            if col is not None:
                rows.append(r)
                cols.append(col)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), len(index)))


@dataclass(frozen=True)
class Split:
    train: list[frozenset[str]]  # every basket but the held-out ones
    customers: list[str]  # the evaluated customers (≥ 2 orders)
    earlier: list[frozenset[str]]  # their products before the last order
    held_out: list[frozenset[str]]  # their last order's products
    # every customer's products over their training orders (the co-occurrence's customers)
    histories: list[frozenset[str]]


def holdout_split(orders: Mapping[str, History]) -> Split:
    """Hold out the last order of each customer with ≥ 2 orders; train on everything else."""
    train: list[frozenset[str]] = []
    customers: list[str] = []
    earlier: list[frozenset[str]] = []
    held: list[frozenset[str]] = []
    histories: list[frozenset[str]] = []
    for customer, history in orders.items():
        baskets = [b for b in history if b]
        if len(baskets) >= 2:
            train.extend(baskets[:-1])
            customers.append(customer)
            earlier.append(frozenset().union(*baskets[:-1]))
            held.append(baskets[-1])
            histories.append(earlier[-1])
        elif baskets:
            train.extend(baskets)
            histories.append(baskets[0])
    return Split(train, customers, earlier, held, histories)


@dataclass(frozen=True)
class Evaluation:
    customers: int  # evaluated (≥ 2 orders and something new in the last one, see below)
    k: int
    hit_rate: float  # share with ≥ 1 held-out product in the top k
    recall: float  # mean share of the held-out products in the top k

    def as_dict(self) -> dict[str, float | int]:
        return {
            "customers": self.customers,
            "k": self.k,
            "hit_rate": self.hit_rate,
            "recall": self.recall,
        }


def score(
    recommended: Sequence[Sequence[str]],
    earlier: Sequence[frozenset[str]],
    held_out: Sequence[frozenset[str]],
    *,
    k: int,
    exclude_bought: bool = True,
) -> Evaluation:
    """hit-rate@k and recall@k. With ``exclude_bought`` the targets are the held-out order's
    products new to the customer (a re-bought product cannot be recommended, so it is no
    fair miss), and a customer whose last order was only re-buys is not counted."""
    hits = 0
    recall = 0.0
    counted = 0
    for recs, before, target in zip(recommended, earlier, held_out, strict=True):
        wanted = target - before if exclude_bought else target
        if not wanted:
            continue
        counted += 1
        found = len(wanted & set(recs[:k]))
        hits += found > 0
        recall += found / len(wanted)
    if not counted:
        return Evaluation(0, k, 0.0, 0.0)
    return Evaluation(counted, k, hits / counted, recall / counted)


def evaluate(
    orders: Mapping[str, History],
    *,
    k: int = 10,
    rules_from: object = None,
    exclude_bought: bool = True,
    by_customer: bool = True,
) -> tuple[Evaluation, Evaluation]:
    """(model, popularity baseline) on each customer's last order held out.

    ``rules_from``: an unfitted ``AssociationRules`` to fit on the training baskets only
    (so that the held-out orders do not leak in through the rules), or None."""
    split = holdout_split(orders)
    rules: Sequence[Rule] = ()
    if rules_from is not None and split.train:
        rules = rules_from.fit(split.train).rules_  # type: ignore[attr-defined]
    model = CoOccurrenceRecommender(k, exclude_bought).fit(
        split.train, rules, split.histories if by_customer else None
    )
    baseline = CoOccurrenceRecommender(k, exclude_bought, use_cooccurrence=False).fit(split.train)
    return (
        score(
            model.recommend(split.earlier),
            split.earlier,
            split.held_out,
            k=k,
            exclude_bought=exclude_bought,
        ),
        score(
            baseline.recommend(split.earlier),
            split.earlier,
            split.held_out,
            k=k,
            exclude_bought=exclude_bought,
        ),
    )
