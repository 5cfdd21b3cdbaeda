"""``/api/reports/monthly``: the monthly report's figures as JSON (what the page and the PDF
show). The same rules as the page: an agent gets only their own row and score."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_teams
from guanxi.core.timeutil import parse_month
from guanxi.performance.schemas import (
    AgentOut,
    ScoreOut,
    UnitOut,
    agent_out,
    score_out,
    unit_out,
)
from guanxi.reports.monthly import default_month, monthly_report
from guanxi.reports.views import desk_scope, scope_of
from guanxi.servicedesk import report_presenters as desk_presenters
from guanxi.store.exports.dsr import dsr_json
from guanxi.store.schemas import DsrMonthOut, FunnelPeriodOut, StoreOut, funnel_out, store_out

router = Router(tags=["reports"])


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
    # The service desk's month (as /api/servicedesk/reports), null without the desk.
    servicedesk: dict[str, Any] | None


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
    report = monthly_report(year, number, shop=shop, agents=agents, **desk_scope(request))
    teams = agent_teams()
    return {
        "month": f"{report.month.start:%Y-%m}",
        "start": report.month.start,
        "end": report.month.end,
        "previous_month": f"{report.previous_month.start:%Y-%m}",
        "has_data": report.has_data,
        "agent": report.agent_id,
        "store": store_out(report.store),
        "store_previous": store_out(report.store_previous),
        "funnel": funnel_out(report.funnel),
        "funnel_previous": funnel_out(report.funnel_previous),
        "agents": [agent_out(r, report.findings, teams) for r in report.agents],
        "teams": [unit_out(r) for r in report.teams],
        "scores": [score_out(s) for s in report.scores],
        "dsr": dsr_json(report.dsr),
        "servicedesk": desk_presenters.as_json(report.desk) if report.desk else None,
    }
