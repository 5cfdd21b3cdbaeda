"""Reads behind the agent pages, API, CLI and monthly report: the agent report per agent,
team or shop, by period and by day/week/month, and ``agent_table``, the one assembly of the
agent table (diagnosis, the viewer's rows, the shop's own row) every entry point uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from guanxi import lake
from guanxi.accounts.models import Agent
from guanxi.accounts.selectors import agent_schedules, agent_teams
from guanxi.core.timeutil import Period, buckets
from guanxi.imports.derived import figures_from_derived
from guanxi.metrics.agents import AgentReport, agent_report_series, report_series
from guanxi.metrics.agents import in_units as in_raw_units
from guanxi.metrics.diagnosis import Finding, diagnose
from guanxi.metrics.facts import NO_TEAM, SHOP, for_agents, in_units
from guanxi.performance import shop_settings
from guanxi.performance.models import ShopSettings

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


MAX_PARTS = 366
"""The most parts a trend page or request may ask for (a year by day). From the derived
tables a series is counted in a few queries whatever its length; the cap bounds the page's
size and the raw path's work while the derived tables are being refreshed."""


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
    """The reports of ``view``'s units for each of ``periods``, in one pass: counted from
    the lake's derived tables when they are current, else from the raw messages (the
    reference path, slower; the pages then say the figures are being refreshed)."""
    if view not in VIEWS:
        raise ValueError(f"{view!r} is not one of {', '.join(VIEWS)}")
    shop = shop or shop_settings.current()
    facts = lake.get()
    common = {
        "orders": facts.table("orders"),
        "refunds": facts.table("refunds"),
        "periods": periods,
        "time_zone": settings.TIME_ZONE,
        "arrow": facts.arrow,
        "service_rules": shop_settings.service_rules(shop),
        "attribution_rules": shop_settings.attribution_rules(shop),
        "platform_rules": shop_settings.platform_rules(shop),
        # Rotas are agents': teams and the shop have no business-time figures.
        "schedules": agent_schedules() if view == "agent" else None,
    }
    if figures_from_derived():
        derived = facts.derived.facts()
        if view == "team":
            units = in_units(derived, agent_teams(), NO_TEAM)
        elif view == "shop":
            units = in_units(derived, {}, SHOP)
        else:
            units = for_agents(derived)
        series = report_series(units, **common)
    else:
        chats = facts.table("chat_messages")
        if view == "team":
            chats = in_raw_units(chats, agent_teams(), NO_TEAM)
        elif view == "shop":
            chats = in_raw_units(chats, {}, SHOP)
        series = agent_report_series(chat_messages=chats, **common)
    # Teams by name with the agents in no team (未分组) last, not first as "*none" sorts.
    return [sorted(reports, key=lambda r: (r.unit == NO_TEAM, r.unit)) for reports in series]


@dataclass(frozen=True)
class AgentTable:
    """The agent table of a period as every entry point shows it.

    ``rows``: the units shown (every unit of ``view``, or only ``only``'s); ``every``: all
    units, shown or not (which columns have figures); ``findings``: the
    diagnosis of agents (ranked against their whole team, whoever is shown; empty for teams
    and the shop); ``previous``: every unit's report of the period before, when asked;
    ``shop`` / ``shop_previous``: the shop's own figures, when asked.
    """

    period: Period
    view: str
    rows: list[AgentReport]
    every: list[AgentReport] = field(default_factory=list)  # every unit, shown or not
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    previous: list[AgentReport] = field(default_factory=list)
    shop: AgentReport | None = None
    shop_previous: AgentReport | None = None

    @property
    def has_data(self) -> bool:
        return bool(self.rows)


def agent_table(
    period: Period,
    *,
    view: str = "agent",
    only: str = "",
    with_previous: bool = False,
    with_shop: bool = False,
    shop: ShopSettings | None = None,
) -> AgentTable:
    """The table of ``view``'s units for ``period``: ``only`` keeps one unit's row (an agent
    restricted to their own, or a filter); ``with_previous`` adds the period before (one
    window pass for both); ``with_shop`` the shop's own row below the units."""
    shop = shop or shop_settings.current()
    periods = [period, period.previous()] if with_previous else [period]
    series = unit_series(periods, view, shop=shop)
    every = series[0]
    # Quartiles and targets are about agents, ranked within the agent's whole team.
    findings = (
        diagnose(every, shop_settings.scorecard(shop), peers=agent_teams())
        if view == "agent"
        else {}
    )
    rows = [r for r in every if not only or r.unit == only]
    table = AgentTable(
        period=period,
        view=view,
        rows=rows,
        every=every,
        findings={unit: f for unit, f in findings.items() if any(r.unit == unit for r in rows)},
        previous=series[1] if with_previous else [],
    )
    if not with_shop or view == "shop":
        return table
    # The shop's own figures: a customer two agents served counts once, response times are
    # over all rounds (not a sum or median of the rows above).
    whole = unit_series(periods, "shop", shop=shop)
    return AgentTable(
        period=table.period,
        view=table.view,
        rows=table.rows,
        every=table.every,
        findings=table.findings,
        previous=table.previous,
        shop=whole[0][0] if whole[0] else None,
        shop_previous=whole[1][0] if with_previous and whole[1] else None,
    )
