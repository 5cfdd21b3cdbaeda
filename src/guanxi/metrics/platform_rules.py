"""Platform reply rules reported beside the agent metrics (SPEC §2), per agent.

- 拼多多有效回复率 Pinduoduo effective reply rate: of the customers with a round in the
  period starting between ``pdd_from_hour`` and ``pdd_to_hour`` local time (08:00–23:00)
  that belongs to the agent, the share whose every such round was answered within
  ``pdd_seconds`` (1 hour).
- 抖音三分钟人工回复率 Douyin 3-minute manual reply rate: of the customer messages in the
  period sent between ``douyin_from_hour`` and ``douyin_to_hour`` (08:00–23:00) in rounds
  belonging to the agent, the share answered within ``douyin_seconds`` (180 s) of that
  message — the answer being the round's answer, the next agent message.

Rounds and their owners are ``service.round_rows``'s (an unanswered round belongs to the
agent who spoke before it). Taobao's 3-minute rate is in ``service``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import day_bounds
from guanxi.metrics.ratios import ratio
from guanxi.metrics.service import _in_period, _seconds_between


@dataclass(frozen=True)
class PlatformRules:
    """The platforms' published thresholds and hours (SPEC §2 defaults)."""

    pdd_seconds: int = 3600
    pdd_from_hour: int = 8
    pdd_to_hour: int = 23
    douyin_seconds: int = 180
    douyin_from_hour: int = 8
    douyin_to_hour: int = 23


def _local_seconds(table: ibis.Table, column: str, days: ibis.Table) -> ibis.Table:
    """``table`` with ``local_seconds``: seconds since the local midnight of ``column``."""
    j = table.join(days, [table[column] >= days.day_start, table[column] < days.day_end])
    return j.mutate(local_seconds=_seconds_between(j.day_start, j[column])).drop(
        "day", "day_start", "day_end"
    )


def platform_counts(
    ordered: ibis.Table,
    round_table: ibis.Table,
    period: Period,
    time_zone: str,
    rules: PlatformRules = PlatformRules(),
) -> ibis.Table:
    """Per agent: ``pdd_customers``, ``pdd_good_customers``, ``douyin_messages``,
    ``douyin_answered`` from ``service.ordered_messages`` and ``service.round_rows``."""
    days = day_bounds(period, time_zone)
    r = round_table.filter(
        _in_period(round_table.started_at, period, time_zone) & round_table.owner.notnull()
    )
    r = _local_seconds(r, "started_at", days)
    r = r.filter(
        (r.local_seconds >= rules.pdd_from_hour * 3600)
        & (r.local_seconds < rules.pdd_to_hour * 3600)
    )
    good = r.answered_at.notnull() & (r.response_seconds <= rules.pdd_seconds)
    per_customer = r.group_by(["owner", "customer_key"]).aggregate(good=good.fill_null(False).all())
    pdd = per_customer.group_by(agent_id=per_customer.owner).aggregate(
        pdd_customers=per_customer.count(),
        pdd_good_customers=per_customer.count(where=per_customer.good),
    )

    c = ordered.filter(
        (ordered.sender == "customer") & _in_period(ordered.sent_at, period, time_zone)
    ).select("session_id", "round_key", "sent_at")
    c = _local_seconds(c, "sent_at", days)
    c = c.filter(
        (c.local_seconds >= rules.douyin_from_hour * 3600)
        & (c.local_seconds < rules.douyin_to_hour * 3600)
    )
    owners = round_table.filter(round_table.owner.notnull()).select(
        "session_id", "round_key", "owner", "answered_at"
    )
    m = c.join(owners, ["session_id", "round_key"])
    answered = m.answered_at.notnull() & (
        _seconds_between(m.sent_at, m.answered_at) <= rules.douyin_seconds
    )
    douyin = m.group_by(agent_id=m.owner).aggregate(
        douyin_messages=m.count(), douyin_answered=m.count(where=answered)
    )
    out = pdd.outer_join(douyin, "agent_id")
    return out.select(
        agent_id=out.agent_id.fill_null(out.agent_id_right),
        pdd_customers=out.pdd_customers.fill_null(0),
        pdd_good_customers=out.pdd_good_customers.fill_null(0),
        douyin_messages=out.douyin_messages.fill_null(0),
        douyin_answered=out.douyin_answered.fill_null(0),
    )


@dataclass(frozen=True)
class PlatformFigures:
    pdd_effective_reply_rate: Decimal | None
    douyin_three_minute_rate: Decimal | None


def platform_figures(rows: list[dict[str, Any]]) -> dict[str, PlatformFigures]:
    """Agent id → figures, from ``platform_counts`` rows (None where nobody qualified)."""
    return {
        row["agent_id"]: PlatformFigures(
            ratio(row["pdd_good_customers"], row["pdd_customers"], 4),
            ratio(row["douyin_answered"], row["douyin_messages"], 4),
        )
        for row in rows
    }
