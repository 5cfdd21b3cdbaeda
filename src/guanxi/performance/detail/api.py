"""``/api/performance/agents/{id}/daily|distribution|stages|slowest`` and
``/api/performance/sessions/{id}``: one agent in depth, one conversation with its waits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_id_of
from guanxi.metrics.agent_detail import DAILY_KEYS
from guanxi.metrics.agents import AGENT_METRICS
from guanxi.performance.access import may_view_agent, may_view_session
from guanxi.performance.detail import selectors as detail_selectors
from guanxi.web import converters  # noqa: F401 (registers {text_id:…} before the routes)
from guanxi.web.api import PeriodIn, period_of
from guanxi.web.exports.values import json_value

router = Router(tags=["performance"])
METRIC_KINDS = {m.key: m.kind for m in AGENT_METRICS}


class DetailQuery(PeriodIn):
    """The period of the agent's figures."""


class SlowestQuery(DetailQuery):
    limit: int = detail_selectors.SLOWEST_LIMIT


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


def _agent_allowed(request: HttpRequest, agent_id: str) -> None:
    if not may_view_agent(request.user, agent_id):
        raise HttpError(403, "agents see only their own detail")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else timezone.localtime(value)


@router.get(
    "/agents/{text_id:agent_id}/daily",
    response=DailyOut,
    summary="客服详情: the agent's daily figures",
)
def agent_daily(request: HttpRequest, agent_id: str, query: Query[DetailQuery]) -> dict[str, Any]:
    period = period_of(query)
    _agent_allowed(request, agent_id)
    days = detail_selectors.agent_days(agent_id, period)
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
    "/agents/{text_id:agent_id}/distribution",
    response=DistributionOut,
    summary="响应时间分布: the agent's answered rounds by wait",
)
def agent_distribution(
    request: HttpRequest, agent_id: str, query: Query[DetailQuery]
) -> dict[str, Any]:
    period = period_of(query)
    _agent_allowed(request, agent_id)
    dist = detail_selectors.response_distribution(agent_id, period)
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
    "/agents/{text_id:agent_id}/stages",
    response=StagesOut,
    summary="接待阶段: the agent's sessions by stage",
)
def agent_stages(request: HttpRequest, agent_id: str, query: Query[DetailQuery]) -> dict[str, Any]:
    period = period_of(query)
    _agent_allowed(request, agent_id)
    mix = detail_selectors.stage_mix(agent_id, period)
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
    "/agents/{text_id:agent_id}/slowest",
    response=SlowestOut,
    summary="等待最久的轮次: the agent's slowest answered rounds",
)
def agent_slowest(
    request: HttpRequest, agent_id: str, query: Query[SlowestQuery]
) -> dict[str, Any]:
    period = period_of(query)
    if not 1 <= query.limit <= 200:
        raise HttpError(400, "limit must be 1–200")
    _agent_allowed(request, agent_id)
    rows = detail_selectors.slowest_rounds(agent_id, period, query.limit)
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
    "/sessions/{text_id:session_id}",
    response=SessionOut,
    summary="会话详情: one conversation with its waits",
)
def session(request: HttpRequest, session_id: str) -> dict[str, Any]:
    if not request.user.has_perm("accounts.view_all_agents") and not agent_id_of(request.user):
        raise HttpError(403, "this account is linked to no agent id")
    conversation = detail_selectors.conversation(session_id)
    if conversation is None:
        raise HttpError(404, f"no session {session_id}")
    if not may_view_session(request.user, conversation.agents, conversation.customer_key):
        raise HttpError(403, "agents see only the sessions they served")
    # Masked on display for everyone: this page has no reveal (the customer page has).
    conversation = detail_selectors.masked_conversation(conversation)
    key = conversation.customer_key
    return {
        "session_id": conversation.session_id,
        "platform": conversation.platform,
        "customer_key": key,
        "customer_name": detail_selectors.masked_names([key]).get(key, "") if key else "",
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
