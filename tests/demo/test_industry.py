"""The demo's industry DSR averages: near the shop, ahead on two dimensions and behind on
one, the same for the same seed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.demo.industry import industry_averages

SHOP: dict[dt.date, dict[str, Decimal | None]] = {
    dt.date(2025, 1, 1): {"description": None, "service": None, "logistics": None},
    dt.date(2025, 2, 1): {
        "description": Decimal("4.579"),
        "service": Decimal("4.697"),
        "logistics": Decimal("3.949"),
    },
    dt.date(2025, 3, 1): {
        "description": Decimal("4.568"),
        "service": Decimal("4.657"),
        "logistics": Decimal("4.066"),
    },
}


def test_the_same_seed_gives_the_same_averages_another_seed_others() -> None:
    assert industry_averages(SHOP, 2025) == industry_averages(SHOP, 2025)
    assert industry_averages(SHOP, 2025) != industry_averages(SHOP, 2026)


def test_months_without_ratings_get_none_the_others_every_dimension() -> None:
    averages = industry_averages(SHOP, 2025)
    assert sorted(averages) == [dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    for values in averages.values():
        assert sorted(values) == ["description", "logistics", "service"]
        assert all(v == v.quantize(Decimal("0.001")) for v in values.values())


def test_the_industry_is_ahead_on_two_dimensions_and_behind_on_one() -> None:
    for seed in range(20):
        averages = industry_averages(SHOP, seed)
        for month, values in averages.items():
            shop = {key: score for key, score in SHOP[month].items() if score is not None}
            gaps = {key: values[key] - shop[key] for key in values}
            assert sum(gap > 0 for gap in gaps.values()) == 2, (seed, gaps)
            # 0.03–0.08 apart, give or take a wobble of at most 0.015
            assert all(Decimal("0.01") < abs(g) < Decimal("0.1") for g in gaps.values()), gaps
