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
    model = CoOccurrenceRecommender(k=3).fit(TRAIN)
    # bought milk: P(bread|milk) = 3/4 = 0.75 > P(eggs|milk) = 2/4 = 0.5 > tea (never with
    # milk, only its popularity); milk itself is left out (already bought).
    assert model.recommend([B({"milk"})]) == [["bread", "eggs", "tea"]]
    # bought eggs and tea: bread = P(bread|eggs) + P(bread|tea) = 2/3 + 0 = 0.667;
    # milk = 2/3 + 0 = 0.667 — a tie, broken by popularity (4 and 4: equal, then name).
    assert model.recommend([B({"eggs", "tea"})]) == [["bread", "milk"]]
    # nothing known bought: popularity (milk 4, bread 4, eggs 3 | tea 3 by name order)
    assert model.recommend([B()]) == [["bread", "milk", "eggs"]]


def test_wide_rules_add_their_confidence() -> None:
    rule = Rule(("bread", "milk"), ("tea",), 1, 1 / 8, 1.0, 8 / 3)
    plain = CoOccurrenceRecommender(k=1).fit(TRAIN)
    ruled = CoOccurrenceRecommender(k=1).fit(TRAIN, [rule])
    # bread+milk: eggs = P(eggs|bread) + P(eggs|milk) = 2/4 + 2/4 = 1.0, tea = 0 (+1.0 rule)
    assert plain.recommend([B({"bread", "milk"})]) == [["eggs"]]
    # with the rule tea scores 1.0 too: a tie with eggs, equally popular (3), name order
    assert ruled.recommend([B({"bread", "milk"})]) == [["eggs"]]
    doubled = CoOccurrenceRecommender(k=1).fit(TRAIN, [rule, rule])
    assert doubled.recommend([B({"bread", "milk"})]) == [["tea"]]  # 2.0 > 1.0


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
