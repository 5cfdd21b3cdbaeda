"""``/api/reports/monthly``: the monthly report's figures as JSON (what the page and the PDF
show). The same rules as the page: an agent gets only their own row and score."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_teams
from guanxi.metrics.funnel import Funnel
from guanxi.metrics.store import METRICS, StoreFigures
from guanxi.performance.api import (
    AgentOut,
    DsrMonthOut,
    FunnelPeriodOut,
    ScoreOut,
    UnitOut,
    agent_out,
    score_out,
    unit_out,
)
from guanxi.reports.monthly import default_month, monthly_report, parse_month
from guanxi.reports.views import scope_of
from guanxi.web.exports.dsr import dsr_json
from guanxi.web.exports.funnel import funnel_json
from guanxi.web.exports.values import json_value

router = Router(tags=["reports"])


class StoreOut(Schema):
    has_data: bool
    pv: int
    uv: int
    visit_depth: float | None
    consulting_customers: int
    consult_rate: float | None
    paying_customers: int
    paid_amount: str
    aov: str | None
    conversion_rate: float | None
    refund_rate: float | None


class MonthlyOut(Schema):
    month: str
    start: dt.date
    end: dt.date
    previous_month: str
    has_data: bool
    agent: str  # set when this is one agent's own report
    store: StoreOut | None
    store_previous: StoreOut | None
    funnel: FunnelPeriodOut | None
    funnel_previous: FunnelPeriodOut | None
    agents: list[AgentOut]
    teams: list[UnitOut]  # each 客服组's own figures, when the roster has teams
    scores: list[ScoreOut]
    dsr: list[DsrMonthOut]


def _store(figures: StoreFigures | None) -> dict[str, object] | None:
    if figures is None:
        return None
    return {"has_data": figures.has_data} | {
        m.key: json_value(getattr(figures, m.key), m.kind) for m in METRICS
    }


def _funnel(funnel: Funnel | None) -> dict[str, object] | None:
    if funnel is None:
        return None
    data = funnel_json(funnel)
    return {
        "start": data["from"],
        "end": data["to"],
        "has_data": data["has_data"],
        "steps": data["steps"],
    }


@router.get("/monthly", response=MonthlyOut, summary="月度报告: the month's figures as JSON")
def monthly(request: HttpRequest, month: str = "") -> dict[str, object]:
    """``month`` as 2025-11 (default: the month of the latest data). Shop figures (store,
    funnel, DSR) are null for an agent, who gets only their own row and score."""
    try:
        shop, agents = scope_of(request)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    try:
        year, number = parse_month(month) if month else default_month(timezone.localdate())
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None
    report = monthly_report(year, number, shop=shop, agents=agents)
    teams = agent_teams()
    return {
        "month": f"{report.month.start:%Y-%m}",
        "start": report.month.start,
        "end": report.month.end,
        "previous_month": f"{report.previous_month.start:%Y-%m}",
        "has_data": report.has_data,
        "agent": report.agent_id,
        "store": _store(report.store),
        "store_previous": _store(report.store_previous),
        "funnel": _funnel(report.funnel),
        "funnel_previous": _funnel(report.funnel_previous),
        "agents": [agent_out(r, report.findings, teams) for r in report.agents],
        "teams": [unit_out(r) for r in report.teams],
        "scores": [score_out(s) for s in report.scores],
        "dsr": dsr_json(report.dsr),
    }
