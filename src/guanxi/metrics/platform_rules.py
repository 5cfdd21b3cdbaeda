"""Platform reply rules reported beside the agent metrics (SPEC §2), per agent.

- 拼多多有效回复率 Pinduoduo effective reply rate: of the customers with a round in the
  period starting between ``pdd_from_hour`` and ``pdd_to_hour`` local time (08:00–23:00)
  that belongs to the agent, the share whose every such round was answered within
  ``pdd_seconds`` (1 hour).
  Only Pinduoduo's chats count (``platform`` pdd).
- 抖音三分钟人工回复率 Douyin 3-minute manual reply rate: of the customer messages in the
  period sent between ``douyin_from_hour`` and ``douyin_to_hour`` (08:00–23:00) in rounds
  belonging to the agent, the share answered within ``douyin_seconds`` (180 s) of that
  message — the answer being the round's answer, the next agent message. Only Douyin's
  chats count (``platform`` douyin).

Rounds and their owners are ``service.round_rows``'s (an unanswered round belongs to the
agent who spoke before it). Taobao's 3-minute rate is in ``service``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import in_period, seconds_between, with_local_seconds
from guanxi.metrics.ratios import ratio
from guanxi.metrics.rules import PlatformRules


@dataclass(frozen=True)
class PlatformFigures:
    pdd_effective_reply_rate: Decimal | None
    douyin_three_minute_rate: Decimal | None


def pdd_counts(
    round_table: ibis.Table,
    sessions: ibis.Table,
    period: Period,
    time_zone: str,
    rules: PlatformRules = PlatformRules(),
) -> ibis.Table:
    """Per agent, over the rounds of ``sessions`` (``session_id``: Pinduoduo's):
    ``pdd_customers`` and ``pdd_good_customers``."""
    r = round_table.filter(
        in_period(round_table.started_at, period, time_zone) & round_table.owner.notnull()
    ).semi_join(sessions, "session_id")
    r = with_local_seconds(r, "started_at", period, time_zone)
    r = r.filter(
        (r.local_seconds >= rules.pdd_from_hour * 3600)
        & (r.local_seconds < rules.pdd_to_hour * 3600)
    )
    good = r.answered_at.notnull() & (r.response_seconds <= rules.pdd_seconds)
    per_customer = r.group_by(["owner", "customer_key"]).aggregate(good=good.fill_null(False).all())
    return per_customer.group_by(agent_id=per_customer.owner).aggregate(
        pdd_customers=per_customer.count(),
        pdd_good_customers=per_customer.count(where=per_customer.good),
    )


def douyin_counts(
    ordered: ibis.Table,
    round_table: ibis.Table,
    sessions: ibis.Table,
    period: Period,
    time_zone: str,
    rules: PlatformRules = PlatformRules(),
) -> ibis.Table:
    """Per agent, over the customer messages of ``sessions`` (Douyin's):
    ``douyin_messages`` and ``douyin_answered``."""
    c = ordered.filter(
        (ordered.sender == "customer") & in_period(ordered.sent_at, period, time_zone)
    ).semi_join(sessions, "session_id")
    c = with_local_seconds(
        c.select("session_id", "round_key", "sent_at"), "sent_at", period, time_zone
    )
    c = c.filter(
        (c.local_seconds >= rules.douyin_from_hour * 3600)
        & (c.local_seconds < rules.douyin_to_hour * 3600)
    )
    owners = round_table.filter(round_table.owner.notnull()).select(
        "session_id", "round_key", "owner", "answered_at"
    )
    m = c.join(owners, ["session_id", "round_key"])
    answered = m.answered_at.notnull() & (
        seconds_between(m.sent_at, m.answered_at) <= rules.douyin_seconds
    )
    return m.group_by(agent_id=m.owner).aggregate(
        douyin_messages=m.count(), douyin_answered=m.count(where=answered)
    )


def platform_figures(
    chat_messages: ibis.Table,
    ordered: ibis.Table,
    round_table: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
    rules: PlatformRules = PlatformRules(),
) -> dict[str, PlatformFigures]:
    """Agent id → figures. Each rule covers its own platform's chats (``platform`` pdd or
    douyin); a shop without such chats pays one scan of the platform column."""
    # Which platforms chatted around the period (the time filter lets the engine skip the
    # files and row groups of other months).
    start, end = period.utc_bounds(time_zone)
    near = chat_messages.filter(
        (chat_messages.sent_at >= ibis.literal(start - dt.timedelta(days=1)))
        & (chat_messages.sent_at < ibis.literal(end + dt.timedelta(days=1)))
        & chat_messages.platform.isin(["pdd", "douyin"])
    )
    present = set(arrow(near.select("platform").distinct()).column("platform").to_pylist())
    pdd: dict[str, Any] = {}
    douyin: dict[str, Any] = {}
    if "pdd" in present:
        sessions = chat_messages.filter(chat_messages.platform == "pdd").select("session_id")
        expr = pdd_counts(round_table, sessions.distinct(), period, time_zone, rules)
        pdd = {r["agent_id"]: r for r in arrow(expr).to_pylist()}
    if "douyin" in present:
        sessions = chat_messages.filter(chat_messages.platform == "douyin").select("session_id")
        expr = douyin_counts(ordered, round_table, sessions.distinct(), period, time_zone, rules)
        douyin = {r["agent_id"]: r for r in arrow(expr).to_pylist()}
    return {
        agent: PlatformFigures(
            ratio(
                pdd.get(agent, {}).get("pdd_good_customers"),
                pdd.get(agent, {}).get("pdd_customers"),
                4,
            ),
            ratio(
                douyin.get(agent, {}).get("douyin_answered"),
                douyin.get(agent, {}).get("douyin_messages"),
                4,
            ),
        )
        for agent in set(pdd) | set(douyin)
    }
