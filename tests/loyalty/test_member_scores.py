"""The monthly member score stored: the worked example through the service (master + lake),
history month by month, a re-run replacing its month, the standing keeping the score after
``standing.recompute``, the rules and settings refused naming the field, the command."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from guanxi.customers import standing
from guanxi.customers.models import Customer, CustomerStanding
from guanxi.lake import Lake
from guanxi.loyalty import member_formula, member_scores, member_selectors
from guanxi.loyalty.models import MemberScore, MemberSettings
from guanxi.loyalty.rules import MemberRules, RuleError

pytestmark = pytest.mark.django_db

JULY = dt.date(2025, 7, 1)
AUGUST = dt.date(2025, 8, 1)


def _scores(month: dt.date) -> dict[str, tuple[int, int, int, int, str]]:
    rows = MemberScore.objects.filter(month=month).select_related("customer")
    return {
        r.customer.customer_key: (r.purchase, r.interaction, r.credit, r.score, r.tier)
        for r in rows
    }


def test_the_worked_example_is_stored_for_the_month(member_shop: Lake) -> None:
    done = member_scores.compute(JULY)
    # July's score counts the 12 months before July: as of 2025-06-30.
    assert (done.month, done.as_of, done.customers) == (JULY, dt.date(2025, 6, 30), 2)
    assert _scores(JULY) == {
        "W": (306, 70, 730, 1106, "super"),
        "N": (0, 0, 200, 200, "ordinary"),  # ⌊200 × 8 ÷ 8⌋ = 200, nothing else
    }
    assert done.tiers == {"ordinary": 1, "super": 1, "apass": 0}
    row = MemberSettings.objects.get(pk=1)
    assert (row.last_run_month, row.last_run_as_of, row.last_run_customers) == (
        JULY,
        dt.date(2025, 6, 30),
        2,
    )
    # The page's worked example is the same arithmetic on the same figures.
    assert member_formula.work(MemberRules()).score == 1106


def test_history_is_kept_by_month_and_a_rerun_replaces_its_month(member_shop: Lake) -> None:
    member_scores.compute(JULY)
    member_scores.compute(AUGUST)
    # August, as of 2025-07-31 (window 2024-08-01 … 2025-07-31): w1 (paid 2024-07-01, ¥300)
    # drops out and w6 (paid 2025-07-01, ¥500) comes in: 4 orders, ¥1,434.50 →
    # ⌊286.9⌋ = 286 + 60 = 346. Placed in the window: w2 w3 w4 w5 w6, 4 paid → 160.
    # Reviews: the 2024-07-02 one leaves (2 reviews, 1 long: 20 + 10); DSR 2 → 10;
    # sessions 4 → 8: interaction 48. History 22 months → 220; compliance 175; ever 7 → 35:
    # credit 150 + 220 + 160 + 175 + 35 = 740. Score 346 + 48 + 740 = 1134.
    assert _scores(AUGUST)["W"] == (346, 48, 740, 1134, "super")
    assert MemberScore.objects.filter(customer__customer_key="W").count() == 2
    # New bounds, then July again: July's rows are replaced, August's stay as they were.
    member_scores.settings_save({"super_from": 1120, "apass_from": 2500}, user="boss")
    july_ids = set(MemberScore.objects.filter(month=JULY).values_list("pk", flat=True))
    member_scores.compute(JULY)
    assert _scores(JULY)["W"] == (306, 70, 730, 1106, "ordinary")  # 1106 < 1120
    assert MemberScore.objects.filter(month=JULY).count() == 2
    assert july_ids.isdisjoint(MemberScore.objects.filter(month=JULY).values_list("pk", flat=True))
    assert _scores(AUGUST)["W"] == (346, 48, 740, 1134, "super")
    history = member_selectors.score_history(Customer.objects.get(customer_key="W"))
    assert [(h.month, h.score, h.tier) for h in history] == [
        (AUGUST, 1134, "super"),
        (JULY, 1106, "ordinary"),
    ]


def test_the_standing_keeps_the_latest_score_after_a_recompute(member_shop: Lake) -> None:
    standing.recompute(dt.date(2025, 6, 30))
    member_scores.compute(JULY)
    w = CustomerStanding.objects.get(customer__customer_key="W")
    assert (w.member_score, w.member_tier) == (1106, "super")
    standing.recompute(dt.date(2025, 6, 30))  # deletes and rewrites the standing rows
    w = CustomerStanding.objects.get(customer__customer_key="W")
    assert (w.member_score, w.member_tier) == (1106, "super")
    member_scores.compute(AUGUST)
    member_scores.compute(JULY)  # an older month re-run: the standing shows the latest
    w = CustomerStanding.objects.get(customer__customer_key="W")
    assert (w.member_score, w.member_tier) == (1134, "super")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"super_from": 2500, "apass_from": 2500}, "apass_from"),
        ({"super_from": 3000, "apass_from": 2500}, "apass_from"),
        ({"perk_daily_from": 800, "perk_premium_from": 400}, "perk_premium_from"),
        ({"apass_from": 5000}, "apass_from"),  # above the highest possible 3000
        ({"super_from": 0}, "super_from"),
        ({"run_day": 31}, "run_day"),
        ({"run_day": 0}, "run_day"),
        ({"coupons": {"super": "-1"}}, "coupon_super"),
        ({"coupons": {"apass": "1.234"}}, "coupon_apass"),
        ({"benefits": {"super": ["极速退款" * 20]}}, "benefits_super"),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_nothing_is_stored(
    values: dict, field: str
) -> None:
    before = MemberSettings.objects.get_or_create(pk=1)[0]
    with pytest.raises(RuleError) as refused:
        member_scores.settings_save(values, user="boss")
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")
    after = MemberSettings.objects.get(pk=1)
    assert (after.super_from, after.apass_from, after.run_day, after.coupons) == (
        before.super_from,
        before.apass_from,
        before.run_day,
        before.coupons,
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"review_points": -1}, "review_points"),
        ({"amount_cap": -5}, "amount_cap"),
        ({"yuan_points": Decimal("-0.1")}, "yuan_points"),
        ({"yuan_points": "abc"}, "yuan_points"),
        ({"order_points": 1.5}, "order_points"),
        ({"super_from": 1000, "apass_from": 999}, "apass_from"),
        ({"window_months": 0}, "window_months"),
    ],
)
def test_rules_are_refused_naming_the_field(values: dict, field: str) -> None:
    with pytest.raises(RuleError) as refused:
        MemberRules(**values)
    assert refused.value.field == field


def test_the_seed_defaults() -> None:
    rules = MemberRules()
    assert (rules.super_from, rules.apass_from) == (1000, 2500)
    assert (rules.perk_daily_from, rules.perk_premium_from) == (400, 800)
    assert rules.max_score == 1500 + 500 + 1000
    assert [rules.tier_of(s) for s in (999, 1000, 2499, 2500)] == [
        "ordinary",
        "super",
        "super",
        "apass",
    ]
    assert [rules.perks_of(s) for s in (399, 400, 799, 800)] == [
        (),
        ("daily",),
        ("daily",),
        ("daily", "premium"),
    ]
    assert MemberSettings.objects.get_or_create(pk=1)[0].run_day == 8


def test_the_command_scores_a_month_and_shows_a_customer(member_shop: Lake, capsys) -> None:
    call_command("members", "score", "--month", "2025-07", "--format", "json")
    out = json.loads(capsys.readouterr().out)
    assert (out["month"], out["as_of"], out["customers"]) == ("2025-07", "2025-06-30", 2)
    assert [(t["tier"], t["customers"]) for t in out["tiers"]] == [
        ("ordinary", 1),
        ("super", 1),
        ("apass", 0),
    ]
    # perks: W (1106) has both; N (200) neither
    assert [(p["perk"], p["customers"]) for p in out["perks"]] == [("daily", 1), ("premium", 1)]
    call_command("members", "score", "--as-of", "2025-07-31")
    text = capsys.readouterr().out
    assert "Member scores for 2025-07 (as of 2025-07-31): 2 customers" in text
    call_command("members", "show", "W", "--format", "json")
    shown = json.loads(capsys.readouterr().out)
    # --as-of 2025-07-31 scored July up to that day: the August figures (1134)
    assert shown["history"] == [
        {
            "month": "2025-07",
            "as_of": "2025-07-31",
            "purchase": 346,
            "interaction": 48,
            "credit": 740,
            "score": 1134,
            "tier": "super",
        }
    ]
    call_command("members", "show", "W")
    assert "W: 1134 (super; perks: daily, premium) in 2025-07" in capsys.readouterr().out


def test_the_command_refuses_bad_input(member_shop: Lake) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--month"):
        call_command("members", "score", "--month", "2025-13")
    with pytest.raises(CommandError, match="KEY: no customer"):
        call_command("members", "show", "nobody")
