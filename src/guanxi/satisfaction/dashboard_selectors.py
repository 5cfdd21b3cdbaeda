"""Reads behind the satisfaction dashboard: every figure seed 001's model is fed by, for a
period, from where its own area counts it — survey answers from this app's models, DSR from
the store area, 好评率 from ``metrics.reviews`` over the lake, CSAT from the service desk,
churn from the customers area's retention. The arithmetic is ``satisfaction.dashboard``.

Everything here is a shop-wide aggregate: no customer is named, so the page needs no
masking and no ``agent_served`` filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
from django.conf import settings
from django.db.models import Count, Q, Sum

from guanxi import lake
from guanxi.core.timeutil import Period
from guanxi.metrics import reviews as review_metrics
from guanxi.performance import figure_cache
from guanxi.satisfaction import dashboard as model
from guanxi.satisfaction.models import Answer, Indicator, QuestionKind
from guanxi.servicedesk import csat
from guanxi.servicedesk.models import CsatRequest, Ticket
from guanxi.store import selectors as store_selectors

# Survey indicators per side of the balance (OVERALL and RECOMMEND are outcomes, not inputs).
_INDICATOR_SIDE: dict[str, str] = {
    Indicator.PRODUCT: model.PRODUCT,
    Indicator.VALUE: model.PRODUCT,
    Indicator.SERVICE: model.SERVICE,
    Indicator.LOGISTICS: model.SERVICE,
    Indicator.EXPECTATION: model.EXPECTATION,
}


def default_period(today: dt.date) -> Period:
    return store_selectors.default_period(today)


def survey_tallies(period: Period) -> dict[str, list[model.Tally]]:
    """Rating answers of responses submitted in ``period``, per side: one tally per scale
    (one query; SERVQUAL items give a perceived tally on the service side and an expected
    one on the expectation side, per Likert top)."""
    start, end = period.utc_bounds(settings.TIME_ZONE)
    answers = Answer.objects.filter(
        response__submitted_at__gte=start, response__submitted_at__lt=end, number__isnull=False
    )
    out: dict[str, list[model.Tally]] = {side: [] for side in model.SIDES}
    ratings = (
        answers.filter(
            question__kind__in=[QuestionKind.RATING5, QuestionKind.RATING10],
            question__indicator__in=list(_INDICATOR_SIDE),
        )
        .values("question__indicator", "question__kind")
        .annotate(n=Count("pk"), total=Sum("number"))
        .order_by("question__indicator", "question__kind")
    )
    for row in ratings:
        side = _INDICATOR_SIDE[row["question__indicator"]]
        out[side].append(model.Tally(row["question__kind"], row["n"], float(row["total"])))
    servqual = (
        answers.filter(question__kind=QuestionKind.SERVQUAL)
        .values("question__scale_max")
        .annotate(
            n=Count("pk"),
            perceived=Sum("number"),
            n_expected=Count("pk", filter=Q(expected__isnull=False)),
            expected=Sum("expected"),
        )
        .order_by("question__scale_max")
    )
    for sq in servqual:
        top = sq["question__scale_max"]
        out["servqual_perceived"] = [
            *out.get("servqual_perceived", []),
            model.Tally(model.LIKERT, sq["n"], float(sq["perceived"]), top),
        ]
        if sq["n_expected"]:
            out["servqual_expected"] = [
                *out.get("servqual_expected", []),
                model.Tally(model.LIKERT, sq["n_expected"], float(sq["expected"]), top),
            ]
    return out


@dataclass(frozen=True)
class ReviewFigures:
    reviews: int
    good: int
    bad: int
    good_rate: float | None
    # Past purchases (消费经历): the earlier reviews (before the period) of the customers who
    # reviewed in the period — the bar their own experience with this shop set.
    past_reviews: int
    past_customers: int
    past_mean: float | None


def review_figures(period: Period) -> ReviewFigures:
    return figure_cache.cached(
        "satisfaction_reviews", period, lambda: _review_figures(period), settings.TIME_ZONE
    )


def _review_figures(period: Period) -> ReviewFigures:
    shop = lake.get()
    if not shop.exists("reviews"):  # no reviews imported: every review figure is "no data"
        return ReviewFigures(0, 0, 0, None, 0, 0, None)
    reviews = shop.table("reviews")
    current = review_metrics.in_period(reviews, period, settings.TIME_ZONE)
    row = shop.arrow(review_metrics.good_rate(current)).to_pylist()[0]
    start, _end = period.utc_bounds(settings.TIME_ZONE)
    earlier = reviews.filter(
        (reviews.created_at < ibis.literal(start)) & reviews.customer_key.notnull()
    )
    who = current.filter(current.customer_key.notnull()).select("customer_key").distinct()
    past = earlier.semi_join(who, "customer_key")
    p = shop.arrow(
        past.aggregate(
            n=past.count(),
            customers=past.customer_key.nunique(),
            mean=past.rating.cast("float64").mean(),
        )
    ).to_pylist()[0]
    return ReviewFigures(
        reviews=int(row["reviews"] or 0),
        good=int(row["good"] or 0),
        bad=int(row["bad"] or 0),
        good_rate=row["good_rate"],
        past_reviews=int(p["n"] or 0),
        past_customers=int(p["customers"] or 0),
        past_mean=p["mean"],
    )


@dataclass(frozen=True)
class DsrFigures:
    month: dt.date | None  # the month whose rolling window is shown
    ratings: int
    scores: dict[str, float | None]


def dsr_figures(period: Period) -> DsrFigures:
    """The rolling DSR (the shop's window) of the period's last month, or of the latest
    month with ratings when the period ends after it."""
    if not lake.get().exists("dsr_ratings"):
        return DsrFigures(None, 0, {})
    latest = store_selectors.latest_dsr_month()
    if latest is None:
        return DsrFigures(None, 0, {})
    last = min((period.end.year, period.end.month), latest)
    months = store_selectors.dsr_trend(last, 1)
    if not months:
        return DsrFigures(None, 0, {})
    m = months[-1]
    scores = {k: (None if v is None else float(v)) for k, v in m.scores.items()}
    return DsrFigures(m.month, m.ratings, scores)


@dataclass(frozen=True)
class CsatFigures:
    asked: int
    answered: int
    mean: float | None
    satisfied: int  # 4–5
    unsatisfied: int  # 1–2
    csat_pct: float | None


def csat_figures(period: Period) -> CsatFigures:
    """The service desk's CSAT of the answers given in ``period`` (``csat.csat_summary``
    over the tickets answered then: each ticket has at most one answer)."""
    start, end = period.utc_bounds(settings.TIME_ZONE)
    in_period = Q(csat__answered_at__gte=start, csat__answered_at__lt=end)
    tickets = Ticket.objects.filter(in_period).distinct()
    rows = csat.rows_of(csat.csat_summary(tickets), "all")
    unsatisfied = CsatRequest.objects.filter(
        answered_at__gte=start, answered_at__lt=end, rating__lte=2
    ).count()
    if not rows:
        return CsatFigures(0, 0, None, 0, unsatisfied, None)
    r = rows[0]
    return CsatFigures(r.asked, r.answered, r.mean, r.satisfied, unsatisfied, r.csat_pct)


@dataclass(frozen=True)
class ChurnFigures:
    as_of: dt.date
    months: int
    previous_buyers: int
    retained: int
    rate: float | None  # churn, 0–1


def churn_figures(period: Period) -> ChurnFigures | None:
    """流失率 at the period's end: the reviews page's figure (``review_selectors.
    churn_beside``: 1 − the customer analytics' 客户保持度 over the classes' trailing window,
    or the longest shorter one with buyers); ``None`` when no window had buyers."""
    from guanxi.satisfaction import review_selectors

    c = review_selectors.churn_beside(period)
    if not c.previous_buyers:
        return None
    return ChurnFigures(
        c.as_of,
        c.months,
        c.previous_buyers,
        c.previous_buyers - c.lost,
        model.churn_rate(c.previous_buyers, c.previous_buyers - c.lost),
    )


@dataclass(frozen=True)
class Dashboard:
    period: Period
    sources: list[model.Source]
    balance: model.Balance
    word_of_mouth: model.WordOfMouth
    reviews: ReviewFigures
    dsr: DsrFigures
    csat: CsatFigures
    churn: ChurnFigures | None
    survey_answers: int


def dashboard(period: Period) -> Dashboard:
    tallies = survey_tallies(period)
    reviews = review_figures(period)
    dsr = dsr_figures(period)
    desk = csat_figures(period)
    sources = build_sources(tallies, reviews, dsr, desk)
    return Dashboard(
        period=period,
        sources=sources,
        balance=model.balance(sources),
        # Who is satisfied: reviews of 4–5 stars and desk CSAT answers of 4–5; unsatisfied:
        # 1–2 stars and CSAT 1–2 (3 is neither, as in 好评率 and CSAT).
        word_of_mouth=model.word_of_mouth(
            reviews.good + desk.satisfied, reviews.bad + desk.unsatisfied
        ),
        reviews=reviews,
        dsr=dsr,
        csat=desk,
        churn=churn_figures(period),
        survey_answers=sum(t.n for ts in tallies.values() for t in ts),
    )


def build_sources(
    tallies: dict[str, list[model.Tally]],
    reviews: ReviewFigures,
    dsr: DsrFigures,
    desk: CsatFigures,
) -> list[model.Source]:
    """Every source in the order the page shows them, each side's survey first."""

    def dsr_source(key: str, dimension: str, side: str) -> model.Source:
        return model.source(key, side, model.RATING5, dsr.scores.get(dimension), dsr.ratings)

    return [
        model.survey_source("survey_product", model.PRODUCT, tallies[model.PRODUCT]),
        dsr_source("dsr_description", "description", model.PRODUCT),
        model.source("good_rate", model.PRODUCT, model.SHARE, reviews.good_rate, reviews.reviews),
        model.survey_source("survey_service", model.SERVICE, tallies[model.SERVICE]),
        model.survey_source(
            "servqual_perceived", model.SERVICE, tallies.get("servqual_perceived", [])
        ),
        dsr_source("dsr_service", "service", model.SERVICE),
        dsr_source("dsr_logistics", "logistics", model.SERVICE),
        model.source("csat", model.SERVICE, model.RATING5, desk.mean, desk.answered),
        model.survey_source("survey_expectation", model.EXPECTATION, tallies[model.EXPECTATION]),
        model.survey_source(
            "servqual_expected", model.EXPECTATION, tallies.get("servqual_expected", [])
        ),
        model.source(
            "past_ratings",
            model.EXPECTATION,
            model.RATING5,
            reviews.past_mean,
            reviews.past_reviews,
        ),
    ]


def as_rows(board: Dashboard) -> list[dict[str, Any]]:
    """The sources as plain rows (export, API)."""
    return [
        {
            "key": s.key,
            "side": s.side,
            "scale": s.scale,
            "raw": s.raw,
            "n": s.n,
            "value": s.value,
        }
        for s in board.sources
    ]
