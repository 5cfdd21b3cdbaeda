"""Reads behind the dashboard: store figures from the lake for a period and the one before."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from guanxi import lake
from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_schedules, agent_teams
from guanxi.core.timeutil import Period, buckets, month_period
from guanxi.metrics.agents import (
    NO_TEAM,
    SHOP,
    AgentReport,
    agent_report_series,
    in_units,
)
from guanxi.metrics.dsr import DsrMonth, dsr_months
from guanxi.metrics.funnel import Funnel, store_funnel
from guanxi.metrics.store import StoreFigures, store_daily, store_figures
from guanxi.performance import shop_settings
from guanxi.performance.models import ShopSettings
from guanxi.performance.services import industry_map


def store_period_figures(period: Period) -> StoreFigures:
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


VIEWS = ("agent", "team", "shop")
"""Whose figures a report gives: each agent's, each team's (客服组) or the whole shop's."""


def agent_period_reports(
    period: Period, agent_id: str = "", *, shop: ShopSettings | None = None
) -> list[AgentReport]:
    """Every agent's report for ``period`` (or one agent's), with the shop's thresholds and
    windows (``shop``: settings already read in this request)."""
    reports = unit_period_reports(period, "agent", shop=shop)
    return [r for r in reports if not agent_id or r.unit == agent_id]


def unit_period_reports(
    period: Period, view: str = "agent", *, shop: ShopSettings | None = None
) -> list[AgentReport]:
    """The reports of ``view``'s units for ``period``: agents, teams (``agent_id`` is the
    team's name, or ``NO_TEAM``) or the shop (one report, ``agent_id`` ``SHOP``)."""
    return unit_series([period], view, shop=shop)[0]


def period_series(
    period: Period,
    by: str,
    view: str = "agent",
    unit: str = "",
    *,
    shop: ShopSettings | None = None,
) -> list[tuple[Period, list[AgentReport]]]:
    """``period`` by day, week or month (``by``): each part with the reports of ``view``'s
    units (only ``unit``'s when given)."""
    parts = buckets(period, by)
    series = unit_series(parts, view, shop=shop)
    return [
        (part, [r for r in reports if not unit or r.unit == unit])
        for part, reports in zip(parts, series, strict=True)
    ]


MAX_PARTS = 31
"""The most parts a trend page or request may ask for (a month by day). Each part costs a
pass over its period's counts (about 0.6 s on the demo shop), so the pages keep the wait
near what a month by day takes; the CLI, which nobody waits on in a browser, has no cap."""


def roster_units(view: str) -> list[str]:
    """The units of ``view`` the roster knows, whether or not they have figures: every
    agent's id, every team's name, or the shop."""
    if view == "shop":
        return [SHOP]
    if view == "team":
        return sorted(set(agent_teams().values()))
    return list(Agent.objects.order_by("agent_id").values_list("agent_id", flat=True))


def unit_series(
    periods: list[Period], view: str, *, shop: ShopSettings | None = None
) -> list[list[AgentReport]]:
    """The reports of ``view``'s units for each of ``periods``, in one pass (a period and
    the one before it share their sessions' window pass)."""
    if view not in VIEWS:
        raise ValueError(f"{view!r} is not one of {', '.join(VIEWS)}")
    shop = shop or shop_settings.current()
    facts = lake.get()
    chats = facts.table("chat_messages")
    if view == "team":
        chats = in_units(chats, agent_teams(), NO_TEAM)
    elif view == "shop":
        chats = in_units(chats, {}, SHOP)
    series = agent_report_series(
        chat_messages=chats,
        orders=facts.table("orders"),
        refunds=facts.table("refunds"),
        periods=periods,
        time_zone=settings.TIME_ZONE,
        arrow=facts.arrow,
        service_rules=shop_settings.service_rules(shop),
        attribution_rules=shop_settings.attribution_rules(shop),
        platform_rules=shop_settings.platform_rules(shop),
        # Rotas are agents': teams and the shop have no business-time figures.
        schedules=agent_schedules() if view == "agent" else None,
    )
    # Teams by name with the agents in no team (未分组) last, not first as "*none" sorts.
    return [sorted(reports, key=lambda r: (r.unit == NO_TEAM, r.unit)) for reports in series]


def latest_dsr_month() -> tuple[int, int] | None:
    shop = lake.get()
    table = shop.table("dsr_ratings")
    latest = shop.arrow(table.rated_at.max()).as_py()
    if latest is None:
        return None
    local = latest.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
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
    return dsr_months(
        shop.table("dsr_ratings"),
        last,
        months,
        settings.TIME_ZONE,
        shop.arrow,
        industry=industry_map(),
        window_months=window or 6,
        window_days=window_days,
    )


def funnel(period: Period) -> Funnel:
    shop = lake.get()
    return store_funnel(
        traffic=shop.table("traffic_daily"),
        orders=shop.table("orders"),
        chat_messages=shop.table("chat_messages"),
        period=period,
        time_zone=settings.TIME_ZONE,
        arrow=shop.arrow,
    )
