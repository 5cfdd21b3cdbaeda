"""Reviews (评价): the good-review rate (好评率, seed 001) by period and by product.

好评率 = positive reviews ÷ all reviews. On Taobao/Tmall and JD a review of 4–5 stars is a
好评, 3 a 中评 and 1–2 a 差评 (the platforms' own bands, which the seeds assume); a review
without stars does not exist in the lake (``rating`` is required at import).
"""

from __future__ import annotations

import datetime as dt

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
