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
import pyarrow as pa

from guanxi.core.business_calendar import Duty, Schedule, duty_intervals
from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import seconds_between, unix_micros
from guanxi.metrics.facts import ChatFacts
from guanxi.metrics.period_counts import Buckets, bucket_days, in_buckets
from guanxi.metrics.ratios import ratio

# A reply can come days after the question (a holiday in between): duty intervals are laid
# out from a day before the period to this many days after it.
REPLY_HORIZON_DAYS = 14


DAY_US = 86_400_000_000  # a UTC day in microseconds


def duty_pieces(duty: pa.Table) -> pa.Table:
    """``duty`` (``duty_agent, duty_start, duty_end``) with each interval cut at UTC
    midnights, each piece with its UTC day number ``duty_day`` (days since the epoch): a
    wait then meets only the pieces of the days it spans, an equality join instead of every
    interval of the agent's year."""
    agents: list[str] = []
    days: list[int] = []
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    for agent, start, end in zip(
        duty.column("duty_agent").to_pylist(),
        duty.column("duty_start").to_pylist(),
        duty.column("duty_end").to_pylist(),
        strict=True,
    ):
        while start < end:
            day = (start - EPOCH) // dt.timedelta(days=1)
            cut = min(end, EPOCH + dt.timedelta(days=day + 1))
            agents.append(agent)
            days.append(day)
            starts.append(start)
            ends.append(cut)
            start = cut
    stamp = duty.schema.field("duty_start").type
    return pa.table(
        {"duty_agent": agents, "duty_day": days, "duty_start": starts, "duty_end": ends},
        schema=pa.schema(
            [
                pa.field("duty_agent", pa.string()),
                pa.field("duty_day", pa.int64()),
                pa.field("duty_start", stamp),
                pa.field("duty_end", stamp),
            ]
        ),
    )


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def business_sums(spans: ibis.Table, duty: ibis.Table) -> ibis.Table:
    """Per ``bucket, agent`` of ``spans`` (``bucket, agent, from_at, to_at``): ``spans``,
    their number, and ``business_seconds``, the sum of the parts of them inside the agent's
    duty (``duty_pieces``: ``duty_agent, duty_day, duty_start, duty_end``; a span that meets
    no duty adds 0 but is counted).

    Each span meets that agent's pieces of the UTC days it covers (an equality join on
    agent and day, then the overlap test): the work grows with
    the spans, not with spans × the agent's shifts over the whole period. The sums need no
    per-span total, so no span key is built or grouped."""
    # Each span once per UTC day it covers (one row for nearly all of them): the join below
    # is then on (agent, day) equality, which no optimizer turns back into agent alone.
    days = ibis.range(unix_micros(spans.from_at) // DAY_US, unix_micros(spans.to_at) // DAY_US + 1)
    covered = spans.select("bucket", "agent", "from_at", "to_at", day=days).unnest("day")
    duty = duty.view()  # the spans were filtered by it (its agents): joined again here
    hit = covered.join(
        duty,
        [
            covered.agent == duty.duty_agent,
            covered.day == duty.duty_day,
            duty.duty_start < covered.to_at,
            duty.duty_end > covered.from_at,
        ],
    )
    overlap = seconds_between(
        ibis.greatest(hit.from_at, hit.duty_start), ibis.least(hit.to_at, hit.duty_end)
    )
    found = hit.select(
        "bucket",
        "agent",
        spans=ibis.literal(0, "int64"),
        business_seconds=overlap.cast("float64"),
    )
    counted = spans.select(
        "bucket",
        "agent",
        spans=ibis.literal(1, "int64"),
        business_seconds=ibis.literal(0.0, "float64"),
    )
    both = counted.union(found, distinct=False)
    return both.group_by(["bucket", "agent"]).aggregate(
        spans=both.spans.sum(), business_seconds=both.business_seconds.sum()
    )


def business_counts(facts: ChatFacts, buckets: Buckets, duty: ibis.Table) -> ibis.Table:
    """Per bucket and scheduled agent, from the chat's facts: ``rounds_answered``,
    ``response_business_sum``, ``first_reply_sessions``, ``first_response_business_sum``."""
    scheduled = duty.select(agent=duty.duty_agent).distinct()
    r = in_buckets(facts.rounds.filter(facts.rounds.answered_by.notnull()), buckets)
    round_spans = r.select(
        "bucket", agent=r.answered_by, from_at=r.started_at, to_at=r.answered_at
    ).semi_join(scheduled, "agent")
    s = in_buckets(facts.sessions.filter(facts.sessions.first_reply_by.notnull()), buckets)
    first_spans = s.select(
        "bucket", agent=s.first_reply_by, from_at=s.first_customer_at, to_at=s.first_reply_at
    ).semi_join(scheduled, "agent")
    rb = business_sums(round_spans, duty)
    rb = rb.select(
        "bucket", "agent", rounds_answered=rb.spans, response_business_sum=rb.business_seconds
    )
    fb = business_sums(first_spans, duty)
    fb = fb.select(
        "bucket",
        "agent",
        first_reply_sessions=fb.spans,
        first_response_business_sum=fb.business_seconds,
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
    duty_table = ibis.memtable(duty_pieces(duty.table))
    rows = arrow(business_counts(facts, bucket_days(periods), duty_table)).to_pylist()
    out: list[dict[str, BusinessFigures]] = [{} for _ in periods]
    for row in rows:
        out[row["bucket"]][row["agent_id"]] = BusinessFigures(
            row["agent_id"],
            ratio(row["first_response_business_sum"], row["first_reply_sessions"], 2),
            ratio(row["response_business_sum"], row["rounds_answered"], 2),
        )
    return [BusinessReport(figures, duty.unofficial_years) for figures in out]
