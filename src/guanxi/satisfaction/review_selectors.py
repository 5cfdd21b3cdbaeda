"""Reads behind the review pages, the dashboard and the API: 好评率 by month and product,
the stored sentiment and themes, the words that drive bad reviews and the churn rate beside.

The lake's ``reviews`` are joined with the stored results of ``review_facts`` (a review not
yet scored has no sentiment and counts as ``unscored``, never as neutral). Figures are kept
in the figure cache per state of the lake and of the stored results; the drivers are
counted from the (masked) texts at request time, never cached on disk.

Public for the dashboard: ``good_rate_summary(period)`` and ``churn_beside(period)``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

import ibis
from django.conf import settings

from guanxi import lake
from guanxi.core.timeutil import Period, month_period
from guanxi.metrics import reviews as metric
from guanxi.performance import figure_cache
from guanxi.satisfaction import review_facts
from guanxi.stats.review_themes import THEMES


def _tz() -> str:
    return str(settings.TIME_ZONE)


def _has_reviews() -> bool:
    return lake.get().exists("reviews")


def _depends() -> Any:
    """The stored results' version: figures read from them are counted again after a refresh."""
    return (review_facts.version(lake.get()), _tz())


# -- periods ----------------------------------------------------------------------------------
def latest_review_day() -> dt.date | None:
    def count() -> dt.date | None:
        if not _has_reviews():
            return None
        shop = lake.get()
        moment = shop.arrow(shop.table("reviews").created_at.max()).as_py()
        if moment is None:
            return None
        return moment.astimezone(zoneinfo.ZoneInfo(_tz())).date()

    return figure_cache.cached("latest_review_day", (), count, depends=_tz())


def default_period(today: dt.date) -> Period:
    """The three months ending with the month of the latest review (a trend needs months)."""
    latest = latest_review_day() or today
    end = month_period(latest.year, latest.month).end
    index = latest.year * 12 + latest.month - 1 - 2
    return Period(dt.date(index // 12, index % 12 + 1, 1), end)


# -- 好评率 ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GoodRate:
    reviews: int
    good: int
    neutral: int
    bad: int
    good_rate: float | None  # good ÷ reviews; None without reviews


def _good_rate(row: dict[str, Any] | None) -> GoodRate:
    if not row:
        return GoodRate(0, 0, 0, 0, None)
    return GoodRate(
        int(row["reviews"] or 0),
        int(row["good"] or 0),
        int(row["neutral"] or 0),
        int(row["bad"] or 0),
        row["good_rate"],
    )


def _reviews_in(period: Period) -> ibis.Table:
    return metric.in_period(lake.get().table("reviews"), period, _tz())


def good_rate_summary(period: Period) -> GoodRate:
    """好评率 over ``period`` (local days, both ends included): 4–5 stars ÷ all reviews."""

    def count() -> GoodRate:
        if not _has_reviews():
            return _good_rate(None)
        rows = lake.get().arrow(metric.good_rate(_reviews_in(period))).to_pylist()
        return _good_rate(rows[0] if rows else None)

    return figure_cache.cached("sat_good_rate", period, count, depends=_tz())


def good_rate_by_month(period: Period) -> list[dict[str, Any]]:
    """One row per local month of ``period`` that has reviews: month, counts, good_rate."""

    def count() -> list[dict[str, Any]]:
        if not _has_reviews():
            return []
        expr = metric.monthly_good_rate(lake.get().table("reviews"), period, _tz())
        return sorted(lake.get().arrow(expr).to_pylist(), key=lambda r: r["month"])

    return figure_cache.cached("sat_good_rate_month", period, count, depends=_tz())


def good_rate_by_product(period: Period) -> list[dict[str, Any]]:
    """One row per product reviewed in ``period``, most reviewed first."""

    def count() -> list[dict[str, Any]]:
        if not _has_reviews():
            return []
        r = _reviews_in(period)
        r = r.mutate(product_id=r.product_id.fill_null(""))
        rows = lake.get().arrow(metric.good_rate(r, ("product_id",))).to_pylist()
        return sorted(rows, key=lambda x: (-x["reviews"], x["product_id"]))

    return figure_cache.cached("sat_good_rate_product", period, count, depends=_tz())


# -- sentiment and themes ---------------------------------------------------------------------
def scored(period: Period) -> ibis.Table:
    """The reviews of ``period`` with their stored sentiment, score and theme flags (null:
    not scored yet)."""
    shop = lake.get()
    r = _reviews_in(period)
    s = review_facts.table(shop)
    s = s.select(
        s_platform=s.platform,
        s_review_id=s.review_id,
        sentiment=s.sentiment,
        score=s.score,
        **{c: s[c] for c in review_facts.THEME_COLUMNS},
    )
    j = r.left_join(s, [r.platform == s.s_platform, r.review_id == s.s_review_id])
    return j.select(
        "platform",
        "review_id",
        "order_id",
        "customer_key",
        "created_at",
        "rating",
        "text",
        "sentiment",
        "score",
        *review_facts.THEME_COLUMNS,
        product_id=j.product_id.fill_null(""),
    )


def sentiment_by_month(period: Period) -> list[dict[str, Any]]:
    def count() -> list[dict[str, Any]]:
        if not _has_reviews():
            return []
        rows = []
        for month in _months(period):
            counts = lake.get().arrow(metric.sentiment_counts(scored(month))).to_pylist()[0]
            if counts["reviews"]:
                rows.append({"month": month.start, **counts})
        return rows

    return figure_cache.cached("sat_sentiment_month", period, count, depends=_depends())


def sentiment_by_product(period: Period) -> list[dict[str, Any]]:
    def count() -> list[dict[str, Any]]:
        if not _has_reviews():
            return []
        expr = metric.sentiment_counts(scored(period), ("product_id",))
        rows = lake.get().arrow(expr).to_pylist()
        return sorted(rows, key=lambda x: (-x["reviews"], x["product_id"]))

    return figure_cache.cached("sat_sentiment_product", period, count, depends=_depends())


def themes_by_product(period: Period) -> list[dict[str, Any]]:
    """Per product: reviews, bad reviews, and per theme ``{theme: (all, bad)}``; the shop's
    total first (product ``None``)."""

    def count() -> list[dict[str, Any]]:
        if not _has_reviews():
            return []
        expr = metric.theme_counts(scored(period), review_facts.THEME_COLUMNS, ("product_id",))
        rows = sorted(
            lake.get().arrow(expr).to_pylist(), key=lambda x: (-x["reviews"], x["product_id"])
        )
        shaped = [_theme_row(r["product_id"], r) for r in rows]
        if shaped:
            total: dict[str, Any] = {"reviews": 0, "negative_reviews": 0}
            for r in rows:
                for key, value in r.items():
                    if key != "product_id":
                        total[key] = total.get(key, 0) + value
            shaped.insert(0, _theme_row(None, total))
        return shaped

    return figure_cache.cached("sat_themes_product", period, count, depends=_depends())


def _theme_row(product: str | None, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_id": product,
        "reviews": int(row["reviews"]),
        "negative_reviews": int(row["negative_reviews"]),
        "themes": {t: (int(row[f"theme_{t}"]), int(row[f"theme_{t}_neg"])) for t in THEMES},
    }


def _months(period: Period) -> list[Period]:
    out = []
    y, m = period.start.year, period.start.month
    while (y, m) <= (period.end.year, period.end.month):
        whole = month_period(y, m)
        out.append(Period(max(whole.start, period.start), min(whole.end, period.end)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def unscored() -> int:
    """Reviews without a stored sentiment yet (counted once per state of both tables)."""

    def count() -> int:
        return review_facts.unscored(lake.get()) if _has_reviews() else 0

    return figure_cache.cached("sat_unscored", (), count, depends=_depends())


# -- the words behind bad reviews -------------------------------------------------------------
_STOP_TEXT = (
    "的 了 是 我 你 他 她 它 们 也 都 就 还 又 很 太 非常 真的 有 没有 在 和 与 跟 给 把 被 这 那 "
    "这个 那个 一个 一下 一点 吧 啊 呢 吗 呀 哦 嗯 哈 哈哈 么 着 过 得 地 之 但是 但 而且 所以 "
    "因为 然后 就是 还是 可以 感觉 觉得 东西 宝贝 买 卖家 店家 商家 收到 已经 这次 下次"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_CJK_OR_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_MASK = re.compile(r"[*＊]|^\d+$")


def review_words(text: str) -> list[str]:
    """The words of a review for the drivers: jieba's words (``stats.triage.words``, without
    its bigrams), stop words and masked fragments (``***``, digits) out."""
    from guanxi.stats import triage

    return [
        w
        for w in triage.words(text or "")
        if " " not in w and w not in STOP_WORDS and _CJK_OR_WORD.search(w) and not _MASK.search(w)
    ]


def negative_drivers(
    period: Period, *, top: int = 8, min_count: int = 2, products: int = 12
) -> list[dict[str, Any]]:
    """Per product with bad reviews in ``period``: ``metrics.reviews.drivers`` of its bad
    reviews (≤ 2 stars or negative) against its other reviews — the ``products`` products
    with the most bad reviews that have a driver at all (a page of forty cards saying
    "none" helps no one)."""
    if not _has_reviews():
        return []
    s = scored(period)
    # Counted in the engine per product, text and bad-or-not: Python sees each distinct
    # text once per product, not every review (a large shop repeats "好评" 100,000 times).
    flag = (s.rating.cast("int64") <= metric.BAD_TO) | (s.sentiment == "negative")
    s = s.mutate(bad=flag.fill_null(False), text=s.text.fill_null(""))
    grouped = s.group_by(["product_id", "text", "bad"]).aggregate(n=s.count())
    rows = lake.get().arrow(grouped).to_pylist()
    words: dict[str, list[str]] = {}
    per: dict[str, tuple[list[tuple[list[str], int]], list[tuple[list[str], int]]]] = {}
    for row in rows:
        text = row["text"]
        if text not in words:
            words[text] = review_words(text)
        bad, other = per.setdefault(row["product_id"], ([], []))
        (bad if row["bad"] else other).append((words[text], int(row["n"])))
    out: list[dict[str, Any]] = []
    for product, (bad, other) in per.items():
        if not bad:
            continue
        found = metric.weighted_drivers(bad, other, min_count=min_count, top=top)
        if not found:
            continue
        n_bad, n_other = sum(w for _d, w in bad), sum(w for _d, w in other)
        out.append({"product_id": product, "bad": n_bad, "others": n_other, "drivers": found})
    out.sort(key=lambda x: (-int(x["bad"]), str(x["product_id"])))
    return out[:products]


# -- churn beside ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Churn:
    """流失率 = 1 − 客户保持度 of the customer analytics page (``metrics.retention.
    customer_retention``): of the customers who paid in the ``months`` before the window
    ending ``as_of``, the share who did not pay again in it."""

    as_of: dt.date
    months: int
    previous_buyers: int
    lost: int
    rate: float | None


def churn_beside(period: Period) -> Churn:
    """The churn rate at the end of ``period`` (1 − the customer analytics page's retention),
    over the customer classes' trailing window; when nobody bought in the window before it
    (a shop with less than two such windows of data), over the longest shorter retention
    window that had buyers — the window is named with the figure. The dashboard shows this
    same figure."""
    from guanxi.customers import analytics
    from guanxi.customers import rules as customer_rules

    first = customer_rules.class_rules().trailing_months
    shorter = sorted((m for m in analytics.RETENTION_WINDOWS if m < first), reverse=True)
    for months in (first, *shorter):
        found = analytics.retention(period.end, months)
        if found is None:
            break
        if found.previous_buyers:
            lost = found.previous_buyers - found.retained
            return Churn(
                period.end, months, found.previous_buyers, lost, lost / found.previous_buyers
            )
    return Churn(period.end, first, 0, 0, None)


def churn_by_month(period: Period) -> dict[dt.date, Churn]:
    """The churn rate at the end of each month of ``period`` (the part of it inside the
    period), keyed by the month's first day: satisfaction and churn month by month."""
    return {month.start.replace(day=1): churn_beside(month) for month in _months(period)}
