"""The chat's derived facts: one row per session, round, (session, agent), agent's messages
per customer and day, Douyin customer message and attributed order — the building blocks
every agent metric counts (SPEC §2).

``chat_facts`` builds them from raw messages and orders with the metric functions that
define sessions, rounds, stages and attribution (``chat``, ``attribution``). The lake keeps
them as derived tables (``guanxi.lake.derived``), refreshed by each import; the reports
count them per period (``period_counts``). The raw path builds the same facts on the fly
from the messages that matter for a period: it is the reference the derived tables are
checked against, and the fallback while they are being refreshed.

Local days and times of day are computed here, once, in the shop's time zone: ``day`` (the
local date of the event that places a row in a period) and ``local_seconds`` (the seconds
since that day's local midnight). A derived table is therefore valid for one time zone,
which its fill state records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import ibis

from guanxi.core.timeutil import Period
from guanxi.metrics.attribution import AttributionRules, attributed_from, stages_from
from guanxi.metrics.calendar import (
    DAY_US,
    day_bounds,
    fixed_offset,
    seconds_between,
    unix_micros,
)
from guanxi.metrics.chat import ordered_messages, round_rows, session_rows

EPOCH = dt.date(1970, 1, 1)


def local_clock(events: ibis.Table, column: str, time_zone: str, span: Period) -> ibis.Table:
    """``events`` with ``day`` (the local date of ``column``) and ``local_seconds`` (seconds
    since that day's local midnight, elapsed time on a daylight-saving day).

    ``span`` must cover every event's day. With one UTC offset all through it (every zone
    of China) this is arithmetic on epoch microseconds; else each event is joined to its
    day's UTC bounds, which is exact across a change but costs a range join."""
    offset = fixed_offset(span, time_zone)
    if offset is None:
        days = day_bounds(span, time_zone)
        on = [events[column] >= days.day_start, events[column] < days.day_end]
        # a left join: an event outside ``span`` keeps its row, with no day
        joined = events.left_join(days, on)
        joined = joined.mutate(local_seconds=seconds_between(joined.day_start, joined[column]))
        return joined.drop("day_start", "day_end")
    local_us = _local_micros(events[column], offset)
    return events.mutate(
        day=_date_of(local_us), local_seconds=(local_us % DAY_US).cast("float64") / 1_000_000
    )


def _local_micros(at: ibis.Value, offset: dt.timedelta) -> ibis.Value:
    return unix_micros(at) + offset // dt.timedelta(microseconds=1)


def _date_of(local_us: ibis.Value) -> ibis.Value:
    day_no = (local_us // DAY_US).cast("int64")
    return (ibis.literal(EPOCH) + day_no.as_interval("D")).cast("date")


def month_of(day: ibis.Value) -> ibis.Value:
    """'YYYY-MM' of a date: the derived tables' partition."""
    return day.strftime("%Y-%m")


@dataclass(frozen=True)
class ChatFacts:
    """The derived facts as Ibis tables (built on the fly, or read from the lake).

    - ``sessions``: ``session_id, platform, customer_key, first_at, last_at,
      first_customer_at, starts_with_customer, first_reply_at, first_reply_by,
      agent_messages, first_response_seconds, length_seconds, stage, day, customer_day``
      (``stage`` and ``customer_day`` empty when the customer never wrote);
    - ``rounds``: ``session_id, round_key, round_no, platform, customer_key, started_at,
      customer_messages, answered_at, answered_by, owner, response_seconds, day,
      local_seconds`` (``owner`` empty when nobody answered and no agent spoke before);
    - ``session_agents``: ``session_id, agent_id`` — who sent a message in each session
      (``agent_id`` empty for agent messages without an agent);
    - ``agent_sends``: ``session_id, agent_id, customer_key, day, messages``;
    - ``douyin_waits``: ``session_id, round_key, sent_at, day, local_seconds`` — each
      customer message of a Douyin session (the Douyin 3-minute rule is per message);
    - ``attribution``: ``platform, order_id, customer_key, created_at, paid_at, closed_at,
      status, amount, item_count, agent_id, day`` — orders with an agent message in a
      pre-sale session of their customer in the attribution window; ``agent_id`` is the
      last such message's named agent (empty when only unnamed agents wrote), ``day`` the
      order's local creation day.
    """

    sessions: ibis.Table
    rounds: ibis.Table
    session_agents: ibis.Table
    agent_sends: ibis.Table
    douyin_waits: ibis.Table
    attribution: ibis.Table


FACT_NAMES = tuple(f.name for f in fields(ChatFacts))


def session_facts(
    messages: ibis.Table,
    orders: ibis.Table | None,
    time_zone: str,
    span: Period,
    rules: AttributionRules | None = None,
    ordered: ibis.Table | None = None,
) -> dict[str, ibis.Table]:
    """Every fact keyed by session (all but ``attribution``) of the sessions in
    ``messages`` (whole sessions; system messages are ignored). ``ordered``: the messages'
    ``chat.ordered_messages``, when the caller has it (cached) already."""
    ordered = ordered_messages(messages) if ordered is None else ordered
    s = session_rows(ordered)  # with each session's platform
    if orders is None:  # chat figures only: no stages
        s = s.mutate(stage=ibis.null("string"))
    else:
        stages = stages_from(s, orders, rules or AttributionRules()).select("session_id", "stage")
        s = s.left_join(stages, "session_id").drop("session_id_right")
    s = local_clock(s, "first_at", time_zone, span).drop("local_seconds")
    offset = fixed_offset(span, time_zone)
    if offset is not None:
        # A column of the same rows: a self-join here made the engines evaluate the
        # session rows and their stage join twice (half the build's time on a large shop).
        s = s.mutate(customer_day=_date_of(_local_micros(s.first_customer_at, offset)))
    else:
        customer_days = local_clock(
            s.filter(s.first_customer_at.notnull()).select("session_id", "first_customer_at"),
            "first_customer_at",
            time_zone,
            span,
        ).select("session_id", customer_day="day")
        s = s.left_join(customer_days, "session_id").drop("session_id_right")
    sessions = s.select(
        "session_id",
        "platform",
        "customer_key",
        "first_at",
        "last_at",
        "first_customer_at",
        "starts_with_customer",
        "first_reply_at",
        "first_reply_by",
        "agent_messages",
        first_response_seconds=seconds_between(s.first_customer_at, s.first_reply_at),
        length_seconds=seconds_between(s.first_at, s.last_at),
        stage=s.stage,
        day=s.day,
        customer_day=s.customer_day,
    )

    r = round_rows(ordered)
    r = r.mutate(
        round_no=ibis.row_number().over(ibis.window(group_by=r.session_id, order_by=r.round_key))
        + 1
    )
    # The platform from the messages, not from ``s``: joining ``s`` would evaluate the session
    # rows and their stage join again inside the rounds' query.
    platforms = ordered.group_by("session_id").aggregate(platform=ordered.platform.max())
    r = r.left_join(platforms, "session_id").drop("session_id_right")
    r = local_clock(r, "started_at", time_zone, span)
    rounds = r.select(
        "session_id",
        "round_key",
        "round_no",
        "platform",
        "customer_key",
        "started_at",
        "customer_messages",
        "answered_at",
        "answered_by",
        "owner",
        "response_seconds",
        "day",
        "local_seconds",
    )

    agent = ordered.filter(ordered.sender == "agent")
    session_agents = agent.select("session_id", "agent_id").distinct()
    sends = local_clock(
        agent.select("session_id", "agent_id", "customer_key", "sent_at"),
        "sent_at",
        time_zone,
        span,
    )
    agent_sends = sends.group_by(["session_id", "agent_id", "customer_key", "day"]).aggregate(
        messages=sends.count()
    )

    d = ordered.filter((ordered.sender == "customer") & (ordered.platform == "douyin"))
    douyin_waits = local_clock(
        d.select("session_id", "round_key", "sent_at"), "sent_at", time_zone, span
    )
    return {
        "sessions": sessions,
        "rounds": rounds,
        "session_agents": session_agents,
        "agent_sends": agent_sends,
        "douyin_waits": douyin_waits,
    }


def attribution_facts(
    messages: ibis.Table,
    sessions: ibis.Table,
    orders: ibis.Table,
    time_zone: str,
    span: Period,
    rules: AttributionRules | None = None,
) -> ibis.Table:
    """``ChatFacts.attribution`` of ``orders`` (any subset), from the messages that can
    attribute them and the sessions' stages (``sessions``: ``session_facts``'s)."""
    stages = sessions.filter(sessions.stage.notnull()).select("session_id", "stage")
    a = attributed_from(messages, stages, orders, rules or AttributionRules())
    return local_clock(a, "created_at", time_zone, span).drop("local_seconds")


def chat_facts(
    messages: ibis.Table,
    orders: ibis.Table,
    time_zone: str,
    span: Period,
    rules: AttributionRules | None = None,
    attributable: ibis.Table | None = None,
) -> ChatFacts:
    """Every fact from raw ``messages`` (whole sessions) and ``orders``; ``attributable``:
    the orders to attribute (default all of ``orders``)."""
    parts = session_facts(messages, orders, time_zone, span, rules)
    target = orders if attributable is None else attributable
    parts["attribution"] = attribution_facts(
        messages, parts["sessions"], target, time_zone, span, rules
    )
    return ChatFacts(**parts)


# -- units ----------------------------------------------------------------------------------
NO_TEAM = "*none"
"""The unit of agents in no team (shown as 未分组)."""
SHOP = "*shop"
"""The unit of every agent together: the shop's own figures."""


def for_agents(facts: ChatFacts) -> ChatFacts:
    """The facts as the agents' figures count them: messages without an agent belong to no
    agent (a round they answered stays unanswered for the agents, as on the raw path)."""
    spoke = facts.session_agents
    sends = facts.agent_sends
    a = facts.attribution
    return replace(
        facts,
        session_agents=spoke.filter(spoke.agent_id.notnull()),
        agent_sends=sends.filter(sends.agent_id.notnull()),
        attribution=a.filter(a.agent_id.notnull()),
    )


def in_units(facts: ChatFacts, units: Mapping[str, str], other: str) -> ChatFacts:
    """The facts with each agent replaced by their unit: their team (agents not in
    ``units`` belong to ``other``), or, with ``units`` empty and ``other`` ``SHOP``, the
    shop — exactly what relabelling the raw messages (``agents.in_units``) gives.

    A unit's figure is its own, not a sum of its agents': distinct customers and sessions
    are counted once per unit by the period counts. For the shop every round is the
    shop's (asked of the shop even when nobody answered), and every agent message, named
    or not, is the shop's."""
    if not units and other == SHOP:
        shop = ibis.literal(SHOP)
        none = ibis.null("string")
        r, s = facts.rounds, facts.sessions
        return ChatFacts(
            sessions=s.mutate(first_reply_by=s.first_reply_at.isnull().ifelse(none, shop)),
            rounds=r.mutate(owner=shop, answered_by=r.answered_at.isnull().ifelse(none, shop)),
            session_agents=facts.session_agents.mutate(agent_id=shop).distinct(),
            agent_sends=facts.agent_sends.mutate(agent_id=shop),
            douyin_waits=facts.douyin_waits,
            attribution=facts.attribution.mutate(agent_id=shop),
        )

    def unit(agent: ibis.Value) -> ibis.Value:
        mapped = agent.substitute(dict(units), else_=other) if units else ibis.literal(other)
        return agent.isnull().ifelse(ibis.null("string"), mapped)

    named = for_agents(facts)
    r, s = named.rounds, named.sessions
    return ChatFacts(
        sessions=s.mutate(first_reply_by=unit(s.first_reply_by)),
        rounds=r.mutate(owner=unit(r.owner), answered_by=unit(r.answered_by)),
        session_agents=named.session_agents.mutate(
            agent_id=unit(named.session_agents.agent_id)
        ).distinct(),
        agent_sends=named.agent_sends.mutate(agent_id=unit(named.agent_sends.agent_id)),
        douyin_waits=named.douyin_waits,
        attribution=named.attribution.mutate(agent_id=unit(named.attribution.agent_id)),
    )
