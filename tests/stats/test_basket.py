"""Association rules: support, confidence and lift counted by hand on six baskets."""

from __future__ import annotations

import pytest

from guanxi.stats.basket import AssociationRules, Rule, min_count

# Six paid orders' baskets (distinct products).
SIX = [
    {"milk", "bread"},  # 1
    {"milk", "bread", "eggs"},  # 2
    {"milk", "eggs"},  # 3
    {"bread", "eggs"},  # 4
    {"milk", "bread"},  # 5
    {"tea"},  # 6
]
# Baskets holding: milk 1,2,3,5 = 4; bread 1,2,4,5 = 4; eggs 2,3,4 = 3; tea 6 = 1;
# milk+bread 1,2,5 = 3; milk+eggs 2,3 = 2; bread+eggs 2,4 = 2; milk+bread+eggs 2 = 1.


def _rule(model: AssociationRules, a: str, c: str) -> Rule:
    return next(r for r in model.rules_ if r.antecedent == (a,) and r.consequent == (c,))


def test_hand_computed_support_confidence_lift() -> None:
    # min_support 0.3 → ceil(0.3 × 6) = ceil(1.8) = 2 baskets: tea (1) and the triple (1) drop.
    model = AssociationRules(min_support=0.3, min_confidence=0.6).fit(SIX)
    assert model.n_baskets_ == 6
    assert model.min_count_ == 2
    assert model.itemsets_ == {
        frozenset({"milk"}): 4,
        frozenset({"bread"}): 4,
        frozenset({"eggs"}): 3,
        frozenset({"milk", "bread"}): 3,
        frozenset({"milk", "eggs"}): 2,
        frozenset({"bread", "eggs"}): 2,
    }
    mb = _rule(model, "milk", "bread")
    # support 3/6 = 0.5; confidence 3/4 = 0.75; lift 0.75 / (4/6) = 1.125
    assert (mb.baskets, mb.support, mb.confidence, mb.lift) == (3, 0.5, 0.75, pytest.approx(1.125))
    em = _rule(model, "eggs", "milk")
    # support 2/6; confidence 2/3; lift (2/3) / (4/6) = 1.0
    assert em.support == pytest.approx(2 / 6)
    assert em.confidence == pytest.approx(2 / 3)
    assert em.lift == pytest.approx(1.0)
    # milk ⇒ eggs has confidence 2/4 = 0.5 < 0.6 and bread ⇒ eggs 2/4 too: both left out.
    pairs = {(r.antecedent, r.consequent) for r in model.rules_}
    assert pairs == {
        (("milk",), ("bread",)),
        (("bread",), ("milk",)),
        (("eggs",), ("milk",)),
        (("eggs",), ("bread",)),
    }
    # sorted by lift first: the milk/bread rules (1.125) lead
    assert model.rules_[0].lift == pytest.approx(1.125)


def test_bought_together_and_bundle_uplift() -> None:
    model = AssociationRules(min_support=0.3, min_confidence=0.5).fit(SIX)
    together = model.bought_together("milk")
    # milk ⇒ bread 3/4 = 0.75 before milk ⇒ eggs 2/4 = 0.5
    assert [(r.consequent, r.confidence) for r in together] == [
        (("bread",), 0.75),
        (("eggs",), 0.5),
    ]
    bundles = model.bundles()
    # Only milk+bread has lift > 1. Expected together if independent: 4 × 4 / 6 = 2.667;
    # uplift 3 − 2.667 = 0.333 = (P(bread|milk) − P(bread)) × milk's baskets
    #                          = (0.75 − 0.667) × 4 = 0.333.
    assert [b.items for b in bundles] == [("bread", "milk")]
    (b,) = bundles
    assert b.expected == pytest.approx(16 / 6)
    assert b.uplift == pytest.approx(1 / 3)
    assert b.uplift == pytest.approx((0.75 - 4 / 6) * 4)
    assert b.lift == pytest.approx(1.125)


def test_min_count_is_sparks_ceiling() -> None:
    assert min_count(0.3, 6) == 2  # 1.8 → 2
    assert min_count(0.5, 6) == 3  # exactly 3
    assert min_count(0.0001, 10) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_support": 0}, "min_support"),
        ({"min_confidence": 1.5}, "min_confidence"),
        ({"max_len": 1}, "max_len"),
    ],
)
def test_bad_parameters_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        AssociationRules(**kwargs).fit(SIX)


def test_no_baskets_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no baskets"):
        AssociationRules().fit([set(), set()])
