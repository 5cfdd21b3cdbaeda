"""``/api/store/…``: the store figures of a period against the one before, the DSR trend
against the industry and the store funnel. Shop figures: ``accounts.view_shop_figures``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from guanxi.core.timeutil import Period
from guanxi.store import selectors as store_selectors
from guanxi.store.exports.dsr import dsr_json
from guanxi.store.schemas import DsrMonthOut, FunnelOut, StoreOut, funnel_out, store_out
from guanxi.web.api import PeriodIn, period_of

router = Router(tags=["store"])
SHOP_FIGURES = "accounts.view_shop_figures"


def _shop_figures(request: HttpRequest) -> None:
    if not request.user.has_perm(SHOP_FIGURES):
        raise HttpError(403, "needs the shop figures permission")


class OverviewOut(Schema):
    current: StoreOut
    previous: StoreOut


@router.get(
    "/overview",
    response=OverviewOut,
    summary="店铺概况: traffic, consultation, payment and refunds, the period before beside",
)
def overview(request: HttpRequest, query: Query[PeriodIn]) -> dict[str, object]:
    """The store overview's figures (rates are fractions; amounts are strings)."""
    _shop_figures(request)
    period = period_of(query)
    return {
        "current": store_out(store_selectors.store_period_figures(period)),
        "previous": store_out(store_selectors.store_period_figures(period.previous())),
    }


@router.get("/dsr", response=list[DsrMonthOut], summary="店铺动态评分 against industry")
def dsr(
    request: HttpRequest, months: int = 6, window: int | None = None, window_days: int | None = None
) -> list[dict[str, object]]:
    """Rolling over ``window`` months, or over ``window_days`` days ending with each month's
    last day (Douyin: 60); neither given: the shop's setting (SPEC: 6 months). Empty when
    the lake has no ratings."""
    _shop_figures(request)
    if not 1 <= months <= 36 or (window is not None and not 1 <= window <= 12):
        raise HttpError(400, "months must be 1–36 and window 1–12")
    if window_days is not None and not 1 <= window_days <= 400:
        raise HttpError(400, "window_days must be 1–400")
    last = store_selectors.latest_dsr_month()
    if last is None:
        return []
    return dsr_json(store_selectors.dsr_trend(last, months, window, window_days))


def _funnel_period(period: Period) -> dict[str, object]:
    return funnel_out(store_selectors.funnel(period)) or {}


@router.get(
    "/funnel",
    response=FunnelOut,
    summary="店铺转化漏斗: visitors → consulting → ordering → paying, previous period beside",
)
def funnel(request: HttpRequest, query: Query[PeriodIn]) -> dict[str, object]:
    """Rates are fractions (0.0367 = 3.67 %); null when the step before had nobody."""
    _shop_figures(request)
    period = period_of(query)
    return _funnel_period(period) | {"previous": _funnel_period(period.previous())}
