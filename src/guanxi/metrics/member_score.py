"""会员成长值, the member score in the style of Taobao's 淘气值 (seed 000 项目六 任务二; SPEC §7).

The seed: "通过分析计算用户近12个月的行为数据，综合计算购买力、互动指数和购物信誉" — three parts
over the trailing 12 months, the score their sum, updated monthly; tiers below 1000 普通会员,
1000–2500 超级会员, 2500 and above APASS-eligible; perks from 400 and 800.

- purchase 购买分 (购物总额、购物笔数): the amount and the number of orders paid in the window,
  each with points per unit and a cap, so a single huge order cannot buy a tier;
- interaction 互动分 (评价、分享、社区发帖、问大家回答 — of these the shop's lake knows reviews,
  the DSR ratings and the chats): reviews written, a bonus for a review with content (at
  least ``long_review_chars`` characters), DSR ratings given, chat sessions (capped: asking
  is the least of the interactions), the part capped as a whole;
- credit 信用分 (账户信息的完善、购物历史、购物信用、购物合规、评价历史): profile completeness
  (a share of the master's fields, passed in: the lake holds no personal data), the months
  since the first paid order, the payment record (paid share of the orders placed in the
  window), rule compliance (refund requests not for a quality issue take points off) and
  the reviews ever written.

Every weight and cap comes in as ``rules`` (``loyalty.rules.MemberRules``; this module may
not import it, so ``ScoreRules`` names what it reads). Integer arithmetic throughout: every
part is floored to a whole point per term, so DuckDB and Spark agree to the point.

Worked example (the defaults; docs/customers.md and the members page show it): as of
2025-06-30, a customer who paid 4 orders for ¥1,234.50 in the window and placed one more
that stayed unpaid, wrote 3 reviews in it (2 of them with 20+ characters), gave 2 DSR
ratings, chatted in 5 sessions, requested 1 refund (not for quality), first paid on
2023-09-15, wrote 7 reviews ever, and has 6 of 8 profile fields filled:

- purchase = min(⌊1234.50 × 0.2⌋, 1200) + min(4 × 15, 300) = 246 + 60 = 306
- interaction = min(3 × 10 + 2 × 10 + 2 × 5 + min(5 × 2, 40), 500) = 30 + 20 + 10 + 10 = 70
- credit = ⌊200 × 6 ÷ 8⌋ + min(21 × 10, 240) + ⌊200 × 4 ÷ 5⌋ + max(200 − 1 × 25, 0)
  + min(7 × 5, 160) = 150 + 210 + 160 + 175 + 35 = 730
  (2023-09-15 → 2025-06-30: 21 whole months, the 22nd would end on 2025-07-15)
- score = 306 + 70 + 730 = 1106 → 超级会员, with both perks (≥ 400, ≥ 800).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Protocol

import ibis

from guanxi.metrics.customers import order_facts, trailing_period

AMOUNT = "decimal(20, 2)"
RATE = "decimal(20, 4)"


class ScoreRules(Protocol):
    """What ``member_scores`` reads of ``loyalty.rules.MemberRules``."""

    @property
    def window_months(self) -> int: ...
    @property
    def yuan_points(self) -> Decimal: ...
    @property
    def amount_cap(self) -> int: ...
    @property
    def order_points(self) -> int: ...
    @property
    def orders_cap(self) -> int: ...
    @property
    def review_points(self) -> int: ...
    @property
    def long_review_chars(self) -> int: ...
    @property
    def long_review_points(self) -> int: ...
    @property
    def dsr_points(self) -> int: ...
    @property
    def session_points(self) -> int: ...
    @property
    def session_cap(self) -> int: ...
    @property
    def interaction_cap(self) -> int: ...
    @property
    def profile_points(self) -> int: ...
    @property
    def history_points_per_month(self) -> int: ...
    @property
    def history_cap(self) -> int: ...
    @property
    def payment_points(self) -> int: ...
    @property
    def compliance_points(self) -> int: ...
    @property
    def refund_penalty(self) -> int: ...
    @property
    def review_history_points(self) -> int: ...
    @property
    def review_history_cap(self) -> int: ...
    @property
    def super_from(self) -> int: ...
    @property
    def apass_from(self) -> int: ...
    @property
    def perk_daily_from(self) -> int: ...
    @property
    def perk_premium_from(self) -> int: ...


COMPONENTS = (
    "paid_amount",
    "paid_orders",
    "placed_orders",
    "placed_paid",
    "reviews",
    "long_reviews",
    "dsr_ratings",
    "sessions",
    "filled",
    "fields",
    "history_months",
    "refunds_at_fault",
    "reviews_ever",
)
"""The figures each score is counted from (the window's, except ``reviews_ever`` and
``history_months``), returned beside the points so a page can explain a score."""
POINTS = (
    "amount_points",
    "orders_points",
    "review_points",
    "long_review_points",
    "dsr_points",
    "session_points",
    "profile_points",
    "history_points",
    "payment_points",
    "compliance_points",
    "review_history_points",
)
PARTS = ("purchase", "interaction", "credit", "score")


def _between(table: ibis.Table, column: str, start: dt.datetime, end: dt.datetime) -> ibis.Table:
    t = table.filter(table.customer_key.notnull())
    return t.filter((t[column] >= ibis.literal(start)) & (t[column] < ibis.literal(end)))


def _count(table: ibis.Table, name: str, **more: ibis.Value) -> ibis.Table:
    return table.group_by("customer_key").aggregate(**{name: table.count()}, **more)


def member_scores(
    *,
    orders: ibis.Table,
    refunds: ibis.Table,
    reviews: ibis.Table,
    as_of: dt.date,
    time_zone: str,
    rules: ScoreRules,
    profiles: ibis.Table | None = None,
    dsr_ratings: ibis.Table | None = None,
    sessions: ibis.Table | None = None,
) -> ibis.Table:
    """会员成长值 per customer at ``as_of`` (a local day, included) over the trailing
    ``rules.window_months`` (``customers.trailing_period``): ``customer_key``, the
    ``COMPONENTS``, the ``POINTS`` per term, ``purchase, interaction, credit, score``,
    ``tier`` (ordinary | super | apass) and ``perk`` ("" | daily | premium, the highest
    reached). Formula: ``loyalty.rules.MemberRules`` and the module's worked example.

    - ``profiles``: ``customer_key, filled, fields`` (profile fields filled of how many, from
      the master). With it, its customers are the rows (a customer without history scores
      on the profile alone; lake keys the master lacks are left out); without it, every
      customer the lake knows, at completeness 0.
    - ``dsr_ratings``, ``sessions`` (``customer_key, first_at``, the chat's sessions):
      optional; missing, they add nothing.
    - paid: paid by the as-of date's end, counted in the window by payment time
      (``order_facts``); placed: created in the window, ``placed_paid`` of them paid.
    - refunds at fault: refund requests in the window without ``quality_issue`` (a defect
      is the shop's fault, not the buyer's), whatever became of them.
    """
    window = trailing_period(as_of, rules.window_months)
    start, end = window.utc_bounds(time_zone)
    bought = order_facts(
        orders, as_of=as_of, time_zone=time_zone, trailing_months=rules.window_months
    ).select(
        "customer_key",
        paid_amount=ibis._.trailing_paid_amount.cast(AMOUNT),
        paid_orders=ibis._.trailing_paid_orders,
        placed_orders=ibis._.trailing_orders,
        placed_paid=ibis._.trailing_orders - ibis._.trailing_unpaid_orders,
        first_paid_day=ibis._.first_paid_day,
    )
    r = _between(refunds, "requested_at", start, end)
    refunded = r.group_by("customer_key").aggregate(
        refunds_at_fault=r.count(where=~r.quality_issue.fill_null(False))
    )
    v = _between(reviews, "created_at", start, end)
    long_text = v.text.fill_null("").strip().length() >= rules.long_review_chars
    reviewed = _count(v, "reviews", long_reviews=v.count(where=long_text))
    ever = reviews.filter(reviews.customer_key.notnull() & (reviews.created_at < end))
    parts = [bought, refunded, reviewed, _count(ever, "reviews_ever")]
    if dsr_ratings is not None:
        parts.append(_count(_between(dsr_ratings, "rated_at", start, end), "dsr_ratings"))
    if sessions is not None:
        chats = sessions.select("customer_key", "first_at")
        parts.append(_count(_between(chats, "first_at", start, end), "sessions"))
    if profiles is not None:
        out = profiles.select("customer_key", "filled", "fields")
    else:
        keys = parts[0].select("customer_key")
        for part in parts[1:]:
            keys = keys.union(part.select("customer_key"))
        out = keys.distinct()
    for part in parts:
        out = out.left_join(part, "customer_key").drop("customer_key_right")
    zero = [
        c
        for c in COMPONENTS
        if c in out.columns and c not in ("paid_amount", "history_months", "filled", "fields")
    ]
    out = out.mutate(**{c: out[c].fill_null(0) for c in zero})
    out = out.mutate(paid_amount=out.paid_amount.fill_null(Decimal("0.00")).cast(AMOUNT))
    for absent in ("dsr_ratings", "sessions", "filled", "fields"):
        if absent not in out.columns:
            out = out.mutate(**{absent: ibis.literal(0, type="int64")})
    out = out.mutate(
        filled=out.filled.fill_null(0).cast("int64"), fields=out.fields.fill_null(0).cast("int64")
    )
    out = out.mutate(history_months=_whole_months(out.first_paid_day, as_of)).drop("first_paid_day")
    return _points(out, rules)


def _whole_months(first: ibis.Value, as_of: dt.date) -> ibis.Value:
    """Whole calendar months from ``first`` to ``as_of`` (0 without a first payment):
    2023-09-15 → 2025-06-30 is 21 (the 22nd would be complete on 2025-07-15)."""
    index = ibis.literal(as_of.year * 12 + as_of.month) - (first.year() * 12 + first.month())
    short = (first.day() > as_of.day).ifelse(1, 0)
    return (index - short).fill_null(0).cast("int64")


def _points(f: ibis.Table, rules: ScoreRules) -> ibis.Table:
    def capped(value: ibis.Value, cap: int) -> ibis.Value:
        return ibis.least(value, ibis.literal(cap, type="int64")).cast("int64")

    # Both factors of one decimal type (Ibis refuses to mix scales); exact on both engines.
    rate = ibis.literal(rules.yuan_points, type=RATE)
    spent = f.paid_amount.cast(RATE) * rate
    f = f.mutate(
        amount_points=capped(spent.floor().cast("int64"), rules.amount_cap),
        orders_points=capped(f.paid_orders * rules.order_points, rules.orders_cap),
        review_points=(f.reviews * rules.review_points).cast("int64"),
        long_review_points=(f.long_reviews * rules.long_review_points).cast("int64"),
        dsr_points=(f.dsr_ratings * rules.dsr_points).cast("int64"),
        session_points=capped(f.sessions * rules.session_points, rules.session_cap),
        profile_points=(f.fields > 0)
        .ifelse((f.filled * rules.profile_points) // f.fields.nullif(0), 0)
        .cast("int64"),
        history_points=capped(f.history_months * rules.history_points_per_month, rules.history_cap),
        payment_points=(f.placed_orders > 0)
        .ifelse((f.placed_paid * rules.payment_points) // f.placed_orders.nullif(0), 0)
        .cast("int64"),
        compliance_points=(f.paid_orders > 0)
        .ifelse(
            ibis.greatest(rules.compliance_points - f.refunds_at_fault * rules.refund_penalty, 0),
            0,
        )
        .cast("int64"),
        review_history_points=capped(
            f.reviews_ever * rules.review_history_points, rules.review_history_cap
        ),
    )
    f = f.mutate(
        purchase=(f.amount_points + f.orders_points).cast("int64"),
        interaction=capped(
            f.review_points + f.long_review_points + f.dsr_points + f.session_points,
            rules.interaction_cap,
        ),
        credit=(
            f.profile_points
            + f.history_points
            + f.payment_points
            + f.compliance_points
            + f.review_history_points
        ).cast("int64"),
    )
    f = f.mutate(score=(f.purchase + f.interaction + f.credit).cast("int64"))
    return f.select(
        "customer_key",
        *COMPONENTS,
        *POINTS,
        *PARTS,
        tier=ibis.cases(
            (f.score >= rules.apass_from, "apass"),
            (f.score >= rules.super_from, "super"),
            else_="ordinary",
        ),
        perk=ibis.cases(
            (f.score >= rules.perk_premium_from, "premium"),
            (f.score >= rules.perk_daily_from, "daily"),
            else_="",
        ),
    )
