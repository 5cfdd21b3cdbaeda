"""``/api/performance/…``: the agent report, the scorecard and the DSR as JSON; one agent in
depth (daily figures, response-time distribution, stages, slowest rounds) and one session.

An agent (without ``accounts.view_all_agents``) sees only their own figures; the shop-wide
endpoints need ``accounts.view_shop_figures``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_id_of
from guanxi.core.timeutil import Period
from guanxi.metrics import scorecard
from guanxi.metrics.agent_detail import DAILY_KEYS
from guanxi.metrics.agents import AGENT_METRICS, KEYS
from guanxi.metrics.diagnosis import diagnose
from guanxi.performance import selectors as agent_selectors
from guanxi.performance.access import may_view_agent, may_view_session
from guanxi.web import selectors
from guanxi.web.exports.dsr import dsr_json
from guanxi.web.exports.values import json_value

router = Router(tags=["performance"])
METRIC_KINDS = {m.key: m.kind for m in AGENT_METRICS}


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
        "agents": [
            {"agent": r.agent_id}
            | {m.key: json_value(getattr(r, m.key), m.kind) for m in AGENT_METRICS}
            | {
                "diagnosis": [
                    {"metric": f.metric, "why": f.why, "causes": f.causes, "remedies": f.remedies}
                    for f in findings.get(r.agent_id, [])
                ]
            }
            for r in shown
        ],
    }


@router.get("/scorecard", response=list[ScoreOut], summary="KPI 复合模型: scores per agent")
def scores(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, object]]:
    period = _period(query)
    agent = _visible(request, query.agent)
    card = scorecard.load(None, KEYS)
    reports = [
        r for r in selectors.agent_period_reports(period) if not agent or r.agent_id == agent
    ]
    out = []
    for r in reports:
        s = scorecard.score(card, r.agent_id, {m: getattr(r, m) for m in card.metrics})
        out.append(
            {
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
        )
    return out


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
def dsr(request: HttpRequest, months: int = 6, window: int = 6) -> list[dict[str, object]]:
    if not request.user.has_perm("accounts.view_shop_figures"):
        raise HttpError(403, "needs the shop figures permission")
    if not 1 <= months <= 36 or not 1 <= window <= 12:
        raise HttpError(400, "months must be 1–36 and window 1–12")
    last = selectors.latest_dsr_month()
    if last is None:
        return []
    return dsr_json(selectors.dsr_trend(last, months, window))


# -- one agent in depth, one conversation ---------------------------------------------------------
class DetailQuery(Schema):
    start: dt.date
    end: dt.date


class SlowestQuery(DetailQuery):
    limit: int = agent_selectors.SLOWEST_LIMIT


class DayOut(Schema):
    day: dt.date
    received_customers: int
    first_response_seconds: float | None
    avg_response_seconds: float | None
    three_minute_rate: float | None
    inquirers: int
    inquiry_conversion_final: float | None
    sales_amount: str


class DailyOut(Schema):
    agent: str
    start: dt.date
    end: dt.date
    has_data: bool
    days: list[DayOut]


class BucketOut(Schema):
    lower: int | None = Field(description="exclusive, seconds; null: from 0")
    upper: int | None = Field(description="inclusive, seconds; null: open-ended")
    rounds: int
    share: float | None


class DistributionOut(Schema):
    agent: str
    start: dt.date
    end: dt.date
    rounds: int
    median_seconds: float | None
    p90_seconds: float | None
    buckets: list[BucketOut]


class StageOut(Schema):
    stage: str
    sessions: int
    share: float | None


class StagesOut(Schema):
    agent: str
    start: dt.date
    end: dt.date
    sessions: int
    stages: list[StageOut]


class SlowRoundOut(Schema):
    session_id: str
    round_no: int
    customer_key: str | None
    asked_at: dt.datetime
    replied_at: dt.datetime
    wait_seconds: float


class SlowestOut(Schema):
    agent: str
    start: dt.date
    end: dt.date
    rounds: list[SlowRoundOut]


class MessageOut(Schema):
    message_id: str
    sender: str
    agent: str | None
    sent_at: dt.datetime
    text: str | None
    round_no: int | None
    round_start: bool


class RoundOut(Schema):
    round_no: int
    started_at: dt.datetime
    customer_messages: int
    answered_at: dt.datetime | None
    answered_by: str | None
    owner: str | None
    wait_seconds: float | None


class SessionOut(Schema):
    session_id: str
    platform: str
    customer_key: str
    customer_name: str = Field(description="masked (张*); empty when unknown")
    stage: str
    agents: list[str]
    truncated: bool
    messages: list[MessageOut]
    rounds: list[RoundOut]


def _detail_period(query: DetailQuery) -> Period:
    if query.start > query.end:
        raise HttpError(400, f"start {query.start} is after end {query.end}")
    return Period(query.start, query.end)


def _agent_allowed(request: HttpRequest, agent_id: str) -> None:
    if not may_view_agent(request.user, agent_id):
        raise HttpError(403, "agents see only their own detail")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else timezone.localtime(value)


@router.get(
    "/agents/{agent_id}/daily", response=DailyOut, summary="客服详情: the agent's daily figures"
)
def agent_daily(request: HttpRequest, agent_id: str, query: Query[DetailQuery]) -> dict[str, Any]:
    period = _detail_period(query)
    _agent_allowed(request, agent_id)
    days = agent_selectors.agent_days(agent_id, period)
    active = any(d.has_activity for d in days)
    return {
        "agent": agent_id,
        "start": period.start,
        "end": period.end,
        "has_data": active,
        "days": [
            {"day": d.day}
            | {key: json_value(getattr(d, key), METRIC_KINDS[key]) for key in DAILY_KEYS}
            for d in (days if active else [])
        ],
    }


@router.get(
    "/agents/{agent_id}/distribution",
    response=DistributionOut,
    summary="响应时间分布: the agent's answered rounds by wait",
)
def agent_distribution(
    request: HttpRequest, agent_id: str, query: Query[DetailQuery]
) -> dict[str, Any]:
    period = _detail_period(query)
    _agent_allowed(request, agent_id)
    dist = agent_selectors.response_distribution(agent_id, period)
    return {
        "agent": agent_id,
        "start": period.start,
        "end": period.end,
        "rounds": dist.rounds,
        "median_seconds": json_value(dist.median_seconds, "seconds"),
        "p90_seconds": json_value(dist.p90_seconds, "seconds"),
        "buckets": [
            {
                "lower": b.lower,
                "upper": b.upper,
                "rounds": b.rounds,
                "share": json_value(b.share, "percent"),
            }
            for b in dist.buckets
        ],
    }


@router.get(
    "/agents/{agent_id}/stages",
    response=StagesOut,
    summary="接待阶段: the agent's sessions by stage",
)
def agent_stages(request: HttpRequest, agent_id: str, query: Query[DetailQuery]) -> dict[str, Any]:
    period = _detail_period(query)
    _agent_allowed(request, agent_id)
    mix = agent_selectors.stage_mix(agent_id, period)
    return {
        "agent": agent_id,
        "start": period.start,
        "end": period.end,
        "sessions": sum(s.sessions for s in mix),
        "stages": [
            {"stage": s.stage, "sessions": s.sessions, "share": json_value(s.share, "percent")}
            for s in mix
        ],
    }


@router.get(
    "/agents/{agent_id}/slowest",
    response=SlowestOut,
    summary="等待最久的轮次: the agent's slowest answered rounds",
)
def agent_slowest(
    request: HttpRequest, agent_id: str, query: Query[SlowestQuery]
) -> dict[str, Any]:
    period = _detail_period(query)
    if not 1 <= query.limit <= 200:
        raise HttpError(400, "limit must be 1–200")
    _agent_allowed(request, agent_id)
    rows = agent_selectors.slowest_rounds(agent_id, period, query.limit)
    return {
        "agent": agent_id,
        "start": period.start,
        "end": period.end,
        "rounds": [
            {
                "session_id": r["session_id"],
                "round_no": r["round_no"],
                "customer_key": r["customer_key"],
                "asked_at": _local(r["started_at"]),
                "replied_at": _local(r["answered_at"]),
                "wait_seconds": round(r["response_seconds"], 3),
            }
            for r in rows
        ],
    }


@router.get(
    "/sessions/{session_id}",
    response=SessionOut,
    summary="会话详情: one conversation with its waits",
)
def session(request: HttpRequest, session_id: str) -> dict[str, Any]:
    if not request.user.has_perm("accounts.view_all_agents") and not agent_id_of(request.user):
        raise HttpError(403, "this account is linked to no agent id")
    conversation = agent_selectors.conversation(session_id)
    if conversation is None:
        raise HttpError(404, f"no session {session_id}")
    if not may_view_session(request.user, conversation.agents):
        raise HttpError(403, "agents see only the sessions they served")
    key = conversation.customer_key
    return {
        "session_id": conversation.session_id,
        "platform": conversation.platform,
        "customer_key": key,
        "customer_name": agent_selectors.masked_names([key]).get(key, "") if key else "",
        "stage": conversation.stage,
        "agents": sorted(conversation.agents),
        "truncated": conversation.truncated,
        "messages": [
            {
                "message_id": m["message_id"],
                "sender": m["sender"],
                "agent": m["agent_id"],
                "sent_at": _local(m["sent_at"]),
                "text": m["text"],
                "round_no": m["round_no"],
                "round_start": m["round_start"],
            }
            for m in conversation.messages
        ],
        "rounds": [
            {
                "round_no": r["round_no"],
                "started_at": _local(r["started_at"]),
                "customer_messages": r["customer_messages"],
                "answered_at": _local(r["answered_at"]),
                "answered_by": r["answered_by"],
                "owner": r["owner"],
                "wait_seconds": None
                if r["response_seconds"] is None
                else round(r["response_seconds"], 3),
            }
            for r in conversation.rounds
        ],
    }
