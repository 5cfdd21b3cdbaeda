"""What the agent detail and conversation pages show: formatted figures, chart series,
table rows. Figures are formatted by ``web.exports.values`` only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from guanxi.metrics.agent_detail import (
    DAILY_KEYS,
    AgentDay,
    Bucket,
    ResponseDistribution,
    StageShare,
)
from guanxi.metrics.agents import AGENT_METRICS, BUSINESS_KEYS, AgentMetric, AgentReport
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import ServiceRules
from guanxi.performance.detail.selectors import AgentDetail, Conversation
from guanxi.web.exports.values import text_value
from guanxi.web.tiles import Tile

METRICS = {m.key: m for m in AGENT_METRICS}
# The figures at the top of the page, in reading order: workload, sales, speed.
KEY_FIGURES = (
    "received_customers",
    "inquirers",
    "inquiry_conversion_final",
    "sales_amount",
    "payment_rate",
    "first_response_seconds",
    "avg_response_seconds",
    "three_minute_rate",
    "reply_rate",
    "slow_response_customers",
)
FORMULAS = {
    "received_customers": gettext_lazy("客服发过消息的不同客户数"),
    "inquirers": gettext_lazy("客服参与售前会话的不同客户数"),
    "inquiry_conversion_final": gettext_lazy(
        "询单日后 %(days)s 天内（当地日期）付款的人数 ÷ 询单人数"
    ),
    "sales_amount": gettext_lazy("归属该客服、期间创建的已付款订单金额之和"),
    "payment_rate": gettext_lazy("归属订单中已付款的 ÷ 归属订单数"),
    "first_response_seconds": gettext_lazy("会话首条客户消息到该客服首次回复的平均秒数"),
    "avg_response_seconds": gettext_lazy("该客服回复的轮次的平均等待秒数"),
    "three_minute_rate": gettext_lazy(
        "%(start)02d:00–%(end)02d:00 开始的轮次中 %(quick)s 秒内回复的比例"
    ),
    "reply_rate": gettext_lazy("已回复轮次 ÷ 归属该客服的全部轮次"),
    "slow_response_customers": gettext_lazy("有轮次等待超过 %(slow)s 秒的不同客户数"),
    "first_response_business_seconds": gettext_lazy(
        "同首次响应时间，但只计该客服排班内的时间（下班、休息日和法定节假日不计）"
    ),
    "avg_response_business_seconds": gettext_lazy(
        "同平均响应时间，但只计该客服排班内的时间（下班、休息日和法定节假日不计）"
    ),
}
# Falling is good news for these; for every other figure rising is.
LOWER_IS_BETTER = {
    "first_response_seconds",
    "avg_response_seconds",
    "first_response_business_seconds",
    "avg_response_business_seconds",
    "slow_response_customers",
}
STAGE_LABELS = {
    "pre_sale": gettext_lazy("售前"),
    "in_sale": gettext_lazy("售中"),
    "after_sale": gettext_lazy("售后"),
}
# 买家 rather than 客户: the English of 客户 is the plural menu label "Customers".
SENDER_LABELS = {
    "customer": gettext_lazy("买家"),
    "agent": gettext_lazy("客服"),
    "system": gettext_lazy("系统"),
}


def metric_name(metric: AgentMetric) -> str:
    return metric.name_en if (get_language() or "").startswith("en") else metric.name_zh


def local_seconds(value: dt.datetime | None) -> str:
    """A UTC time from the lake as the shop's local time, to the second (waits are seconds)."""
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


# -- key figures ------------------------------------------------------------------------------
def _change(current: Any, previous: Any) -> Decimal | None:
    if current is None or previous in (None, 0):
        return None
    return (Decimal(current) - Decimal(previous)) / Decimal(previous)


def key_figures(has_rota: bool) -> tuple[str, ...]:
    """``KEY_FIGURES``, with the business-time response times beside the clock-time ones
    when the agent has a rota (without one the report has no business time to show)."""
    if not has_rota:
        return KEY_FIGURES
    at = KEY_FIGURES.index("avg_response_seconds") + 1
    return (*KEY_FIGURES[:at], *BUSINESS_KEYS, *KEY_FIGURES[at:])


def tiles(
    current: AgentReport,
    previous: AgentReport | None,
    service_rules: ServiceRules | None = None,
    attribution_rules: AttributionRules | None = None,
    *,
    has_rota: bool = False,
) -> list[Tile]:
    """The key figures with the previous period's; each formula names the rule in force."""
    rules, attribution = service_rules or ServiceRules(), attribution_rules or AttributionRules()
    values = {
        "days": attribution.final_days,
        "start": rules.quick_from_hour,
        "end": rules.quick_to_hour,
        "quick": rules.quick_seconds,
        "slow": rules.slow_seconds,
    }
    out = []
    for key in key_figures(has_rota):
        metric = METRICS[key]
        now = getattr(current, key)
        before = getattr(previous, key) if previous else None
        change = _change(now, before)
        direction = trend = ""
        if change:
            direction = "up" if change > 0 else "down"
            trend = "good" if (change > 0) != (key in LOWER_IS_BETTER) else "bad"
        out.append(
            Tile(
                key=key,
                label=metric_name(metric),
                formula=str(FORMULAS[key]) % values,
                value=text_value(now, metric.kind),
                previous=text_value(before, metric.kind),
                change="" if change is None else f"{change * 100:+.1f}%",
                direction=direction,
                trend=trend,
                bar_percent=(
                    max(0, min(100, round(Decimal(now) * 100)))
                    if metric.kind == "percent" and now is not None
                    else None
                ),
            )
        )
    return out


# -- the daily table and trend charts --------------------------------------------------------
@dataclass(frozen=True)
class DailyRow:
    day: str
    cells: list[str]
    active: bool


def daily_headers() -> list[str]:
    return [metric_name(METRICS[key]) for key in DAILY_KEYS]


def daily_rows(days: list[AgentDay]) -> list[DailyRow]:
    return [
        DailyRow(
            day=d.day.isoformat(),
            cells=[text_value(getattr(d, key), METRICS[key].kind) for key in DAILY_KEYS],
            active=d.has_activity,
        )
        for d in days
    ]


def period_row(report: AgentReport) -> list[str]:
    """The period's figures under the daily table: the agent report's own (distinct
    customers over the period, not the days' sum)."""
    return [text_value(getattr(report, key), METRICS[key].kind) for key in DAILY_KEYS]


def _number(value: Any, scale: int = 1) -> float | None:
    return None if value is None else float(Decimal(value) * scale)


def trend_chart(days: list[AgentDay]) -> dict[str, Any]:
    """Series for the three Plotly line charts: people and sales, seconds, rates (%)."""

    def label(key: str) -> str:
        return metric_name(METRICS[key])

    return {
        "days": [d.day.isoformat() for d in days],
        "received": [d.received_customers for d in days],
        "inquirers": [d.inquirers for d in days],
        "sales": [float(d.sales_amount) for d in days],
        "first_response": [_number(d.first_response_seconds) for d in days],
        "avg_response": [_number(d.avg_response_seconds) for d in days],
        "three_minute": [_number(d.three_minute_rate, 100) for d in days],
        "conversion": [_number(d.inquiry_conversion_final, 100) for d in days],
        "labels": {
            "received": label("received_customers"),
            "inquirers": label("inquirers"),
            "sales": label("sales_amount"),
            "first_response": label("first_response_seconds"),
            "avg_response": label("avg_response_seconds"),
            "three_minute": label("three_minute_rate"),
            "conversion": label("inquiry_conversion_final"),
            "people": _("人数"),
            "amount": _("金额（元）"),
            "seconds": _("秒"),
            "percent": _("百分比 (%)"),
            "rounds": _("轮次"),
        },
    }


# -- distribution, stages, slowest rounds --------------------------------------------------------
def bucket_label(bucket: Bucket) -> str:
    if bucket.lower is None:
        return _("≤%(upper)s 秒") % {"upper": bucket.upper}
    if bucket.upper is None:
        return _(">%(lower)s 秒") % {"lower": bucket.lower}
    return _("%(lower)s–%(upper)s 秒") % {"lower": bucket.lower, "upper": bucket.upper}


def distribution_chart(distribution: ResponseDistribution) -> dict[str, Any]:
    return {
        "buckets": [bucket_label(b) for b in distribution.buckets],
        "rounds": [b.rounds for b in distribution.buckets],
        "shares": [text_value(b.share, "percent") for b in distribution.buckets],
        "labels": {"rounds": _("轮次"), "seconds": _("响应时间")},
    }


@dataclass(frozen=True)
class StageRow:
    stage: str
    label: str
    sessions: int
    share: str
    bar_percent: int


def stage_rows(stages: list[StageShare]) -> list[StageRow]:
    return [
        StageRow(
            stage=s.stage,
            label=str(STAGE_LABELS[s.stage]),
            sessions=s.sessions,
            share=text_value(s.share, "percent"),
            bar_percent=0 if s.share is None else round(s.share * 100),
        )
        for s in stages
    ]


@dataclass(frozen=True)
class SlowRow:
    session_id: str
    round_no: int
    customer_key: str
    customer_name: str  # masked (张*), "" when the master has no name
    asked: str
    replied: str
    wait: str
    wait_value: str
    url: str


def session_url(session_id: str, round_no: int | None = None) -> str:
    url = reverse("performance:session", args=[session_id])
    return url if round_no is None else f"{url}?round={round_no}#round-{round_no}"


def slow_rows(detail: AgentDetail) -> list[SlowRow]:
    return [
        SlowRow(
            session_id=r["session_id"],
            round_no=r["round_no"],
            customer_key=r["customer_key"] or "",
            customer_name=detail.customer_names.get(r["customer_key"] or "", ""),
            asked=local_seconds(r["started_at"]),
            replied=local_seconds(r["answered_at"]),
            wait=text_value(r["response_seconds"], "seconds"),
            wait_value=f"{r['response_seconds']:.3f}",
            url=session_url(r["session_id"], r["round_no"]),
        )
        for r in detail.slowest
    ]


# -- one conversation ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MessageView:
    message_id: str
    sender: str
    sender_label: str
    agent: str
    sent_at: str
    text: str
    anchor: str  # "round-3" on a round's first customer message
    round_no: int | None
    round_label: str  # "第 3 轮" on a round's first message
    reply_note: str  # on a reply: "回复第 3 轮，等待 45.0 秒"; on an unanswered round: "未回复"
    slow: bool
    target: bool


@dataclass(frozen=True)
class ConversationView:
    messages: list[MessageView]
    rounds: int
    answered: int
    slow_rounds: int
    mean_wait: str
    stage: str
    started: str
    ended: str


def conversation_view(
    conversation: Conversation,
    agents: dict[str, str],
    target_round: int | None,
    rules: ServiceRules | None = None,
) -> ConversationView:
    """Messages as display rows: each round's first message anchored and labelled, each reply
    with the wait it ended; rounds slower than the slow threshold flagged; the round the
    link came for (``target_round``) marked."""
    rules = rules or ServiceRules()
    by_round = {r["round_no"]: r for r in conversation.rounds}

    def slow(round_no: int | None) -> bool:
        wait = by_round.get(round_no, {}).get("response_seconds")
        return wait is not None and wait > rules.slow_seconds

    rows = []
    for m in conversation.messages:
        round_no = m["round_no"] if m["sender"] != "system" else None
        is_start = m["sender"] == "customer" and m["round_start"]
        answers = bool(m["answers_round"])
        this_round = by_round.get(round_no, {})
        note = ""
        if answers:
            note = _("回复第 %(n)s 轮，等待 %(s)s 秒") % {
                "n": round_no,
                "s": text_value(this_round.get("response_seconds"), "seconds"),
            }
        elif is_start and this_round.get("answered_by") is None:
            note = _("未回复")
        in_round = m["sender"] == "customer" or answers
        rows.append(
            MessageView(
                message_id=m["message_id"],
                sender=m["sender"],
                sender_label=str(SENDER_LABELS.get(m["sender"], m["sender"])),
                agent=agents.get(m["agent_id"] or "", m["agent_id"] or ""),
                sent_at=local_seconds(m["sent_at"]),
                text=m["text"] or "",
                anchor=f"round-{round_no}" if is_start else "",
                round_no=round_no,
                round_label=_("第 %(n)s 轮") % {"n": round_no} if is_start else "",
                reply_note=note,
                slow=in_round and slow(round_no),
                target=in_round and target_round is not None and round_no == target_round,
            )
        )
    answered = [r for r in conversation.rounds if r["answered_by"] is not None]
    waits = [r["response_seconds"] for r in answered]
    times = [m["sent_at"] for m in conversation.messages]
    return ConversationView(
        messages=rows,
        rounds=len(conversation.rounds),
        answered=len(answered),
        slow_rounds=sum(1 for w in waits if w > rules.slow_seconds),
        mean_wait=text_value(sum(waits) / len(waits) if waits else None, "seconds"),
        stage=str(STAGE_LABELS.get(conversation.stage, "—")),
        started=local_seconds(min(times)),
        ended=local_seconds(max(times)),
    )
