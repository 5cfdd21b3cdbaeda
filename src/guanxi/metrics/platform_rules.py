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

Rounds and their owners are ``chat.round_rows``'s (an unanswered round belongs to the
agent who spoke before it). Taobao's 3-minute rate is in ``service``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import seconds_between
from guanxi.metrics.facts import ChatFacts
from guanxi.metrics.period_counts import Buckets, bucket_days, in_buckets
from guanxi.metrics.ratios import ratio
from guanxi.metrics.rules import PlatformRules


@dataclass(frozen=True)
class PlatformFigures:
    pdd_effective_reply_rate: Decimal | None
    douyin_three_minute_rate: Decimal | None


def pdd_counts(facts: ChatFacts, buckets: Buckets, rules: PlatformRules) -> ibis.Table:
    """Per bucket and agent, over Pinduoduo's rounds: ``pdd_customers`` and
    ``pdd_good_customers``."""
    r = facts.rounds
    r = in_buckets(r.filter((r.platform == "pdd") & r.owner.notnull()), buckets)
    r = r.filter(
        (r.local_seconds >= rules.pdd_from_hour * 3600)
        & (r.local_seconds < rules.pdd_to_hour * 3600)
    )
    good = r.answered_at.notnull() & (r.response_seconds <= rules.pdd_seconds)
    per_customer = r.group_by(["bucket", "owner", "customer_key"]).aggregate(
        good=good.fill_null(False).all()
    )
    return per_customer.group_by(["bucket", per_customer.owner.name("agent_id")]).aggregate(
        pdd_customers=per_customer.count(),
        pdd_good_customers=per_customer.count(where=per_customer.good),
    )


def douyin_counts(facts: ChatFacts, buckets: Buckets, rules: PlatformRules) -> ibis.Table:
    """Per bucket and agent, over the customer messages of Douyin's sessions:
    ``douyin_messages`` and ``douyin_answered``."""
    c = in_buckets(facts.douyin_waits, buckets)
    c = c.filter(
        (c.local_seconds >= rules.douyin_from_hour * 3600)
        & (c.local_seconds < rules.douyin_to_hour * 3600)
    )
    r = facts.rounds
    owners = r.filter(r.owner.notnull()).select("session_id", "round_key", "owner", "answered_at")
    m = c.join(owners, ["session_id", "round_key"])
    answered = m.answered_at.notnull() & (
        seconds_between(m.sent_at, m.answered_at) <= rules.douyin_seconds
    )
    return m.group_by(["bucket", m.owner.name("agent_id")]).aggregate(
        douyin_messages=m.count(), douyin_answered=m.count(where=answered)
    )


def platform_series(
    facts: ChatFacts,
    periods: Sequence[Period],
    arrow: Any,
    rules: PlatformRules = PlatformRules(),
) -> list[dict[str, PlatformFigures]]:
    """For each of ``periods``: agent id → figures. Each rule covers its own platform's
    chats (``platform`` pdd or douyin)."""
    buckets = bucket_days(periods)
    pdd = arrow(pdd_counts(facts, buckets, rules)).to_pylist()
    douyin = arrow(douyin_counts(facts, buckets, rules)).to_pylist()
    out: list[dict[str, PlatformFigures]] = []
    for bucket in range(len(periods)):
        p = {r["agent_id"]: r for r in pdd if r["bucket"] == bucket}
        d = {r["agent_id"]: r for r in douyin if r["bucket"] == bucket}
        out.append(
            {
                agent: PlatformFigures(
                    ratio(
                        p.get(agent, {}).get("pdd_good_customers"),
                        p.get(agent, {}).get("pdd_customers"),
                        4,
                    ),
                    ratio(
                        d.get(agent, {}).get("douyin_answered"),
                        d.get(agent, {}).get("douyin_messages"),
                        4,
                    ),
                )
                for agent in set(p) | set(d)
            }
        )
    return out
