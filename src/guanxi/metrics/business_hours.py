"""Response times in business time (工作时间口径), for agents with a schedule — SPEC §2.

A wait counts only while the answering agent is on duty: a question at 02:00 answered at
09:00:20 by an agent whose shift starts at 09:00 waited 20 business seconds, and a question
at 17:59:30 on the eve of a holiday answered at 09:00:10 on the first working day after it
waited 40. Formally, for a wait from ``q`` to ``r`` answered by agent ``a``:

    business seconds = Σ over a's duty intervals [s, e) of max(0, min(r, e) − max(q, s))

- 首次响应时间 (工作时间) business first response: the mean of that over the sessions whose
  first reply the agent sent (from the session's first customer message to the reply);
- 平均响应时间 (工作时间) business average response: the mean over the rounds the agent
  answered (from the round's first message to the answer).

Periods, sessions and rounds are exactly those of ``chat``; only the clock differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.business_calendar import Duty, Schedule, duty_intervals
from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import seconds_between
from guanxi.metrics.facts import ChatFacts
from guanxi.metrics.period_counts import Buckets, bucket_days, in_buckets
from guanxi.metrics.ratios import ratio

# A reply can come days after the question (a holiday in between): duty intervals are laid
# out from a day before the period to this many days after it.
REPLY_HORIZON_DAYS = 14


def business_seconds(spans: ibis.Table, duty: ibis.Table) -> ibis.Table:
    """``spans`` (``bucket, span_id, agent, from_at, to_at``) with ``business_seconds``: the
    part of each span inside the agent's duty intervals (0 when none)."""
    joined = spans.left_join(
        duty,
        [
            spans.agent == duty.duty_agent,
            duty.duty_start < spans.to_at,
            duty.duty_end > spans.from_at,
        ],
    )
    overlap = seconds_between(
        ibis.greatest(joined.from_at, joined.duty_start), ibis.least(joined.to_at, joined.duty_end)
    )
    # A span that meets no duty interval keeps one row with a null duty; GREATEST and LEAST
    # skip nulls (DuckDB, Spark), so that row's "overlap" would be the whole wall-clock wait.
    # Only real overlaps are summed: no duty met → 0 business seconds.
    return joined.group_by(["bucket", "span_id", "agent"]).aggregate(
        business_seconds=overlap.sum(where=joined.duty_start.notnull()).fill_null(0.0)
    )


def business_counts(facts: ChatFacts, buckets: Buckets, duty: ibis.Table) -> ibis.Table:
    """Per bucket and scheduled agent, from the chat's facts: ``rounds_answered``,
    ``response_business_sum``, ``first_reply_sessions``, ``first_response_business_sum``."""
    scheduled = duty.select(agent=duty.duty_agent).distinct()
    r = in_buckets(facts.rounds.filter(facts.rounds.answered_by.notnull()), buckets)
    round_spans = r.select(
        "bucket",
        span_id=r.session_id.concat("#", r.round_key.cast("string")),
        agent=r.answered_by,
        from_at=r.started_at,
        to_at=r.answered_at,
    ).semi_join(scheduled, "agent")
    s = in_buckets(facts.sessions.filter(facts.sessions.first_reply_by.notnull()), buckets)
    first_spans = s.select(
        "bucket",
        span_id=s.session_id,
        agent=s.first_reply_by,
        from_at=s.first_customer_at,
        to_at=s.first_reply_at,
    ).semi_join(scheduled, "agent")
    rb = business_seconds(round_spans, duty)
    rb = rb.group_by(["bucket", "agent"]).aggregate(
        rounds_answered=rb.count(), response_business_sum=rb.business_seconds.sum()
    )
    fb = business_seconds(first_spans, duty)
    fb = fb.group_by(["bucket", "agent"]).aggregate(
        first_reply_sessions=fb.count(), first_response_business_sum=fb.business_seconds.sum()
    )
    out = rb.outer_join(fb, ["bucket", "agent"])
    return out.select(
        bucket=out.bucket.fill_null(out.bucket_right),
        agent_id=out.agent.fill_null(out.agent_right),
        rounds_answered=out.rounds_answered.fill_null(0),
        response_business_sum=out.response_business_sum.fill_null(0.0),
        first_reply_sessions=out.first_reply_sessions.fill_null(0),
        first_response_business_sum=out.first_response_business_sum.fill_null(0.0),
    )


@dataclass(frozen=True)
class BusinessFigures:
    agent_id: str
    first_response_seconds: Decimal | None
    avg_response_seconds: Decimal | None


@dataclass(frozen=True)
class BusinessReport:
    figures: dict[str, BusinessFigures]
    unofficial_years: tuple[int, ...]  # years without holiday data (Monday–Friday used)


def business_series(
    facts: ChatFacts,
    periods: Sequence[Period],
    time_zone: str,
    arrow: Any,
    schedules: Mapping[str, Schedule],
) -> list[BusinessReport]:
    """Business-time response figures of the agents with a schedule, for each of
    ``periods`` (one query for them all)."""
    scheduled = {a: s for a, s in schedules.items() if s.is_set}
    if not scheduled or not periods:
        return [BusinessReport({}, ()) for _ in periods]
    duty: Duty = duty_intervals(
        scheduled,
        min(p.start for p in periods) - dt.timedelta(days=1),
        max(p.end for p in periods) + dt.timedelta(days=REPLY_HORIZON_DAYS),
        time_zone,
    )
    duty_table = ibis.memtable(duty.table)
    rows = arrow(business_counts(facts, bucket_days(periods), duty_table)).to_pylist()
    out: list[dict[str, BusinessFigures]] = [{} for _ in periods]
    for row in rows:
        out[row["bucket"]][row["agent_id"]] = BusinessFigures(
            row["agent_id"],
            ratio(row["first_response_business_sum"], row["first_reply_sessions"], 2),
            ratio(row["response_business_sum"], row["rounds_answered"], 2),
        )
    return [BusinessReport(figures, duty.unofficial_years) for figures in out]
