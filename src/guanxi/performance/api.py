"""``/api/performance/…``: the agent report, the scorecard and the DSR as JSON; the shop's
settings and the managers' manual scores; one agent in depth (daily figures, response-time
distribution, stages, slowest rounds) and one session.

An agent (without ``accounts.view_all_agents``) sees only their own figures (no team's, not
the shop's); the shop-wide endpoints need ``accounts.view_shop_figures``; settings and manual
scores are managers'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from guanxi.accounts.selectors import agent_id_of, agent_teams
from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import Period, buckets
from guanxi.metrics import scorecard
from guanxi.metrics.agent_detail import DAILY_KEYS
from guanxi.metrics.agents import AGENT_METRICS, SHOP, AgentReport
from guanxi.metrics.diagnosis import Finding, diagnose
from guanxi.performance import manual_scores, scoring, shop_settings
from guanxi.performance import selectors as agent_selectors
from guanxi.performance.access import may_view_agent, may_view_session, may_view_units
from guanxi.web import selectors
from guanxi.web.exports.agents import unit_label
from guanxi.web.exports.dsr import dsr_json
from guanxi.web.exports.funnel import funnel_json
from guanxi.web.exports.values import json_value

router = Router(tags=["performance"])
EDIT_SETTINGS = "performance.change_shopsettings"
ENTER_SCORES = "performance.add_manualscore"
METRIC_KINDS = {m.key: m.kind for m in AGENT_METRICS}


View = Literal["agent", "team", "shop"]
By = Literal["day", "week", "month"]


class PeriodQuery(Schema):
    start: dt.date
    end: dt.date
    agent: str = ""


class AgentsQuery(PeriodQuery):
    view: View = Field(
        "agent", description="each agent's figures, each team's (客服组) or the shop's"
    )


class TrendQuery(Schema):
    start: dt.date
    end: dt.date
    by: By = Field("day", description="parts: days, weeks (Monday–Sunday) or months")
    view: View = "agent"
    unit: str = Field(
        "",
        description=(
            "an agent's id (view=agent), a team's name or *none for the agents in no team "
            "(view=team); empty: every unit (an agent: their own)"
        ),
    )


class FindingOut(Schema):
    metric: str
    why: str
    causes: str
    remedies: str


class MetricsOut(Schema):
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
    first_response_business_seconds: float | None  # only agents with a rota
    avg_response_business_seconds: float | None
    pdd_effective_reply_rate: float | None  # SPEC §2's platform reply rules
    douyin_three_minute_rate: float | None


class AgentOut(MetricsOut):
    agent: str
    team: str = Field(description="the agent's team (客服组); empty when in none")
    diagnosis: list[FindingOut]


class UnitOut(MetricsOut):
    unit: str = Field(
        description="an agent's id, a team's name, *none (agents in no team) or *shop"
    )
    label: str = Field(description="as the pages show the unit: 未分组 / 全店 for *none / *shop")


class AgentsOut(Schema):
    start: dt.date
    end: dt.date
    view: View
    has_data: bool
    agents: list[AgentOut] = Field(description="view=agent: each agent with the diagnosis")
    units: list[UnitOut] = Field(
        description="view=team or shop: each team's or the shop's own figures (not sums)"
    )


class PartOut(Schema):
    start: dt.date
    end: dt.date
    rows: list[UnitOut] = Field(description="empty: no figures in this part")


class TrendOut(Schema):
    start: dt.date
    end: dt.date
    by: By
    view: View
    unit: str | None
    has_data: bool
    periods: list[PartOut]


class ItemOut(Schema):
    metric: str
    label: str
    manual: bool
    value: float | None
    band: str | None
    score: float
    weight: float
    weighted: float
    missing: bool  # a manual item not scored yet (counted as 0)
    recorded_by: str | None = None  # manual items: who entered the score that counts
    recorded_at: dt.datetime | None = None


class ScoreOut(Schema):
    agent: str
    rank: int | None  # among the team; None for an agent, who sees only their own row
    total: float
    complete: bool  # False while a manual item is unscored
    items: list[ItemOut]


def _period(query: PeriodQuery | TrendQuery) -> Period:
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


def _units_allowed(request: HttpRequest, view: str) -> None:
    if not may_view_units(request.user, view):
        raise HttpError(403, f"view={view}: team and shop figures are managers'")


@router.get(
    "/agents",
    response=AgentsOut,
    summary="客服绩效: every agent metric, per agent, per team or for the shop",
    description=(
        "view=agent (default): each agent (``agents``, with the diagnosis); view=team or "
        "shop (managers only): each team's or the shop's own figures (``units``): a "
        "customer two agents served counts once, response times are over all rounds."
    ),
)
def agents(request: HttpRequest, query: Query[AgentsQuery]) -> dict[str, object]:
    period = _period(query)
    _units_allowed(request, query.view)
    if query.agent and query.view != "agent":
        raise HttpError(400, "agent needs view=agent")
    agent = _visible(request, query.agent)
    shop = shop_settings.current()
    team = selectors.unit_period_reports(period, query.view, shop=shop)
    out: dict[str, object] = {
        "start": period.start,
        "end": period.end,
        "view": query.view,
        "agents": [],
        "units": [],
    }
    if query.view != "agent":
        return out | {"has_data": bool(team), "units": [unit_out(r) for r in team]}
    teams = agent_teams()
    findings = diagnose(team, shop_settings.scorecard(shop), peers=teams)
    shown = [r for r in team if not agent or r.unit == agent]
    rows = [agent_out(r, findings, teams) for r in shown]
    return out | {"has_data": bool(shown), "agents": rows}


def _metrics(report: AgentReport) -> dict[str, object]:
    return {m.key: json_value(getattr(report, m.key), m.kind) for m in AGENT_METRICS}


def unit_out(report: AgentReport) -> dict[str, object]:
    """One unit's figures (amounts as strings), as ``UnitOut``."""
    return {"unit": report.unit, "label": unit_label(report.unit)} | _metrics(report)


@router.get(
    "/trend",
    response=TrendOut,
    summary="趋势: the agent metrics by day, week or month, per agent, team or the shop",
    description=(
        f"At most {selectors.MAX_PARTS} parts (e.g. a month by day). A part without figures "
        "has no rows. An agent sees only their own trend (view=agent)."
    ),
)
def trend(request: HttpRequest, query: Query[TrendQuery]) -> dict[str, object]:
    period = _period(query)
    _units_allowed(request, query.view)
    unit = _visible(request, query.unit) if query.view == "agent" else query.unit
    if query.view == "shop":
        if unit not in ("", SHOP):
            raise HttpError(400, f"unit must be empty or {SHOP} with view=shop")
        unit = SHOP  # the shop's one unit
    parts = len(buckets(period, query.by))
    if parts > selectors.MAX_PARTS:
        raise HttpError(
            400,
            f"by={query.by} cuts {period.start} – {period.end} into {parts} parts; at most "
            f"{selectors.MAX_PARTS}: shorten the period or choose a longer step",
        )
    series = selectors.period_series(period, query.by, query.view, unit)
    return {
        "start": period.start,
        "end": period.end,
        "by": query.by,
        "view": query.view,
        "unit": unit or None,
        "has_data": any(reports for _part, reports in series),
        "periods": [
            {"start": part.start, "end": part.end, "rows": [unit_out(r) for r in reports]}
            for part, reports in series
        ],
    }


def agent_out(
    report: AgentReport, findings: dict[str, list[Finding]], teams: Mapping[str, str]
) -> dict[str, object]:
    """One agent's figures (amounts as strings), team and diagnosis, as ``AgentOut``."""
    return (
        {"agent": report.unit, "team": teams.get(report.unit, "")}
        | _metrics(report)
        | {
            "diagnosis": [
                {"metric": f.metric, "why": f.why, "causes": f.causes, "remedies": f.remedies}
                for f in findings.get(report.unit, [])
            ]
        }
    )


@router.get(
    "/scorecard",
    response=list[ScoreOut],
    summary="KPI 复合模型: scores per agent, ranked, with manual items",
    description=(
        "The shop's scorecard and thresholds. Manual items count when the period is one "
        "calendar month; an unscored manual item counts 0 and makes the total incomplete."
    ),
)
def scores(request: HttpRequest, query: Query[PeriodQuery]) -> list[dict[str, object]]:
    period = _period(query)
    agent = _visible(request, query.agent)
    scored = scoring.scored_period(period)
    sees_all = request.user.has_perm("accounts.view_all_agents")
    return [
        score_out(s, rank if sees_all else None, scored.manual.get(s.agent, {}))
        for rank, s in zip(scoring.ranks(scored.scores), scored.scores, strict=True)
        if not agent or s.agent == agent
    ]


def score_out(
    s: scorecard.AgentScore, rank: int | None = None, recorded: dict[str, Any] | None = None
) -> dict[str, object]:
    """One agent's score as ``ScoreOut``; ``recorded``: the manual scores that count."""
    recorded = recorded or {}
    items: list[dict[str, object]] = []
    for i in s.items:
        row = recorded.get(i.metric) if i.manual else None
        items.append(
            {
                "metric": i.metric,
                "label": i.label,
                "manual": i.manual,
                "value": None if i.value is None else float(i.value),
                "band": i.band,
                "score": float(i.score),
                "weight": float(i.weight),
                "weighted": float(i.weighted),
                "missing": i.missing,
                "recorded_by": row.recorded_by_username if row else None,
                "recorded_at": row.recorded_at if row else None,
            }
        )
    return {
        "agent": s.agent,
        "rank": rank,
        "total": float(s.total),
        "complete": s.complete,
        "items": items,
    }


class ManualScoreIn(Schema):
    agent: str
    month: str  # 2024-06
    item: str  # the manual item's metric key, e.g. daily_work
    score: str | float  # 0–100
    note: str = ""


class ManualScoreOut(Schema):
    agent: str
    month: str
    item: str
    score: float
    note: str
    recorded_by: str
    recorded_at: dt.datetime


class ErrorOut(Schema):
    detail: str


def _require(request: HttpRequest, permission: str, what: str) -> None:
    if not request.user.has_perm(permission):
        raise HttpError(403, f"only managers {what}")


@router.put(
    "/scorecard/manual",
    response={200: ManualScoreOut, 400: ErrorOut},
    summary="Enter a manager's score for a manual scorecard item (per agent and month)",
)
def manual_score(request: HttpRequest, payload: ManualScoreIn) -> dict[str, object]:
    _require(request, ENTER_SCORES, "enter manual scores")
    try:
        row = manual_scores.manual_score_record(
            user=cast(User, request.user),
            agent_id=payload.agent,
            month=manual_scores.parse_month(payload.month),
            item=payload.item,
            score=str(payload.score),
            note=payload.note,
        )
    except UserInputError as exc:
        raise HttpError(400, str(exc)) from exc
    return {
        "agent": row.agent_id,
        "month": f"{row.month:%Y-%m}",
        "item": row.item,
        "score": float(row.score),
        "note": row.note,
        "recorded_by": row.recorded_by_username,
        "recorded_at": row.recorded_at,
    }


class RulesSchema(Schema):
    slow_seconds: int
    quick_seconds: int
    quick_from_hour: int
    quick_to_hour: int
    pdd_seconds: int
    pdd_from_hour: int
    pdd_to_hour: int
    douyin_seconds: int
    douyin_from_hour: int
    douyin_to_hour: int
    after_sale_days: int
    attribution_hours: int
    next_day_days: int
    final_days: int
    dsr_window_unit: str  # month | day
    dsr_window_length: int


class SettingsIn(RulesSchema):
    scorecard_toml: str | None = None  # None: SPEC §3's default scorecard


class SettingsOut(RulesSchema):
    scorecard_toml: str
    scorecard_is_default: bool
    defaults: RulesSchema
    updated_at: dt.datetime | None
    updated_by: str | None


def _settings_out() -> dict[str, object]:
    shop = shop_settings.current()
    return {name: getattr(shop, name) for name in shop_settings.FIELD_NAMES} | {
        "scorecard_toml": shop_settings.scorecard_text(shop),
        "scorecard_is_default": not shop.scorecard_toml,
        "defaults": shop_settings.defaults(),
        "updated_at": shop.updated_at,
        "updated_by": shop.updated_by.get_username() if shop.updated_by else None,
    }


@router.get("/settings", response=SettingsOut, summary="The shop's thresholds, windows, scorecard")
def settings_get(request: HttpRequest) -> dict[str, object]:
    _require(request, EDIT_SETTINGS, "see the shop's settings")
    return _settings_out()


@router.put(
    "/settings",
    response={200: SettingsOut, 400: ErrorOut},
    summary="Replace the shop's thresholds, windows and scorecard (all or nothing)",
)
def settings_put(request: HttpRequest, payload: SettingsIn) -> dict[str, object]:
    _require(request, EDIT_SETTINGS, "change the shop's settings")
    values = payload.dict()
    text = values.pop("scorecard_toml")
    try:
        shop_settings.settings_save(
            user=cast(User, request.user), values=values, scorecard_toml=text
        )
    except UserInputError as exc:
        raise HttpError(400, str(exc)) from exc
    return _settings_out()


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
    request: HttpRequest, months: int = 6, window: int | None = None, window_days: int | None = None
) -> list[dict[str, object]]:
    """Rolling over ``window`` months, or over ``window_days`` days ending with each month's
    last day (Douyin: 60); neither given: the shop's setting (SPEC: 6 months). Empty when
    the lake has no ratings."""
    if not request.user.has_perm("accounts.view_shop_figures"):
        raise HttpError(403, "needs the shop figures permission")
    if not 1 <= months <= 36 or (window is not None and not 1 <= window <= 12):
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
