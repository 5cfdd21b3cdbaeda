"""The member score's formula worked through by hand, for the page and the docs: the same
arithmetic as ``metrics.member_score`` on one customer's figures, step by step, with the
shop's current weights (so the example on the page always matches the shop's rules)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from guanxi.loyalty.rules import MemberRules


@dataclass(frozen=True)
class ExampleFacts:
    """One customer's figures as the metric counts them (``metrics.member_score.COMPONENTS``)."""

    paid_amount: Decimal
    paid_orders: int
    placed_orders: int
    placed_paid: int
    reviews: int
    long_reviews: int
    dsr_ratings: int
    sessions: int
    filled: int
    fields: int
    history_months: int
    refunds_at_fault: int
    reviews_ever: int


EXAMPLE = ExampleFacts(
    paid_amount=Decimal("1234.50"),
    paid_orders=4,
    placed_orders=5,
    placed_paid=4,
    reviews=3,
    long_reviews=2,
    dsr_ratings=2,
    sessions=5,
    filled=6,
    fields=8,
    history_months=21,
    refunds_at_fault=1,
    reviews_ever=7,
)
"""The docs' worked example (docs/customers.md; tests/loyalty/test_member_score_metric.py)."""


@dataclass(frozen=True)
class Step:
    part: str  # purchase | interaction | credit
    key: str
    arithmetic: str
    points: int


@dataclass(frozen=True)
class Worked:
    steps: tuple[Step, ...]
    purchase: int
    interaction: int
    credit: int
    score: int
    tier: str
    perks: tuple[str, ...]


def work(rules: MemberRules, f: ExampleFacts = EXAMPLE) -> Worked:
    """Every term of the score of ``f`` under ``rules``, with its arithmetic."""
    r = rules
    amount = min(math.floor(f.paid_amount * r.yuan_points), r.amount_cap)
    orders = min(f.paid_orders * r.order_points, r.orders_cap)
    reviews = f.reviews * r.review_points
    long_reviews = f.long_reviews * r.long_review_points
    dsr = f.dsr_ratings * r.dsr_points
    sessions = min(f.sessions * r.session_points, r.session_cap)
    raw_interaction = reviews + long_reviews + dsr + sessions
    interaction = min(raw_interaction, r.interaction_cap)
    profile = (r.profile_points * f.filled) // f.fields if f.fields else 0
    history = min(f.history_months * r.history_points_per_month, r.history_cap)
    payment = (r.payment_points * f.placed_paid) // f.placed_orders if f.placed_orders else 0
    compliance = (
        max(r.compliance_points - f.refunds_at_fault * r.refund_penalty, 0) if f.paid_orders else 0
    )
    review_history = min(f.reviews_ever * r.review_history_points, r.review_history_cap)
    steps = (
        Step(
            "purchase",
            "amount",
            f"min(⌊{f.paid_amount} × {r.yuan_points}⌋, {r.amount_cap})",
            amount,
        ),
        Step(
            "purchase", "orders", f"min({f.paid_orders} × {r.order_points}, {r.orders_cap})", orders
        ),
        Step("interaction", "reviews", f"{f.reviews} × {r.review_points}", reviews),
        Step(
            "interaction",
            "long_reviews",
            f"{f.long_reviews} × {r.long_review_points}",
            long_reviews,
        ),
        Step("interaction", "dsr", f"{f.dsr_ratings} × {r.dsr_points}", dsr),
        Step(
            "interaction",
            "sessions",
            f"min({f.sessions} × {r.session_points}, {r.session_cap})",
            sessions,
        ),
        Step(
            "interaction",
            "interaction_cap",
            f"min({raw_interaction}, {r.interaction_cap})",
            interaction,
        ),
        Step("credit", "profile", f"⌊{r.profile_points} × {f.filled} ÷ {f.fields}⌋", profile),
        Step(
            "credit",
            "history",
            f"min({f.history_months} × {r.history_points_per_month}, {r.history_cap})",
            history,
        ),
        Step(
            "credit",
            "payment",
            f"⌊{r.payment_points} × {f.placed_paid} ÷ {f.placed_orders}⌋",
            payment,
        ),
        Step(
            "credit",
            "compliance",
            f"max({r.compliance_points} − {f.refunds_at_fault} × {r.refund_penalty}, 0)",
            compliance,
        ),
        Step(
            "credit",
            "review_history",
            f"min({f.reviews_ever} × {r.review_history_points}, {r.review_history_cap})",
            review_history,
        ),
    )
    purchase = amount + orders
    credit = profile + history + payment + compliance + review_history
    score = purchase + interaction + credit
    return Worked(steps, purchase, interaction, credit, score, r.tier_of(score), r.perks_of(score))
