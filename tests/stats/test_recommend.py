"""Next products: co-occurrence scores by hand, the hold-out, and the popularity baseline."""

from __future__ import annotations

import random

import pytest

from guanxi.stats.basket import AssociationRules, Rule
from guanxi.stats.recommend import CoOccurrenceRecommender, evaluate, holdout_split, score

B = frozenset
TRAIN = [
    B({"milk", "bread"}),
    B({"milk", "bread", "eggs"}),
    B({"milk", "eggs"}),
    B({"bread", "eggs"}),
    B({"milk", "bread"}),
    B({"tea"}),
    B({"tea"}),
    B({"tea"}),
]
# Baskets holding: milk 4, bread 4, eggs 3, tea 3; milk+bread 3, milk+eggs 2, bread+eggs 2.


def test_cooccurrence_scores_by_hand() -> None:
    # Counted within baskets (no customer histories), no shrinkage. N = 8 baskets:
    # P(milk) = 4/8 = 0.5, P(bread) = 0.5, P(eggs) = 3/8 = 0.375, P(tea) = 0.375.
    # lift(milk, bread) = 3 / (4·4/8) = 1.5; lift(milk, eggs) = 2 / (4·3/8) = 1.333;
    # lift(bread, eggs) = 1.333; tea is never with another product (no evidence: lift 1).
    # score(j) = P(j) × (1 + mean over bought i of (lift(i, j) − 1))
    model = CoOccurrenceRecommender(k=3, shrinkage=0).fit(TRAIN)
    # bought milk: bread 0.5 × 1.5 = 0.75 > eggs 0.375 × 1.333 = 0.5 > tea 0.375 × 1;
    # milk itself is left out (already bought).
    assert model.recommend([B({"milk"})]) == [["bread", "eggs", "tea"]]
    # bought eggs and tea: bread = 0.5 × (1 + (0.333 + 0) / 2) = 0.583, milk the same —
    # a tie, kept in catalogue (name) order.
    assert model.recommend([B({"eggs", "tea"})]) == [["bread", "milk"]]
    # nothing known bought: popularity (bread, milk 0.5; eggs, tea 0.375 by name)
    assert model.recommend([B()]) == [["bread", "milk", "eggs"]]


def test_shrinkage_pulls_rare_pairs_toward_popularity() -> None:
    # P̂(j | i) = (n(ij) + s·P(j)) / (n(i) + s): tea is in 3 of 8 baskets, with nothing.
    # With s = 8: P̂(bread | milk) = (3 + 8 × 0.5) / (4 + 8) = 7/12 = 0.583, lift 1.167
    # (unshrunk 1.5) → bread 0.5 × 1.167 = 0.583; P̂(eggs | milk) = (2 + 3) / 12 = 0.417,
    # lift 1.111 → eggs 0.417: still bread, eggs, tea but closer together.
    model = CoOccurrenceRecommender(k=3, shrinkage=8).fit(TRAIN)
    assert model.recommend([B({"milk"})]) == [["bread", "eggs", "tea"]]
    lift = model.lift_.toarray()
    milk, bread = model.index_["milk"], model.index_["bread"]
    assert lift[milk, bread] == pytest.approx(7 / 12 / 0.5 - 1)


def test_wide_rules_lift_a_product_to_their_confidence() -> None:
    rule = Rule(("bread", "milk"), ("tea",), 1, 1 / 8, 1.0, 8 / 3)
    plain = CoOccurrenceRecommender(k=1, shrinkage=0).fit(TRAIN)
    ruled = CoOccurrenceRecommender(k=1, shrinkage=0).fit(TRAIN, [rule])
    # bought bread+milk: eggs = 0.375 × (1 + (0.333 + 0.333) / 2) = 0.5; tea = 0.375
    assert plain.recommend([B({"bread", "milk"})]) == [["eggs"]]
    # the rule fires (both antecedent products bought): tea = max(0.375, 1.0) = 1.0
    assert ruled.recommend([B({"bread", "milk"})]) == [["tea"]]
    # bread alone does not fire it: tea stays 0.375 < eggs 0.375 × 1.333 = 0.5
    assert ruled.recommend([B({"bread"})]) == [["milk"]]  # milk 0.5 × 1.5 = 0.75


def test_repeat_purchases_are_not_recommended() -> None:
    model = CoOccurrenceRecommender(k=10).fit(TRAIN)
    (recs,) = model.recommend([B({"milk", "bread"})])
    assert "milk" not in recs and "bread" not in recs
    assert recs == ["eggs", "tea"]
    again = CoOccurrenceRecommender(k=10, exclude_bought=False).fit(TRAIN)
    assert set(again.recommend([B({"milk"})])[0]) == {"milk", "bread", "eggs", "tea"}


def test_held_out_order_never_reaches_training() -> None:
    orders = {
        "c1": [B({"milk"}), B({"bread"}), B({"secret-a", "secret-b"})],  # last order held out
        "c2": [B({"milk", "bread"})],  # one order: training only
    }
    split = holdout_split(orders)
    assert split.customers == ["c1"]
    assert split.held_out == [B({"secret-a", "secret-b"})]
    assert split.earlier == [B({"milk", "bread"})]
    assert not any("secret-a" in b for b in split.train)
    assert sorted(map(sorted, split.train)) == [["bread"], ["bread", "milk"], ["milk"]]
    # and the fitted models never saw the held-out products (so never recommend them)
    rules = AssociationRules(min_support=0.01, min_confidence=0.0)
    model, base = evaluate(orders, k=10, rules_from=rules)
    assert "secret-a" not in rules.items_
    assert (model.customers, model.hit_rate, base.hit_rate) == (1, 0.0, 0.0)


def test_hit_rate_and_recall_by_hand() -> None:
    recs = [["a", "b"], ["c", "d"], ["e"]]
    earlier = [B({"x"}), B({"y"}), B({"z"})]
    held = [B({"a", "q"}), B({"r"}), B({"z"})]  # third: only a re-buy → not counted
    ev = score(recs, earlier, held, k=10)
    # customer 1: 1 of {a, q} found → hit, recall 1/2; customer 2: none → recall 0
    # hit-rate 1/2 = 0.5; recall (0.5 + 0) / 2 = 0.25
    assert (ev.customers, ev.hit_rate, ev.recall) == (2, 0.5, 0.25)


def test_model_beats_popularity_when_products_pair() -> None:
    # 300 customers: each buys a "left" product first and its partner next, while the two
    # globally most popular products are bought alone by everyone else.
    rng = random.Random(7)
    orders: dict[str, list[frozenset[str]]] = {}
    for n in range(300):
        pair = rng.randrange(20)
        orders[f"c{n}"] = [B({f"L{pair}"}), B({f"R{pair}"})]
    for n in range(600):
        orders[f"p{n}"] = [B({f"pop{n % 12}"})]
    model, base = evaluate(orders, k=10, rules_from=None)
    assert model.customers == 300
    assert model.hit_rate == 0.0  # R is never seen with L in training: the hold-out is strict
    # Now let a first-order basket show the pairing: L and R in one order for other buyers.
    for n in range(200):
        pair = n % 20
        orders[f"t{n}"] = [B({f"L{pair}", f"R{pair}"})]
    model, base = evaluate(orders, k=10, rules_from=None)
    assert model.hit_rate == pytest.approx(1.0)
    assert base.hit_rate < 0.2
