"""``/api/satisfaction/reviews/…``: 好评率 by month and product, themes, and the bad-review
alerts. Every endpoint needs ``satisfaction.view_reviewalert`` (403 otherwise); alerts are
those the user may see (``alerts.visible``). No text and no personal data in the answers:
reviews are named by platform and id, customers not at all."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from guanxi.satisfaction import alerts, review_selectors
from guanxi.satisfaction.models import AlertReason, AlertStatus
from guanxi.stats.review_themes import THEMES
from guanxi.web.api import PeriodIn, period_of

router = Router(tags=["satisfaction"])
VIEW = "satisfaction.view_reviewalert"


FIGURES = "satisfaction.view_results"


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW):
        raise HttpError(403, "needs the review alerts permission (satisfaction.view_reviewalert)")


def _figures_allowed(request: HttpRequest) -> None:
    """Shop-wide figures (好评率, churn, themes): not for agents, as elsewhere."""
    if not request.user.has_perm(FIGURES):
        raise HttpError(403, "needs the results permission (satisfaction.view_results)")


class RateOut(Schema):
    key: str
    reviews: int
    good: int
    neutral: int
    bad: int
    good_rate: float | None


class GoodRateOut(Schema):
    start: dt.date
    end: dt.date
    total: RateOut
    months: list[RateOut]
    products: list[RateOut]
    churn_rate: float | None
    churn_window_months: int


def _rate(key: str, r: dict[str, object]) -> dict[str, object]:
    return {"key": key, **{k: r[k] for k in ("reviews", "good", "neutral", "bad", "good_rate")}}


@router.get("/good-rate", response=GoodRateOut, summary="好评率 by month and by product")
def good_rate(request: HttpRequest, query: Query[PeriodIn]) -> dict[str, object]:
    """4–5 stars ÷ all reviews over the period, per local month and per product; the churn
    rate of the customer analytics (1 − 客户保持度) at the period's end beside."""
    _figures_allowed(request)
    period = period_of(query)
    s = review_selectors.good_rate_summary(period)
    churn = review_selectors.churn_beside(period)
    return {
        "start": period.start,
        "end": period.end,
        "total": _rate("total", s.__dict__),
        "months": [
            _rate(f"{r['month']:%Y-%m}", r) for r in review_selectors.good_rate_by_month(period)
        ],
        "products": [
            _rate(str(r["product_id"]), r) for r in review_selectors.good_rate_by_product(period)
        ],
        "churn_rate": churn.rate,
        "churn_window_months": churn.months,
    }


class ThemeOut(Schema):
    theme: str
    reviews: int
    bad_reviews: int


class ProductThemesOut(Schema):
    product_id: str | None  # null: the whole shop
    reviews: int
    bad_reviews: int
    themes: list[ThemeOut]


@router.get("/themes", response=list[ProductThemesOut], summary="Review themes by product")
def themes(request: HttpRequest, query: Query[PeriodIn]) -> list[dict[str, object]]:
    """Per product (the shop first, ``product_id`` null): reviews mentioning each of the six
    themes, among all reviews and among the bad ones (≤ 2 stars or negative)."""
    _figures_allowed(request)
    rows = review_selectors.themes_by_product(period_of(query))
    return [
        {
            "product_id": r["product_id"],
            "reviews": r["reviews"],
            "bad_reviews": r["negative_reviews"],
            "themes": [
                {"theme": t, "reviews": r["themes"][t][0], "bad_reviews": r["themes"][t][1]}
                for t in THEMES
            ],
        }
        for r in rows
    ]


class AlertOut(Schema):
    id: int
    platform: str
    review_id: str
    product_id: str
    reviewed_at: dt.datetime
    rating: int
    sentiment: str
    reason: str
    status: str
    owner: str | None
    ticket_id: int | None
    responded_at: dt.datetime | None


class AlertsOut(Schema):
    total: int
    open: int
    overdue: int
    responded: int
    median_hours_to_respond: float | None
    alerts: list[AlertOut]


@router.get("/alerts", response=AlertsOut, summary="Bad-review alerts and response tracking")
def alert_list(
    request: HttpRequest, status: str = "", reason: str = "", product: str = "", limit: int = 100
) -> dict[str, object]:
    """The alerts the user may see, newest review first (at most ``limit``, 1–1000),
    filtered by ``status`` and ``reason``; the tracking figures over all of them."""
    _allowed(request)
    if status and status not in AlertStatus.values:
        raise HttpError(400, f"status must be one of {', '.join(AlertStatus.values)}")
    if reason and reason not in AlertReason.values:
        raise HttpError(400, f"reason must be one of {', '.join(AlertReason.values)}")
    if not 1 <= limit <= 1000:
        raise HttpError(400, "limit must be 1–1000")
    seen = alerts.visible(request.user)
    t = alerts.tracking(seen)
    found = seen
    if status:
        found = found.filter(status=status)
    if reason:
        found = found.filter(reason=reason)
    if product:
        found = found.filter(product_id=product)
    return {
        "total": t.total,
        "open": t.open,
        "overdue": t.overdue,
        "responded": t.responded,
        "median_hours_to_respond": t.median_hours,
        "alerts": [
            {
                "id": a.pk,
                "platform": a.platform,
                "review_id": a.review_id,
                "product_id": a.product_id,
                "reviewed_at": a.reviewed_at,
                "rating": a.rating,
                "sentiment": a.sentiment,
                "reason": a.reason,
                "status": a.status,
                "owner": a.owner.get_username() if a.owner else None,
                "ticket_id": a.ticket_id,
                "responded_at": a.responded_at,
            }
            for a in found[:limit]
        ],
    }
