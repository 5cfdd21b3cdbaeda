"""``/api/performance/…``: the agent report, the scorecard and the DSR as JSON.

An agent (without ``accounts.view_all_agents``) sees only their own figures; the shop-wide
endpoints need ``accounts.view_shop_figures``.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_id_of
from guanxi.core.timeutil import Period
from guanxi.metrics import scorecard
from guanxi.metrics.agents import AGENT_METRICS, KEYS, AgentReport
from guanxi.metrics.diagnosis import Finding, diagnose
from guanxi.web import selectors
from guanxi.web.exports.dsr import dsr_json
from guanxi.web.exports.funnel import funnel_json
from guanxi.web.exports.values import json_value

router = Router(tags=["performance"])


class PeriodQuery(Schema):
    start: dt.date
    end: dt.date
    agent: str = ""


class FindingOut(Schema):
    metric: str
    why: str
    causes: str
    remedies: str


class AgentOut(Schema):
    agent: str
    consulting_customers: int
    received_customers: int
    inquirers: int
    sales_amount: str
    sales_units: int
    buyers: int
    aov: str | None
    units_per_buyer: float | None
    aov_ratio: float | None
    inquiry_conversion_final: float | None
    inquiry_conversion_next_day: float | None
    payment_rate: float | None
    order_loss_rate: float | None
    first_response_seconds: float | None
    avg_response_seconds: float | None
    slow_response_customers: int
    three_minute_rate: float | None
    answer_ratio: float | None
    reply_rate: float | None
    mean_session_seconds: float | None
    returns: int
    return_rate: float | None
    diagnosis: list[FindingOut]


class AgentsOut(Schema):
    start: dt.date
    end: dt.date
    has_data: bool
    agents: list[AgentOut]


class ItemOut(Schema):
    metric: str
    value: float | None
    band: str | None
    score: float
    weight: float
    weighted: float


class ScoreOut(Schema):
    agent: str
    total: float
    items: list[ItemOut]


def _period(query: PeriodQuery) -> Period:
    if query.start > query.end:
        raise HttpError(400, f"start {query.start} is after end {query.end}")
    return Period(query.start, query.end)


def _visible(request: HttpRequest, wanted: str) -> str:
    """The agent filter this user may use: their own id unless they may see everyone."""
    if request.user.has_perm("accounts.view_all_agents"):
        return wanted
    own = agent_id_of(request.user)
    if not own:
        raise HttpError(403, "this account is linked to no agent id")
    if wanted and wanted != own:
        raise HttpError(403, "agents see only their own figures")
    return own


@router.get("/agents", response=AgentsOut, summary="客服绩效: every agent metric")
def agents(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, object]:
    period = _period(query)
    agent = _visible(request, query.agent)
    team = selectors.agent_period_reports(period)
    findings = diagnose(team, scorecard.load(None, KEYS))
    shown = [r for r in team if not agent or r.agent_id == agent]
    return {
        "start": period.start,
        "end": period.end,
        "has_data": bool(shown),
        "agents": [agent_out(r, findings) for r in shown],
    }


def agent_out(report: AgentReport, findings: dict[str, list[Finding]]) -> dict[str, object]:
    """One agent's figures (amounts as strings) and diagnosis, as ``AgentOut``."""
    return (
        {"agent": report.agent_id}
        | {m.key: json_value(getattr(report, m.key), m.kind) for m in AGENT_METRICS}
        | {
            "diagnosis": [
                {"metric": f.metric, "why": f.why, "causes": f.causes, "remedies": f.remedies}
                for f in findings.get(report.agent_id, [])
            ]
        }
    )


@router.get("/scorecard", response=list[ScoreOut], summary="KPI 复合模型: scores per agent")
def scores(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, object]]:
    period = _period(query)
    agent = _visible(request, query.agent)
    card = scorecard.load(None, KEYS)
    reports = [
        r for r in selectors.agent_period_reports(period) if not agent or r.agent_id == agent
    ]
    return [
        score_out(scorecard.score(card, r.agent_id, {m: getattr(r, m) for m in card.metrics}))
        for r in reports
    ]


def score_out(s: scorecard.AgentScore) -> dict[str, object]:
    return {
        "agent": s.agent,
        "total": float(s.total),
        "items": [
            {
                "metric": i.metric,
                "value": None if i.value is None else float(i.value),
                "band": i.band,
                "score": float(i.score),
                "weight": float(i.weight),
                "weighted": float(i.weighted),
            }
            for i in s.items
        ],
    }


class DsrDimensionOut(Schema):
    score: float | None
    industry: float | None
    trend: str | None
    below_industry: bool


class DsrMonthOut(Schema):
    month: str
    ratings: int
    description: DsrDimensionOut
    service: DsrDimensionOut
    logistics: DsrDimensionOut


@router.get("/dsr", response=list[DsrMonthOut], summary="店铺动态评分 against industry")
def dsr(
    request: HttpRequest, months: int = 6, window: int = 6, window_days: int | None = None
) -> list[dict[str, object]]:
    """Rolling over ``window`` months (Taobao: 6), or over ``window_days`` days ending with
    each month's last day when given (Douyin: 60). Empty when the lake has no ratings."""
    if not request.user.has_perm("accounts.view_shop_figures"):
        raise HttpError(403, "needs the shop figures permission")
    if not 1 <= months <= 36 or not 1 <= window <= 12:
        raise HttpError(400, "months must be 1–36 and window 1–12")
    if window_days is not None and not 1 <= window_days <= 400:
        raise HttpError(400, "window_days must be 1–400")
    last = selectors.latest_dsr_month()
    if last is None:
        return []
    return dsr_json(selectors.dsr_trend(last, months, window, window_days))


class FunnelStepOut(Schema):
    step: str
    count: int
    step_rate: float | None
    overall_rate: float | None


class FunnelPeriodOut(Schema):
    start: dt.date
    end: dt.date
    has_data: bool
    steps: list[FunnelStepOut]


class FunnelOut(FunnelPeriodOut):
    previous: FunnelPeriodOut


def _funnel_out(period: Period) -> dict[str, object]:
    data = funnel_json(selectors.funnel(period))
    return {
        "start": period.start,
        "end": period.end,
        "has_data": data["has_data"],
        "steps": data["steps"],
    }


@router.get(
    "/funnel",
    response=FunnelOut,
    summary="店铺转化漏斗: visitors → consulting → ordering → paying, previous period beside",
)
def funnel(request: HttpRequest, query: Query[PeriodQuery]) -> dict[str, object]:
    """Rates are fractions (0.0367 = 3.67 %); null when the step before had nobody."""
    if not request.user.has_perm("accounts.view_shop_figures"):
        raise HttpError(403, "needs the shop figures permission")
    period = _period(query)
    return _funnel_out(period) | {"previous": _funnel_out(period.previous())}
