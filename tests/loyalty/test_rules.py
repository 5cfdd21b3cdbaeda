"""The points rules: defaults, the shop's saved rules, and bad values refused by name."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.loyalty import selectors, services
from guanxi.loyalty.rules import PointsRuleError, PointsRules, add_months
from tests.loyalty.helpers import at

SHANGHAI = "Asia/Shanghai"


def test_defaults_are_one_point_per_whole_yuan_for_twelve_months() -> None:
    rules = PointsRules()
    assert (rules.points_per_yuan, rules.expiry_months) == (Decimal(1), 12)
    assert [rules.points_for(Decimal(v)) for v in ("88.90", "0.99", "0", "-5", "1000")] == [
        88,
        0,
        0,
        0,
        1000,
    ]


@pytest.mark.parametrize(
    ("earned", "months", "lapses"),
    [
        ("2025-01-31 10:00", 1, "2025-02-28 10:00"),  # the month's last day
        ("2024-01-31 10:00", 1, "2024-02-29 10:00"),  # a leap year
        ("2025-03-31 23:30", 12, "2026-03-31 23:30"),
        ("2025-11-15 00:10", 3, "2026-02-15 00:10"),  # over the year's end
        # 2025-03-31 20:00 UTC is 04:00 on 1 April in Shanghai: months count there.
        ("2025-04-01 04:00", 1, "2025-05-01 04:00"),
    ],
)
def test_expiry_adds_calendar_months_on_the_shops_clock(
    earned: str, months: int, lapses: str
) -> None:
    assert add_months(at(earned), months, SHANGHAI) == at(lapses)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"points_per_yuan": Decimal(-1)}, "points_per_yuan"),
        ({"points_per_yuan": "-0.5"}, "points_per_yuan"),
        ({"points_per_yuan": "abc"}, "points_per_yuan"),
        ({"points_per_yuan": 1.5}, "points_per_yuan"),  # a float: give a Decimal or text
        ({"points_per_yuan": True}, "points_per_yuan"),
        ({"points_per_yuan": "NaN"}, "points_per_yuan"),
        ({"points_per_yuan": "1.234"}, "points_per_yuan"),
        ({"points_per_yuan": 1001}, "points_per_yuan"),
        ({"expiry_months": -1}, "expiry_months"),
        ({"expiry_months": 121}, "expiry_months"),
        ({"expiry_months": 1.5}, "expiry_months"),
        ({"expiry_months": "12"}, "expiry_months"),
        ({"expiry_months": False}, "expiry_months"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(PointsRuleError) as refused:
        PointsRules(**fields)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")


def test_a_negative_rate_says_what_to_give() -> None:
    with pytest.raises(PointsRuleError) as refused:
        PointsRules(points_per_yuan=Decimal(-1))
    assert str(refused.value) == (
        "points_per_yuan: -1 is not allowed; give a rate from 0 (no points) to 1000"
    )


def test_a_rate_of_zero_earns_nothing() -> None:
    assert PointsRules(points_per_yuan=Decimal(0)).points_for(Decimal("500")) == 0


@pytest.mark.django_db
def test_the_shops_saved_rules_are_the_ones_used() -> None:
    assert selectors.points_rules() == PointsRules()
    services.rules_update(points_per_yuan="2", expiry_months=6, by="manager")
    assert selectors.points_rules() == PointsRules(points_per_yuan=Decimal(2), expiry_months=6)
    with pytest.raises(PointsRuleError):
        services.rules_update(points_per_yuan="-2", expiry_months=6, by="manager")
    assert selectors.points_rules().points_per_yuan == Decimal(2)  # nothing saved
