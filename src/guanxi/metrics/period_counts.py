"""The counts and sums behind every agent metric, per period and unit, from the chat's facts
(``facts.ChatFacts``) — SPEC §2, definitions in ``chat`` and ``attribution``.

Periods are given as a small table of ``day, bucket`` rows (``bucket_days``): a fact is in
a period when its ``day`` is one of the period's. Every period of a series (the days of a
trend, a month and the one before) is counted in the same query, grouped by bucket; the
periods may overlap (a day then counts in each). Distinct counts (咨询人数, 接待人数,
销售人数 …) are taken per bucket over entity rows, never added up across days.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ibis

from guanxi.core.timeutil import Period, local_midnight_utc
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import AgentFigures, ServiceRules
from guanxi.metrics.facts import ChatFacts, chat_facts, for_agents, local_clock, session_facts


@dataclass(frozen=True)
class Buckets:
    """Periods as a small table of ``day, bucket`` rows (``days``; ``bucket``: the period's
    index) and the first and last of those days."""

    days: ibis.Table
    first: dt.date
    last: dt.date


def bucket_days(periods: Sequence[Period]) -> Buckets:
    """The periods' buckets (the same table for the same periods, so equal queries are
    recognised as such)."""
    return _bucket_days(tuple(periods))


@functools.lru_cache(maxsize=256)
def _bucket_days(periods: tuple[Period, ...]) -> Buckets:
    days: list[dt.date] = []
    index: list[int] = []
    for i, p in enumerate(periods):
        for n in range(p.days):
            days.append(p.start + dt.timedelta(days=n))
            index.append(i)
    table = ibis.memtable({"day": days, "bucket": index}, schema={"day": "date", "bucket": "int64"})
    span = cover(periods)
    return Buckets(table, span.start, span.end)


def in_buckets(table: ibis.Table, buckets: Buckets) -> ibis.Table:
    """The rows of ``table`` whose ``day`` is one of the buckets', with their ``bucket`` (a
    row per bucket its day is in). The range filter first lets the engine skip the other
    months' files and row groups before the join."""
    inside = table.filter(table.day.between(buckets.first, buckets.last))
    return inside.join(buckets.days, "day")


def cover(periods: Sequence[Period]) -> Period:
    return Period(min(p.start for p in periods), max(p.end for p in periods))


def _outer(parts: Sequence[ibis.Table], keys: Sequence[str]) -> ibis.Table:
    """The parts joined on ``keys`` (every key combination of any part), missing counts 0."""
    ids = parts[0].select(*keys)
    for part in parts[1:]:
        ids = ids.union(part.select(*keys))
    out = ids.distinct()
    for part in parts:
        out = out.left_join(part, list(keys)).drop(*(f"{k}_right" for k in keys))
    counts = [c for c in out.columns if c not in keys]
    return out.mutate(**{c: out[c].fill_null(0) for c in counts})


def chat_counts(facts: ChatFacts, buckets: Buckets, rules: ServiceRules) -> ibis.Table:
    """Per ``bucket, agent_id``: the counts behind the chat metrics (``chat.AgentFigures``)."""
    r = in_buckets(facts.rounds.filter(facts.rounds.owner.notnull()), buckets)
    answered = r.answered_by.notnull()
    in_hours = (r.local_seconds >= rules.quick_from_hour * 3600) & (
        r.local_seconds < rules.quick_to_hour * 3600
    )
    owned = r.group_by(["bucket", r.owner.name("agent_id")]).aggregate(
        consulting_customers=r.customer_key.nunique(),
        rounds_owned=r.count(),
        rounds_answered=r.count(where=answered),
        quick_rounds=r.count(where=in_hours),
        quick_answered=r.count(
            where=in_hours & answered & (r.response_seconds <= rules.quick_seconds)
        ),
    )
    a = r.filter(answered)
    by_answerer = a.group_by(["bucket", a.answered_by.name("agent_id")]).aggregate(
        response_seconds_sum=a.response_seconds.sum(),
        questions=a.customer_messages.sum(),
        slow_customers=a.customer_key.nunique(where=a.response_seconds > rules.slow_seconds),
    )
    m = in_buckets(facts.agent_sends, buckets)
    sent = m.group_by(["bucket", "agent_id"]).aggregate(
        agent_messages=m.messages.sum(), received_customers=m.customer_key.nunique()
    )
    s = in_buckets(facts.sessions, buckets)
    f = s.filter(s.first_reply_by.notnull())
    first = f.group_by(["bucket", f.first_reply_by.name("agent_id")]).aggregate(
        first_reply_sessions=f.count(),
        first_response_seconds_sum=f.first_response_seconds.sum(),
    )
    lengths = s.join(facts.session_agents, "session_id")
    lengths = lengths.group_by(["bucket", "agent_id"]).aggregate(
        sessions=lengths.count(), session_seconds_sum=lengths.length_seconds.sum()
    )
    return _outer([sent, owned, by_answerer, first, lengths], ["bucket", "agent_id"])


@functools.lru_cache(maxsize=256)
def _conversion_ends(days: Period, time_zone: str, rules: AttributionRules) -> ibis.Table:
    """``day, next_end, final_end``: the UTC ends of an inquiry's next-day and final windows
    for an inquiry made on ``day`` (the end of the next local day, of the third after)."""
    rows = [days.start + dt.timedelta(days=n) for n in range(days.days)]
    return ibis.memtable(
        {
            "day": rows,
            "next_end": [
                local_midnight_utc(d + dt.timedelta(days=rules.next_day_days + 1), time_zone)
                for d in rows
            ],
            "final_end": [
                local_midnight_utc(d + dt.timedelta(days=rules.final_days + 1), time_zone)
                for d in rows
            ],
        },
        schema={
            "day": "date",
            "next_end": "timestamp('UTC', 6)",
            "final_end": "timestamp('UTC', 6)",
        },
    )


def inquiry_rows(
    facts: ChatFacts,
    orders: ibis.Table,
    buckets: Buckets,
    periods: Sequence[Period],
    time_zone: str,
    rules: AttributionRules,
) -> ibis.Table:
    """One row per inquiry and bucket: ``bucket, customer_key, agent_id, began_at, day,
    converted_next_day, converted_final`` (``attribution.inquiries``' definition)."""
    s = facts.sessions
    pre = s.filter((s.stage == "pre_sale") & s.customer_day.notnull()).select(
        "session_id", "customer_key", "first_customer_at", day="customer_day"
    )
    pre = in_buckets(pre, buckets)
    pairs = pre.join(facts.session_agents, "session_id")
    first = pairs.group_by(["bucket", "customer_key", "agent_id"]).aggregate(
        began_at=pairs.first_customer_at.min(), day=pairs.day.min()
    )
    span = cover(periods)
    first = first.join(_conversion_ends(span, time_zone, rules), "day")
    start, _ = span.utc_bounds(time_zone)
    # created after the inquiry began, so after the first period's start
    paid = orders.filter(orders.paid_at.notnull() & (orders.created_at >= ibis.literal(start)))
    paid = paid.select("customer_key", "created_at", "paid_at")
    j = first.left_join(
        paid, [first.customer_key == paid.customer_key, paid.created_at > first.began_at]
    )
    return j.group_by(["bucket", "customer_key", "agent_id", "began_at", "day"]).aggregate(
        converted_next_day=(j.paid_at < j.next_end).fill_null(False).any(),
        converted_final=(j.paid_at < j.final_end).fill_null(False).any(),
    )


def local_days(
    table: ibis.Table, column: str, periods: Sequence[Period], time_zone: str
) -> ibis.Table:
    """The rows of a raw fact table whose ``column`` falls in the periods' cover, with their
    local ``day`` (a UTC range filter first, so the engine skips other months' files)."""
    span = cover(periods)
    start, end = span.utc_bounds(time_zone)
    t = table.filter((table[column] >= ibis.literal(start)) & (table[column] < ibis.literal(end)))
    return local_clock(t, column, time_zone, span).drop("local_seconds")


def sales_counts(
    facts: ChatFacts,
    orders: ibis.Table,
    refunds: ibis.Table,
    buckets: Buckets,
    periods: Sequence[Period],
    time_zone: str,
    rules: AttributionRules,
) -> ibis.Table:
    """Per ``bucket, agent_id``: ``attributed_orders, attributed_paid, attributed_lost,
    sales_amount, sales_units, buyers, returns, inquirers, converted_next_day,
    converted_final`` (``attribution``'s definitions)."""
    a = in_buckets(facts.attribution, buckets)
    paid = a.paid_at.notnull()
    sales = a.group_by(["bucket", "agent_id"]).aggregate(
        attributed_orders=a.count(),
        attributed_paid=a.count(where=paid),
        attributed_lost=a.count(where=~paid & (a.status == "closed")),
        sales_amount=a.amount.sum(where=paid),
        sales_units=a.item_count.sum(where=paid),
        buyers=a.customer_key.nunique(where=paid),
    )
    r = local_days(
        refunds.filter(refunds.kind == "return_refund"), "requested_at", periods, time_zone
    )
    r = in_buckets(r, buckets)
    asked = r.group_by(["bucket", "platform", "order_id"]).aggregate(requests=r.count())
    owners = facts.attribution.select("platform", "order_id", "agent_id")
    rr = asked.join(owners, ["platform", "order_id"])
    returns = rr.group_by(["bucket", "agent_id"]).aggregate(returns=rr.requests.sum())
    q = inquiry_rows(facts, orders, buckets, periods, time_zone, rules)
    inquirers = q.group_by(["bucket", "agent_id"]).aggregate(
        inquirers=q.customer_key.nunique(),
        converted_next_day=q.customer_key.nunique(where=q.converted_next_day),
        converted_final=q.customer_key.nunique(where=q.converted_final),
    )
    return _outer([sales, returns, inquirers], ["bucket", "agent_id"])


def store_aov_counts(
    orders: ibis.Table, buckets: Buckets, periods: Sequence[Period], time_zone: str
) -> ibis.Table:
    """Per bucket, 店铺客单价's parts: ``paid_amount`` of the orders created in it and paid,
    their distinct ``payers``."""
    o = local_days(orders.filter(orders.paid_at.notnull()), "created_at", periods, time_zone)
    o = in_buckets(o, buckets)
    return o.group_by("bucket").aggregate(
        paid_amount=o.amount.sum().fill_null(0), payers=o.customer_key.nunique()
    )


# -- one period from raw rows (the tests' and scripts' entry points) -------------------------
def agent_figures(
    chat_messages: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
    rules: ServiceRules | None = None,
) -> list[AgentFigures]:
    """Every agent's chat metrics for ``period`` from raw messages."""
    buckets = bucket_days([period])
    span = Period(period.start - dt.timedelta(days=1), period.end + dt.timedelta(days=1))
    parts = session_facts(chat_messages, None, time_zone, span)
    parts["attribution"] = parts["agent_sends"].limit(0)  # not read by the chat counts
    built = for_agents(ChatFacts(**parts))
    rows = arrow(chat_counts(built, buckets, rules or ServiceRules()).order_by("agent_id"))
    return [AgentFigures.from_counts(r) for r in rows.to_pylist()]


def agent_sales(
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    period: Period,
    time_zone: str,
    rules: AttributionRules | None = None,
) -> ibis.Table:
    """Per agent, ``sales_counts`` for ``period`` from raw rows (all orders attributed)."""
    periods = [period]
    buckets = bucket_days(periods)
    rules = rules or AttributionRules()
    built = for_agents(chat_facts(chat_messages, orders, time_zone, _wide(period), rules))
    out = sales_counts(built, orders, refunds, buckets, periods, time_zone, rules)
    return out.drop("bucket").order_by("agent_id")


def inquiries(
    chat_messages: ibis.Table,
    orders: ibis.Table,
    period: Period,
    time_zone: str,
    rules: AttributionRules | None = None,
) -> ibis.Table:
    """One row per inquiry in ``period`` from raw rows: ``customer_key, agent_id,
    began_at, day, converted_next_day, converted_final``."""
    periods = [period]
    buckets = bucket_days(periods)
    rules = rules or AttributionRules()
    built = for_agents(chat_facts(chat_messages, orders, time_zone, _wide(period), rules))
    return inquiry_rows(built, orders, buckets, periods, time_zone, rules).drop("bucket")


def _wide(period: Period) -> Period:
    """A span for raw rows around ``period``: local days outside it only matter for zones
    that change their offset, where rows outside the span keep no day (and count nowhere)."""
    return Period(period.start - dt.timedelta(days=400), period.end + dt.timedelta(days=31))


def facts_from_raw(
    chat_messages: ibis.Table,
    orders: ibis.Table,
    period: Period,
    time_zone: str,
    rules: AttributionRules | None = None,
) -> ChatFacts:
    """The agents' facts (``facts.for_agents``) built from raw rows, uncached: the tests'
    and scripts' way to count a small shop (pages use the derived tables or
    ``agents.raw_facts``)."""
    rules = rules or AttributionRules()
    return for_agents(chat_facts(chat_messages, orders, time_zone, _wide(period), rules))
