"""客户忠诚度 Customer loyalty: high / medium / low from four components (SPEC §7, seed 002
§4.1): purchase frequency (购买频率), purchase amount (购买金额), willingness to recommend
(推荐意愿) and after-sales satisfaction (售后服务满意度).

Pure Ibis (DuckDB or PySpark); the rules (``rules.LoyaltyRules``) come in as an argument.
``with_loyalty`` takes the per-customer standing rows (``customers.customer_facts`` with
RFM) and adds ``loyalty`` and ``loyalty_components``.

Each component has a figure, a level (high / medium / low, or unknown when there is nothing
to judge it by) and the edges it was judged against:

- **frequency** (购买频率): paid orders in the trailing window (``trailing_paid_orders``,
  the classes' window, 12 months by default); high ≥ ``frequency_high`` (4), medium ≥
  ``frequency_medium`` (2), else low. An absolute count reads the same in every shop ("bought
  4 times this year").
- **amount** (购买金额): the paid amount in the window (``trailing_paid_amount``), placed
  among the customers who paid in the window: high when fewer than ``amount_high_share`` ×
  n of them paid strictly more (the top 20 %), medium likewise with ``amount_medium_share``
  (the top 50 %), else low; ties at an edge all go up, and a customer who paid nothing in
  the window is low. Relative, because ¥500 a year is a lot in a tea shop and little in an
  electronics shop. ``high_at``/``medium_at``: the smallest amount that reached the level.
- **recommend** (推荐意愿): the customer's latest answer to the survey's "how likely are you
  to recommend us" (0–10, NPS); high ≥ ``recommend_high`` (9, a promoter), medium ≥
  ``recommend_medium`` (7, passive), else low (a detractor). Unknown without an answer —
  the lake holds no survey yet, so today it is unknown for everyone and the other
  components decide.
- **after_sales** (售后服务满意度): a mean star rating (1–5). Why ratings: the lake has no
  satisfaction question, but it has the star ratings customers give and the refunds and
  returns they asked for. A refund is not dissatisfaction by itself (a quick, fair refund
  keeps a customer), so a refund count would punish the wrong thing; how the customer
  rated the shop *after* an after-sale is the closest the lake comes to "how did the
  after-sale leave them". So: a customer with a refund or return and at least one review
  written at or after their first refund request → the mean of those reviews' ratings
  (basis ``after_refund``); otherwise a customer with reviews → the mean of all their
  ratings (basis ``reviews``: no after-sale needed, their satisfaction with what they
  received); no rating → unknown. High ≥ ``satisfaction_high`` (4.5), medium ≥
  ``satisfaction_medium`` (3.5), else low. Compared exactly (rating sum vs count × edge).

**Combined** (seed 002 §4.1 describes high as strong on all four, medium as fairly strong,
low as weak): a known component counts 2 (high), 1 (medium), 0 (low); ``points`` = their
average over the known components. loyalty = high when points ≥ ``high_points`` (1.5) and
no known component is low; medium when points ≥ ``medium_points`` (0.75); else low. Null
(nothing known) for a customer who never paid: loyalty is a buying behaviour (seed 000
项目四: 忠诚客户所表现出来的却是购买行为), and a prospect has none yet.

Example with the defaults: 3 orders in the window (medium, 1), amount in the top 20 % (high,
2), no survey (unknown), mean rating 5 from 2 reviews (high, 2): points = (1 + 2 + 2) ÷ 3 =
1.67 ≥ 1.5, none low → high.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import ibis

from guanxi.core.timeutil import local_midnight_utc
from guanxi.metrics.rules import LoyaltyRules

COMPONENTS = ("frequency", "amount", "recommend", "after_sales")
POINTS = {"high": 2, "medium": 1, "low": 0}
DEFAULT_RULES = LoyaltyRules()


def _exact(value: object) -> Fraction:
    return Fraction(str(value))


def after_sales_ratings(
    refunds: ibis.Table,
    reviews: ibis.Table,
    *,
    as_of: dt.date | None = None,
    time_zone: str = "Asia/Shanghai",
) -> ibis.Table:
    """Per customer with a refund or return: ``customer_key, after_sale_reviews,
    after_sale_rating_sum`` — the reviews they wrote at or after their first refund request
    (both by the end of the local day ``as_of``; None: all) and the sum of
    those reviews' star ratings (0 reviews: the customer had an after-sale but did not rate
    the shop after it)."""
    r = refunds.filter(refunds.customer_key.notnull())
    v = reviews.filter(reviews.customer_key.notnull())
    if as_of is not None:
        end = ibis.literal(local_midnight_utc(as_of + dt.timedelta(days=1), time_zone))
        r = r.filter(r.requested_at < end)
        v = v.filter(v.created_at < end)
    first = r.group_by("customer_key").aggregate(first_refund_at=r.requested_at.min())
    after = first.join(v.select("customer_key", "created_at", "rating"), "customer_key")
    after = after.filter(after.created_at >= after.first_refund_at)
    rated = after.group_by("customer_key").aggregate(
        after_sale_reviews=after.count(), after_sale_rating_sum=after.rating.cast("int64").sum()
    )
    out = first.left_join(rated, "customer_key").drop("customer_key_right")
    return out.select(
        "customer_key",
        after_sale_reviews=out.after_sale_reviews.fill_null(0),
        after_sale_rating_sum=out.after_sale_rating_sum.fill_null(0),
    )


def _at_least(total: ibis.Value, count: ibis.Value, edge: object) -> ibis.Value:
    """total ÷ count ≥ edge, exactly (no float rounding at the edge)."""
    f = _exact(edge)
    return total * f.denominator >= count * f.numerator


def _level(high: ibis.Value, medium: ibis.Value, known: ibis.Value) -> ibis.Value:
    return ibis.cases((~known, "unknown"), (high, "high"), (medium, "medium"), else_="low")


def _component(
    figure: ibis.Value,
    level: ibis.Value,
    high_at: ibis.Value,
    medium_at: ibis.Value,
    basis: ibis.Value,
    count: ibis.Value,
) -> ibis.Value:
    return ibis.struct(
        {
            "figure": figure.cast("float64"),
            "level": level,
            "high_at": high_at.cast("float64"),
            "medium_at": medium_at.cast("float64"),
            "basis": basis.cast("string"),
            "count": count.cast("int64"),
        }
    )


def amount_levels(rows: ibis.Table, rules: LoyaltyRules = DEFAULT_RULES) -> ibis.Table:
    """Per customer who paid in the window: ``customer_key, amount, amount_level`` (high /
    medium / low by position among them, see the module's docstring)."""
    b = rows.filter(rows.trailing_paid_orders > 0).select(
        "customer_key", amount=rows.trailing_paid_amount
    )
    n = b.customer_key.count().over(ibis.window())
    above = ibis.rank().over(order_by=ibis.desc(b.amount))  # customers paying strictly more
    high_share, medium_share = _exact(rules.amount_high_share), _exact(rules.amount_medium_share)
    high = above * high_share.denominator < n * high_share.numerator
    medium = above * medium_share.denominator < n * medium_share.numerator
    return b.mutate(amount_level=ibis.cases((high, "high"), (medium, "medium"), else_="low"))


def amount_edges(levels: ibis.Table) -> ibis.Table:
    """One row: ``amount_high_at, amount_medium_at``, the smallest amount that reached each
    level (``amount_levels``); the medium edge is the high one when nobody is only medium,
    and both are null when nobody paid in the window."""
    edges = levels.aggregate(
        amount_high_at=ibis.cases((levels.amount_level == "high", levels.amount)).min(),
        amount_medium_at=ibis.cases((levels.amount_level == "medium", levels.amount)).min(),
    )
    return edges.mutate(amount_medium_at=edges.amount_medium_at.fill_null(edges.amount_high_at))


def with_loyalty(
    rows: ibis.Table,
    rules: LoyaltyRules = DEFAULT_RULES,
    *,
    nps: ibis.Table | None = None,
    after_sales: ibis.Table | None = None,
) -> ibis.Table:
    """``rows`` (one per customer, with ``customer_key, paid_orders, trailing_paid_orders,
    trailing_paid_amount, reviews, rating_sum``) with ``loyalty`` ('high' | 'medium' |
    'low', null for a customer who never paid) and ``loyalty_components`` (a struct: per
    component of ``COMPONENTS`` its figure, level, edges, basis and count, and ``points``).

    ``nps``: ``customer_key, nps`` (the latest 0–10 answer; None: no survey yet);
    ``after_sales``: ``after_sales_ratings`` (None: judge by all the customer's ratings).
    """
    out = rows
    levels = amount_levels(rows, rules)
    out = out.left_join(levels.drop("amount"), "customer_key").drop("customer_key_right")
    out = out.cross_join(amount_edges(levels))
    if nps is not None:
        answers = nps.select("customer_key", loyalty_nps=nps.nps.cast("int64"))
        out = out.left_join(answers, "customer_key").drop("customer_key_right")
    else:
        out = out.mutate(loyalty_nps=ibis.null("int64"))
    if after_sales is not None:
        a = after_sales.select(
            "customer_key",
            loyalty_as_reviews="after_sale_reviews",
            loyalty_as_sum="after_sale_rating_sum",
        )
        out = out.left_join(a, "customer_key").drop("customer_key_right")
    else:
        out = out.mutate(loyalty_as_reviews=ibis.null("int64"), loyalty_as_sum=ibis.null("int64"))
    bought = out.paid_orders.fill_null(0) > 0

    # frequency
    freq = out.trailing_paid_orders.fill_null(0)
    freq_level = _level(freq >= rules.frequency_high, freq >= rules.frequency_medium, bought)
    # amount
    amount = out.trailing_paid_amount.fill_null(0)
    amount_level = ibis.cases((~bought, "unknown"), else_=out.amount_level.fill_null("low"))
    # recommend
    answer = out.loyalty_nps
    recommend_level = _level(
        answer >= rules.recommend_high, answer >= rules.recommend_medium, answer.notnull()
    )
    # after-sales: ratings after the first refund when there are any, else all ratings
    after_refund = out.loyalty_as_reviews.fill_null(0) > 0
    reviews = out.reviews.fill_null(0)
    rating_count = after_refund.ifelse(out.loyalty_as_reviews, reviews)
    rating_sum = after_refund.ifelse(out.loyalty_as_sum, out.rating_sum.fill_null(0))
    rated = rating_count > 0
    satisfaction_level = _level(
        _at_least(rating_sum, rating_count, rules.satisfaction_high),
        _at_least(rating_sum, rating_count, rules.satisfaction_medium),
        rated,
    )
    out = out.mutate(
        _freq_level=freq_level,
        _amount_level=amount_level,
        _recommend_level=recommend_level,
        _satisfaction_level=satisfaction_level,
        _rating_figure=rated.ifelse(
            rating_sum.cast("float64") / rating_count.cast("float64"), ibis.null("float64")
        ),
        _rating_count=rating_count,
        _rating_basis=ibis.cases((after_refund, "after_refund"), (rated, "reviews"), else_=""),
    )
    levels = [out._freq_level, out._amount_level, out._recommend_level, out._satisfaction_level]

    def points(level: ibis.Value) -> ibis.Value:
        return level.substitute(POINTS, else_=ibis.null("int64")).cast("int64")

    total = sum((points(x).fill_null(0) for x in levels), ibis.literal(0))
    known = sum((points(x).notnull().cast("int64") for x in levels), ibis.literal(0))
    any_low = ibis.or_(*[x == "low" for x in levels])
    out = out.mutate(_total=total, _known=known, _any_low=any_low)
    high = _at_least(out._total, out._known, rules.high_points) & ~out._any_low
    medium = _at_least(out._total, out._known, rules.medium_points)
    loyalty = ibis.cases(
        (~bought | (out._known == 0), ibis.null("string")),
        (high, "high"),
        (medium, "medium"),
        else_="low",
    )
    none = ibis.null("float64")
    components = ibis.struct(
        {
            "frequency": _component(
                freq,
                out._freq_level,
                ibis.literal(rules.frequency_high),
                ibis.literal(rules.frequency_medium),
                ibis.literal("window"),
                ibis.null("int64"),
            ),
            "amount": _component(
                amount,
                out._amount_level,
                out.amount_high_at,
                out.amount_medium_at,
                ibis.literal("window"),
                ibis.null("int64"),
            ),
            "recommend": _component(
                answer,
                out._recommend_level,
                ibis.literal(rules.recommend_high),
                ibis.literal(rules.recommend_medium),
                answer.notnull().ifelse("survey", ""),
                ibis.null("int64"),
            ),
            "after_sales": _component(
                out._rating_figure,
                out._satisfaction_level,
                ibis.literal(float(rules.satisfaction_high)),
                ibis.literal(float(rules.satisfaction_medium)),
                out._rating_basis,
                out._rating_count,
            ),
            "points": (out._known > 0).ifelse(
                out._total.cast("float64") / out._known.cast("float64"), none
            ),
        }
    )
    out = out.mutate(loyalty=loyalty, loyalty_components=components)
    return out.drop(
        "amount_level",
        "amount_high_at",
        "amount_medium_at",
        "loyalty_nps",
        "loyalty_as_reviews",
        "loyalty_as_sum",
        "_freq_level",
        "_amount_level",
        "_recommend_level",
        "_satisfaction_level",
        "_rating_figure",
        "_rating_count",
        "_rating_basis",
        "_total",
        "_known",
        "_any_low",
    )
