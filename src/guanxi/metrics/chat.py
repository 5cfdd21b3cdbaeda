"""Customer-service metrics (客服绩效) from chat messages [000 proj.4, 003, 004] — SPEC §2.

Pure Ibis: functions take lake tables, a period of local days and the shop's time zone, and
return expressions with numerators and denominators; ratios are taken in ``AgentFigures``
with exact decimals, so a band edge such as 88 ÷ 275 = 32 % is exactly 32 %.

Definitions (SPEC §2, defaults in ``ServiceRules``):
- System messages are ignored everywhere. A session's messages are ordered by time, then
  message id (sources deliver them out of order).
- A round (轮次) is a maximal run of consecutive customer messages in a session; it is in the
  period when its first message is. It is answered by the next message if that is an
  agent's; its response time is that reply's time minus the round's first message time,
  and it belongs to the answering agent. An unanswered round belongs to the agent who spoke
  just before it (to nobody if no agent did; in the shop's own figures, to the shop: the
  shop was asked even when nobody answered).
- 咨询人数 (per agent): distinct customers with a round belonging to the agent in the period;
  for the shop, every customer who sent a message in the period, as on the store overview.
- 接待人数 received customers: distinct customers the agent sent ≥1 message to in the period.
- 首次响应时间 first response time: mean over the sessions whose first reply the agent sent
  (sessions starting in the period) of (that reply − the session's first customer message).
- 平均响应时间 average response time: mean response time of the rounds the agent answered.
- 慢响应人数 slow-response customers: distinct customers with a round the agent answered in
  more than ``slow_seconds`` (60 s).
- 三分钟响应率 (Taobao): rounds belonging to the agent that start between ``quick_from_hour``
  and ``quick_to_hour`` local time (08:00–24:00) answered within ``quick_seconds`` (180 s) ÷
  those rounds.
- 答问比 answer/question ratio: the agent's messages in the period ÷ the customer messages of
  the rounds the agent answered.
- 回复率 reply rate: answered rounds ÷ all rounds belonging to the agent.
- 平均接待时长 mean session length: mean (last − first message) of the sessions starting in
  the period in which the agent spoke.
- 咨询未回复数 unanswered (shop): customer-started sessions starting in the period with no
  agent message at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import in_period, seconds_between
from guanxi.metrics.ratios import ratio
from guanxi.metrics.rules import ServiceRules as ServiceRules  # re-exported (metrics.rules)


def ordered_messages(chat_messages: ibis.Table) -> ibis.Table:
    """Customer and agent messages with their neighbours in the session.

    Adds ``prev_sender``, ``prev_agent`` (the message before), ``next_sender``,
    ``next_agent``, ``next_at`` (the message after), ``round_key``: the number of
    non-customer messages before the message in its session, and ``first_customer_at``:
    the session's first customer message. Every customer message of a round has the same
    ``round_key`` (a round is a maximal run of customer messages, so rounds are separated
    by at least one other message), which identifies rounds without a second window over
    the first one's results; ``first_customer_at`` lets ``session_rows`` find the first
    reply in one aggregate instead of joining messages back to their sessions. All of it
    is one pass over the messages partitioned by session.
    """
    m = chat_messages.filter(chat_messages.sender != "system")
    order = [m.sent_at, m.message_id]
    w = ibis.window(group_by=m.session_id, order_by=order)
    cumulative = ibis.cumulative_window(group_by=m.session_id, order_by=order)
    customer_at = (m.sender == "customer").ifelse(m.sent_at, ibis.null(m.sent_at.type()))
    return m.mutate(
        prev_sender=m.sender.lag().over(w),
        prev_agent=m.agent_id.lag().over(w),
        next_sender=m.sender.lead().over(w),
        next_agent=m.agent_id.lead().over(w),
        next_at=m.sent_at.lead().over(w),
        round_key=(m.sender != "customer").cast("int64").sum().over(cumulative),
        first_customer_at=customer_at.min().over(ibis.window(group_by=m.session_id)),
    )


def round_rows(ordered: ibis.Table) -> ibis.Table:
    """Rounds from ``ordered_messages``: ``session_id, round_key, customer_key, started_at,
    customer_messages, answered_at, answered_by, owner, response_seconds``.

    A round's first message is the one whose previous message is not a customer's; only its
    last message can be followed by an agent's (the answer), so plain aggregates per round
    pick those values out without joining starts to ends.
    """
    c = ordered.filter(ordered.sender == "customer")
    starts = c.prev_sender.isnull() | (c.prev_sender != "customer")
    answer = c.next_sender == "agent"
    r = c.group_by(["session_id", "round_key"]).aggregate(
        customer_key=c.customer_key.max(where=starts),
        started_at=c.sent_at.min(),
        customer_messages=c.count(),
        before_agent=c.prev_agent.max(where=starts & (c.prev_sender == "agent")),
        answered_at=c.next_at.max(where=answer),
        answered_by=c.next_agent.max(where=answer),
        # Raw customer messages carry no agent; in the shop's own figures (agents.in_units)
        # they carry the shop, so a round no agent answered or spoke before is the shop's.
        unit=c.agent_id.max(),
    )
    return r.select(
        "session_id",
        "round_key",
        "customer_key",
        "started_at",
        "customer_messages",
        "answered_at",
        "answered_by",
        owner=r.answered_by.fill_null(r.before_agent).fill_null(r.unit),
        response_seconds=seconds_between(r.started_at, r.answered_at),
    )


def rounds(chat_messages: ibis.Table) -> ibis.Table:
    """One row per round: ``session_id, round_no, customer_key, started_at,
    customer_messages, answered_at, answered_by, owner, response_seconds`` (``round_no``
    counts the session's rounds from 1)."""
    r = round_rows(ordered_messages(chat_messages))
    w = ibis.window(group_by=r.session_id, order_by=r.round_key)
    return r.mutate(round_no=ibis.row_number().over(w) + 1).drop("round_key")


def session_rows(ordered: ibis.Table) -> ibis.Table:
    """Sessions from ``ordered_messages``: ``session_id, platform, customer_key, first_at,
    last_at, first_customer_at, starts_with_customer, first_reply_at, first_reply_by,
    agent_messages``.

    The first reply is the first agent message (by time, then message id) at or after the
    session's first customer message. The session's first message and its first reply are
    taken with ordered aggregates: one group-by, no second window and no join.
    """
    m = ordered
    order = ibis.struct({"at": m.sent_at, "id": m.message_id})
    reply = (m.sender == "agent") & (m.sent_at >= m.first_customer_at)
    out = m.group_by("session_id").aggregate(
        platform=m.platform.max(),
        customer_key=m.customer_key.max(),
        first_at=m.sent_at.min(),
        last_at=m.sent_at.max(),
        first_customer_at=m.first_customer_at.min(),
        agent_messages=m.count(where=m.sender == "agent"),
        # wrapped in structs: an argmin of a bare column may skip null values
        opener=ibis.struct({"sender": m.sender}).argmin(order).sender,
        first_reply_at=m.sent_at.min(where=reply),
        first_reply_by=ibis.struct({"agent": m.agent_id}).argmin(order, where=reply).agent,
    )
    return out.mutate(starts_with_customer=out.opener == "customer").drop("opener")


def sessions(chat_messages: ibis.Table) -> ibis.Table:
    """One row per session: ``session_id, platform, customer_key, first_at, last_at,
    first_customer_at, starts_with_customer, first_reply_at, first_reply_by, agent_messages``.

    The first reply is the first agent message after the session's first customer message.
    """
    return session_rows(ordered_messages(chat_messages))


def agents_in_sessions(messages: ibis.Table) -> ibis.Table:
    """``session_id, agent_id``: the agents who spoke in each session."""
    spoke = messages.filter((messages.sender == "agent") & messages.agent_id.notnull())
    return spoke.select("session_id", "agent_id").distinct()


def unanswered_sessions(
    chat_messages: ibis.Table, period: Period, time_zone: str
) -> ir.IntegerScalar:
    """咨询未回复数: customer-started sessions starting in the period with no agent message."""
    s = sessions(chat_messages)
    s = s.filter(in_period(s.first_at, period, time_zone))
    return s.filter(s.starts_with_customer & (s.agent_messages == 0)).count()


@dataclass(frozen=True)
class AgentFigures:
    """One agent's chat metrics for a period; ratios exact, ``None`` when undefined."""

    agent_id: str
    consulting_customers: int
    received_customers: int
    agent_messages: int
    rounds_owned: int
    rounds_answered: int
    first_response_seconds: Decimal | None
    avg_response_seconds: Decimal | None
    slow_response_customers: int
    three_minute_rate: Decimal | None
    answer_ratio: Decimal | None
    reply_rate: Decimal | None
    mean_session_seconds: Decimal | None

    @classmethod
    def from_counts(cls, row: dict[str, Any]) -> AgentFigures:
        return cls(
            agent_id=row["agent_id"],
            consulting_customers=int(row["consulting_customers"]),
            received_customers=int(row["received_customers"]),
            agent_messages=int(row["agent_messages"]),
            rounds_owned=int(row["rounds_owned"]),
            rounds_answered=int(row["rounds_answered"]),
            first_response_seconds=ratio(
                row["first_response_seconds_sum"], row["first_reply_sessions"], 2
            ),
            avg_response_seconds=ratio(row["response_seconds_sum"], row["rounds_answered"], 2),
            slow_response_customers=int(row["slow_customers"]),
            three_minute_rate=ratio(row["quick_answered"], row["quick_rounds"], 4),
            answer_ratio=ratio(row["agent_messages"], row["questions"], 2),
            reply_rate=ratio(row["rounds_answered"], row["rounds_owned"], 4),
            mean_session_seconds=ratio(row["session_seconds_sum"], row["sessions"], 2),
        )
