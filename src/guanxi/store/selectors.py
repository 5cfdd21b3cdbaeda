"""Reads behind the store pages: store figures, the daily series, DSR and funnel from the
lake, for a period and the one before."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from guanxi import lake
from guanxi.core.timeutil import Period, month_period
from guanxi.metrics.dsr import DsrMonth, dsr_months
from guanxi.metrics.funnel import Funnel, store_funnel
from guanxi.metrics.store import StoreFigures, store_daily, store_figures
from guanxi.performance import figure_cache, shop_settings
from guanxi.store.services import industry_map


def store_period_figures(period: Period) -> StoreFigures:
    """The store's figures (counted once per state of the lake: ``figure_cache``)."""
    return figure_cache.cached("store_figures", period, lambda: _store_figures(period))


def _store_figures(period: Period) -> StoreFigures:
    shop = lake.get()
    return store_figures(
        traffic=shop.table("traffic_daily"),
        orders=shop.table("orders"),
        refunds=shop.table("refunds"),
        chat_messages=shop.table("chat_messages"),
        period=period,
        time_zone=settings.TIME_ZONE,
        arrow=shop.arrow,
    )


def store_daily_series(period: Period) -> list[dict[str, Any]]:
    return figure_cache.cached("store_daily", period, lambda: _store_daily(period))


def _store_daily(period: Period) -> list[dict[str, Any]]:
    shop = lake.get()
    table = shop.arrow(
        store_daily(
            traffic=shop.table("traffic_daily"),
            orders=shop.table("orders"),
            chat_messages=shop.table("chat_messages"),
            period=period,
            time_zone=settings.TIME_ZONE,
        )
    )
    return list(table.to_pylist())


def latest_traffic_day() -> dt.date | None:
    """The last day the shop has traffic for (the demo and imports end in the past)."""
    return figure_cache.cached("latest_traffic_day", (), _latest_traffic_day)


def _latest_traffic_day() -> dt.date | None:
    shop = lake.get()
    traffic = shop.table("traffic_daily")
    value = shop.arrow(traffic.date.max()).as_py()
    return value if isinstance(value, dt.date) else None


def default_period(today: dt.date) -> Period:
    """The month of the latest data, or the current month when the lake is empty."""
    latest = latest_traffic_day() or today
    return month_period(latest.year, latest.month)


@dataclass(frozen=True)
class StoreOverview:
    current: StoreFigures
    previous: StoreFigures
    daily: list[dict[str, Any]]


def store_overview(period: Period) -> StoreOverview:
    return StoreOverview(
        current=store_period_figures(period),
        previous=store_period_figures(period.previous()),
        daily=store_daily_series(period),
    )


def latest_dsr_month() -> tuple[int, int] | None:
    """The (year, month) of the latest rating, local time; ``None`` without ratings."""
    return _dsr_month(last=True)


def earliest_dsr_month() -> tuple[int, int] | None:
    """The (year, month) of the first rating, local time; ``None`` without ratings."""
    return _dsr_month(last=False)


def _dsr_month(*, last: bool) -> tuple[int, int] | None:
    return figure_cache.cached("dsr_month", last, lambda: _dsr_month_counted(last=last))


def _dsr_month_counted(*, last: bool) -> tuple[int, int] | None:
    shop = lake.get()
    table = shop.table("dsr_ratings")
    moment = shop.arrow(table.rated_at.max() if last else table.rated_at.min()).as_py()
    if moment is None:
        return None
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return local.year, local.month


def dsr_trend(
    last: tuple[int, int], months: int, window: int | None = None, window_days: int | None = None
) -> list[DsrMonth]:
    """The rolling DSR of ``months`` months ending with ``last``: over ``window`` months, or
    ``window_days`` days (Douyin); neither given: the shop's setting (SPEC: 6 months)."""
    if window is None and window_days is None:
        unit, length = shop_settings.dsr_window()
        window, window_days = (None, length) if unit == "day" else (length, None)
    shop = lake.get()
    industry = industry_map()
    return figure_cache.cached(
        "dsr_trend",
        (last, months, window, window_days),
        lambda: dsr_months(
            shop.table("dsr_ratings"),
            last,
            months,
            settings.TIME_ZONE,
            shop.arrow,
            industry=industry,
            window_months=window or 6,
            window_days=window_days,
        ),
        depends=sorted(industry.items()),
    )


def funnel(period: Period) -> Funnel:
    return figure_cache.cached("funnel", period, lambda: _funnel(period))


def _funnel(period: Period) -> Funnel:
    shop = lake.get()
    return store_funnel(
        traffic=shop.table("traffic_daily"),
        orders=shop.table("orders"),
        chat_messages=shop.table("chat_messages"),
        period=period,
        time_zone=settings.TIME_ZONE,
        arrow=shop.arrow,
    )
