"""Reads of the member score: customers per tier and perk in a month, the distribution of
scores, a customer's history (the profile's chart and ``guanxi members show``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, IntegerField, Max, Min, Q, Sum
from django.db.models.functions import Cast

from guanxi.customers.models import Customer
from guanxi.loyalty import member_scores
from guanxi.loyalty.models import MemberScore
from guanxi.loyalty.rules import PERKS, TIERS, MemberRules

HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class Level:
    """A tier or perk level: scores ``low`` ≤ s < ``high`` (``high`` None: no upper bound)."""

    key: str
    low: int
    high: int | None
    customers: int
    share: float
    benefits: tuple[str, ...]
    coupon: Decimal | None


@dataclass(frozen=True)
class TierSummary:
    month: dt.date | None
    as_of: dt.date | None
    customers: int
    tiers: tuple[Level, ...]
    perks: tuple[Level, ...]
    mean_score: float | None
    parts: dict[str, float]  # the mean purchase, interaction and credit


def _bounds(rules: MemberRules) -> dict[str, tuple[int, int | None]]:
    return {
        "ordinary": (0, rules.super_from),
        "super": (rules.super_from, rules.apass_from),
        "apass": (rules.apass_from, None),
        "daily": (rules.perk_daily_from, None),
        "premium": (rules.perk_premium_from, None),
    }


def tier_summary(month: dt.date | None = None) -> TierSummary:
    """Customers per tier (as stored with the month's scores) and per perk level (by the
    current thresholds) in ``month`` (default: the latest scored), with their benefits."""
    row = member_scores.member_settings()
    rules = member_scores.member_rules(row)
    month = month or member_scores.latest_month()
    rows = MemberScore.objects.filter(month=month) if month else MemberScore.objects.none()
    figures = rows.aggregate(
        n=Count("pk"),
        total=Sum("score"),
        purchase=Sum("purchase"),
        interaction=Sum("interaction"),
        credit=Sum("credit"),
        as_of=Max("as_of"),
        daily=Count("pk", filter=Q(score__gte=rules.perk_daily_from)),
        premium=Count("pk", filter=Q(score__gte=rules.perk_premium_from)),
    )
    per_tier = dict(rows.values_list("tier").annotate(n=Count("pk")).values_list("tier", "n"))
    n = figures["n"] or 0
    benefits = member_scores.benefits_of(row)
    coupons = member_scores.coupons_of(row)
    bounds = _bounds(rules)

    def level(key: str, count: int) -> Level:
        low, high = bounds[key]
        return Level(
            key,
            low,
            high,
            count,
            count / n if n else 0.0,
            tuple(benefits.get(key, ())),
            coupons.get(key),
        )

    return TierSummary(
        month=month,
        as_of=figures["as_of"],
        customers=n,
        tiers=tuple(level(t, per_tier.get(t, 0)) for t in TIERS),
        perks=tuple(level(p, figures[p] or 0) for p in PERKS),
        mean_score=(figures["total"] / n) if n else None,
        parts={
            p: (figures[p] or 0) / n if n else 0.0 for p in ("purchase", "interaction", "credit")
        },
    )


@dataclass(frozen=True)
class Bin:
    low: int
    high: int  # exclusive
    customers: int


def score_histogram(month: dt.date | None, bins: int = HISTOGRAM_BINS) -> list[Bin]:
    """The month's scores in ``bins`` equal bins of a round width (counted in SQL)."""
    if month is None:
        return []
    rows = MemberScore.objects.filter(month=month)
    span = rows.aggregate(low=Min("score"), high=Max("score"))
    if span["low"] is None:
        return []
    width = _round_width(span["high"] / bins)
    first = (span["low"] // width) * width
    last = (span["high"] // width) * width
    counts = dict.fromkeys(range(first, last + width, width), 0)  # empty bins shown too
    # One grouped query: score ÷ width in integers (scores are never negative).
    grouped = (
        rows.annotate(bucket=Cast(F("score") / width, IntegerField()))
        .values("bucket")
        .annotate(n=Count("pk"))
        .values_list("bucket", "n")
    )
    for bucket, count in grouped:
        counts[bucket * width] = count
    return [Bin(low, low + width, counts[low]) for low in sorted(counts)]


def _round_width(raw: float) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at least ``raw`` (and at least 1)."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= raw:
                return step * m
        step *= 10


@dataclass(frozen=True)
class HistoryRow:
    month: dt.date
    as_of: dt.date
    purchase: int
    interaction: int
    credit: int
    score: int
    tier: str


def score_history(customer: Customer) -> list[HistoryRow]:
    """The customer's scores, newest month first."""
    return [
        HistoryRow(*values)
        for values in MemberScore.objects.filter(customer=customer)
        .order_by("-month")
        .values_list("month", "as_of", "purchase", "interaction", "credit", "score", "tier")
    ]
