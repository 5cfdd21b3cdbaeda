"""Reviews (评价): the good-review rate (好评率, seed 001) by period and by product.

好评率 = positive reviews ÷ all reviews. On Taobao/Tmall and JD a review of 4–5 stars is a
好评, 3 a 中评 and 1–2 a 差评 (the platforms' own bands, which the seeds assume); a review
without stars does not exist in the lake (``rating`` is required at import).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ibis

from guanxi.core.timeutil import Period, month_period

GOOD_FROM = 4  # 4–5 stars: 好评
BAD_TO = 2  # 1–2 stars: 差评


def in_period(reviews: ibis.Table, period: Period, time_zone: str) -> ibis.Table:
    start, end = period.utc_bounds(time_zone)
    return reviews.filter(
        (reviews.created_at >= ibis.literal(start)) & (reviews.created_at < ibis.literal(end))
    )


def good_rate(reviews: ibis.Table, by: tuple[str, ...] = ()) -> ibis.Table:
    """Per group of ``by`` (the whole table when empty): ``reviews``, ``good`` (4–5 stars),
    ``neutral`` (3), ``bad`` (1–2) and ``good_rate`` = good ÷ reviews (null when none)."""
    rating = reviews.rating.cast("int64")
    counts = {
        "reviews": reviews.count(),
        "good": (rating >= GOOD_FROM).cast("int64").sum(),
        "neutral": (rating == GOOD_FROM - 1).cast("int64").sum(),
        "bad": (rating <= BAD_TO).cast("int64").sum(),
    }
    t = reviews.group_by(list(by)).aggregate(**counts) if by else reviews.aggregate(**counts)
    return t.mutate(
        good_rate=ibis.ifelse(t.reviews > 0, t.good.cast("float64") / t.reviews, ibis.null())
    )


def monthly_good_rate(
    reviews: ibis.Table, period: Period, time_zone: str, by: tuple[str, ...] = ()
) -> ibis.Table:
    """``good_rate`` per local month of ``period`` (``month`` = the month's first day),
    optionally split further by ``by`` (e.g. ``("product_id",)``). Months are joined as UTC
    bounds (as the DSR does), exact in any time zone and on either engine."""
    r = in_period(reviews, period, time_zone)
    months = []
    y, m = period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        lo, hi = month_period(y, m).utc_bounds(time_zone)
        months.append({"month": dt.date(y, m, 1), "lo": lo, "hi": hi})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    bounds = ibis.memtable(months)
    j = r.join(bounds, [r.created_at >= bounds.lo, r.created_at < bounds.hi])
    return good_rate(j, ("month", *by))


# -- sentiment and themes (the stored results of ``satisfaction.review_facts``) -------------
SENTIMENTS = ("positive", "neutral", "negative")


def is_bad(rating: int, sentiment: str) -> bool:
    """A bad review (issue 17): ≤ 2 stars, or a text the model reads as negative."""
    return rating <= BAD_TO or sentiment == "negative"


def sentiment_counts(scored: ibis.Table, by: tuple[str, ...] = ()) -> ibis.Table:
    """Per group of ``by``: ``reviews``, ``positive``, ``neutral``, ``negative`` and
    ``unscored`` (no stored result yet) over reviews joined with their ``sentiment``."""
    s = scored.sentiment
    counts = {
        "reviews": scored.count(),
        **{label: (s == label).cast("int64").sum() for label in SENTIMENTS},
        "unscored": s.isnull().cast("int64").sum(),
    }
    return scored.group_by(list(by)).aggregate(**counts) if by else scored.aggregate(**counts)


def theme_counts(
    scored: ibis.Table, theme_columns: tuple[str, ...], by: tuple[str, ...]
) -> ibis.Table:
    """Per group of ``by``: ``reviews``, ``negative_reviews`` (bad: ≤ 2 stars or negative)
    and for each theme column its count among all reviews and among the bad ones
    (``<column>_neg``)."""
    bad = (scored.rating.cast("int64") <= BAD_TO) | (scored.sentiment == "negative")
    bad = bad.fill_null(False)
    counts: dict[str, Any] = {
        "reviews": scored.count(),
        "negative_reviews": bad.cast("int64").sum(),
    }
    for c in theme_columns:
        flag = scored[c].fill_null(False)
        counts[c] = flag.cast("int64").sum()
        counts[f"{c}_neg"] = (flag & bad).cast("int64").sum()
    return scored.group_by(list(by)).aggregate(**counts)


# -- the words that drive bad reviews -------------------------------------------------------
@dataclass(frozen=True)
class Driver:
    word: str
    negative: int  # bad reviews containing the word
    others: int  # other reviews containing it
    log_odds: float  # smoothed log-odds ratio, bad vs others


def drivers(
    bad_docs: Sequence[Iterable[str]],
    other_docs: Sequence[Iterable[str]],
    *,
    min_count: int = 2,
    alpha: float = 0.5,
    top: int = 10,
) -> list[Driver]:
    """The words most over-represented in bad reviews against the others.

    Each review counts a word once (a review repeating "差" is one review about it). For a
    word in ``a`` of the N bad reviews and ``b`` of the M others, the log-odds ratio with
    ``alpha`` added to each cell (Haldane–Anscombe, so a word absent from one side still
    gets a finite figure):

        ln((a + α) / (N − a + α)) − ln((b + α) / (M − b + α))

    Words in fewer than ``min_count`` bad reviews are left out (one angry review is not a
    driver), and so are words not over-represented (ratio ≤ 0). Highest ratio first; ties
    by more bad reviews, then by the word."""
    return weighted_drivers(
        [(doc, 1) for doc in bad_docs],
        [(doc, 1) for doc in other_docs],
        min_count=min_count,
        alpha=alpha,
        top=top,
    )


def weighted_drivers(
    bad_docs: Sequence[tuple[Iterable[str], int]],
    other_docs: Sequence[tuple[Iterable[str], int]],
    *,
    min_count: int = 2,
    alpha: float = 0.5,
    top: int = 10,
) -> list[Driver]:
    """``drivers`` over distinct texts with their number of reviews (``(words, n)``): the
    same figures, counted from a shop's few thousand distinct texts instead of its
    hundreds of thousands of reviews."""
    n = sum(w for _doc, w in bad_docs)
    m = sum(w for _doc, w in other_docs)
    in_bad: Counter[str] = Counter()
    in_others: Counter[str] = Counter()
    for doc, weight in bad_docs:
        for word in set(doc):
            in_bad[word] += weight
    for doc, weight in other_docs:
        for word in set(doc):
            in_others[word] += weight
    found = []
    for word, a in in_bad.items():
        if a < min_count:
            continue
        b = in_others.get(word, 0)
        ratio = math.log((a + alpha) / (n - a + alpha)) - math.log((b + alpha) / (m - b + alpha))
        if ratio > 0:
            found.append(Driver(word, a, b, round(ratio, 4)))
    found.sort(key=lambda d: (-d.log_odds, -d.negative, d.word))
    return found[:top]
