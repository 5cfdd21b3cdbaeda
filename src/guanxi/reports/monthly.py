"""The monthly report's figures: the store (against the month before), the agents and their
scorecard, the DSR and the funnel — assembled from the selectors, nothing computed here.

Who sees what (the pages' rules): an agent's report holds only their own row and score —
the store, the DSR and the funnel are shop figures (``accounts.view_shop_figures``), which
agents do not have; a user with the shop figures but not ``accounts.view_all_agents``
(marketing) gets the shop without the agents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from guanxi.accounts.selectors import agent_teams
from guanxi.core.timeutil import Period, month_period
from guanxi.metrics import scorecard
from guanxi.metrics.agents import AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.metrics.dsr import DsrMonth
from guanxi.metrics.funnel import Funnel
from guanxi.metrics.scorecard import AgentScore
from guanxi.metrics.store import StoreFigures
from guanxi.performance import selectors as agent_selectors
from guanxi.performance import shop_settings
from guanxi.performance.scorecard import manual_scores
from guanxi.servicedesk.reports import DeskReport
from guanxi.store import selectors as store_selectors

DSR_MONTHS = 6  # the trend shown: the report's month and the five before


@dataclass(frozen=True)
class MonthlyReport:
    month: Period
    agent_id: str  # the only agent shown in an agent's own report, else ""
    store: StoreFigures | None  # None in an agent's report
    store_previous: StoreFigures | None
    daily: list[dict[str, object]]
    agents: list[AgentReport]
    scores: list[AgentScore]
    scorecard_name: str
    dsr: list[DsrMonth]
    funnel: Funnel | None
    funnel_previous: Funnel | None
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # diagnosis per agent
    # Each 客服组's own figures (``agent_id`` is the team, or NO_TEAM), when the roster has
    # teams and the report shows every agent; empty otherwise.
    teams: list[AgentReport] = field(default_factory=list)
    # The service desk's month (open tickets, SLA attainment, reopen and complaint rates,
    # top categories, CSAT) over the tickets the reader may see; None without the desk.
    desk: DeskReport | None = None

    @property
    def previous_month(self) -> Period:
        before = self.month.start - dt.timedelta(days=1)
        return month_period(before.year, before.month)

    @property
    def has_data(self) -> bool:
        """False when the month has no traffic, chats, orders or ratings at all."""
        shop = self.store is not None and self.store.has_data
        ratings = any(m.ratings for m in self.dsr[-1:])
        desk = self.desk is not None and self.desk.has_data
        return shop or bool(self.agents) or ratings or desk


def default_month(today: dt.date) -> tuple[int, int]:
    """The month of the latest data (the shop's traffic), or this month on an empty lake."""
    period = store_selectors.default_period(today)
    return period.start.year, period.start.month


def monthly_report(
    year: int,
    month: int,
    *,
    shop: bool = True,
    agents: str = "all",
    desk: bool = True,
    tickets: Any = None,
) -> MonthlyReport:
    """The report of one month. ``shop``: include the store, DSR and funnel; ``agents``:
    "all", "none" or one agent id (that agent's row and score only); ``desk``: include the
    service desk's section over ``tickets`` (the reader's ``visible_tickets``; None: every
    ticket, as the command line reports)."""
    period = month_period(year, month)
    desk_report = _desk(period, tickets) if desk else None
    before = period.start - dt.timedelta(days=1)
    previous = month_period(before.year, before.month)
    # The shop's scorecard, thresholds and the month's manual scores, as on the pages.
    settings = shop_settings.current()
    card = shop_settings.scorecard(settings)
    table = (
        agent_selectors.agent_table(period, only="" if agents == "all" else agents, shop=settings)
        if agents != "none"
        else None
    )
    shown = table.rows if table else []
    manual = manual_scores.latest_scores(period.start)
    scores = [
        scorecard.score(
            card,
            r.unit,
            {m: getattr(r, m) for m in card.metrics},
            {item: row.score for item, row in manual.get(r.unit, {}).items()},
        )
        for r in shown
    ]
    # Quartiles need the whole team, even in one agent's report (agent_table ranks so).
    findings = table.findings if table else {}
    team_of = agent_teams()
    own = "" if agents in ("all", "none") else agents
    teams = (
        agent_selectors.unit_period_reports(period, "team", shop=settings)
        if agents == "all" and table and table.every and team_of
        else []
    )
    if not shop:
        return MonthlyReport(
            period,
            own,
            None,
            None,
            [],
            shown,
            scores,
            card.name,
            [],
            None,
            None,
            findings,
            teams,
            desk_report,
        )
    return MonthlyReport(
        month=period,
        agent_id=own,
        store=store_selectors.store_period_figures(period),
        store_previous=store_selectors.store_period_figures(previous),
        daily=store_selectors.store_daily_series(period),
        agents=shown,
        scores=scores,
        scorecard_name=card.name,
        dsr=store_selectors.dsr_trend((year, month), DSR_MONTHS),  # the shop's window
        funnel=store_selectors.funnel(period),
        funnel_previous=store_selectors.funnel(previous),
        findings=findings,
        teams=teams,
        desk=desk_report,
    )


def _desk(period: Period, tickets: Any) -> DeskReport:
    from guanxi.servicedesk import report_selectors
    from guanxi.servicedesk.models import Ticket

    return report_selectors.desk_report(
        Ticket.objects.all() if tickets is None else tickets, period
    )
