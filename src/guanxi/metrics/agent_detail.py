"""One agent in depth (客服详情): daily trends, response-time distribution, stage mix and the
slowest rounds — SPEC §2, with the agent report's definitions.

Everything here is counted from the report's own facts (``facts.ChatFacts``: the derived
tables, or the same facts built from raw messages) with the report's counts
(``period_counts``), so a day's figure means what the period's figure means:

- sums and their counts add up over the days to the agent report's (销售额, the response-time
  sums behind 首次/平均响应时间, the rounds behind 三分钟响应率, 询单人数 and its conversions);
- distinct-customer counts per day (接待人数) do not add up: a customer received on two days
  is counted on both, once in the period.

On the raw path the messages are first narrowed to the agent's customers (``customers_of``;
its docstring says why that changes no figure of the agent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from guanxi.core.timeutil import Period
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import ServiceRules
from guanxi.metrics.facts import ChatFacts
from guanxi.metrics.period_counts import bucket_days, chat_counts, inquiry_rows
from guanxi.metrics.ratios import ratio

MONEY = Decimal("0.01")
STAGES = ("pre_sale", "in_sale", "after_sale")
# The daily figures (keys of ``AgentDay`` and of the agent report, so names and kinds come
# from ``agents.AGENT_METRICS``), in the order tables and exports show them.
DAILY_KEYS = (
    "received_customers",
    "first_response_seconds",
    "avg_response_seconds",
    "three_minute_rate",
    "inquirers",
    "inquiry_conversion_final",
    "sales_amount",
)


def customers_of(chat_messages: ibis.Table, agent_id: str) -> ibis.Table:
    """The sessions the agent spoke in and every message of the customers the agent sent a
    message to, with other agents' messages too.

    An order is attributed to the last agent who spoke to its customer, so the customer's
    whole chat stays (another agent may have spoken last); customers the agent never spoke
    to cannot bring the agent an order, an inquiry, a return or a round. So the agent
    report over these messages gives this agent's figures exactly (other agents' not),
    reading a fraction of the chats. The sessions are kept by id as well, so messages
    without a customer key keep their rounds.
    """
    spoke = chat_messages.filter(
        (chat_messages.sender == "agent") & (chat_messages.agent_id == agent_id)
    )
    return chat_messages.filter(
        chat_messages.session_id.isin(spoke.session_id)
        | chat_messages.customer_key.isin(spoke.customer_key)
    )


def _in(table: ibis.Table, period: Period, column: str = "day") -> ibis.BooleanValue:
    return table[column].between(period.start, period.end)


def _answered_rounds(facts: ChatFacts, period: Period, agent_id: str) -> ibis.Table:
    """The rounds the agent answered that start in the period (``ChatFacts.rounds`` rows)."""
    r = facts.rounds
    return r.filter((r.answered_by == agent_id) & _in(r, period))


# -- daily trends ---------------------------------------------------------------------------
def daily_counts(
    *,
    facts: ChatFacts,
    orders: ibis.Table,
    period: Period,
    time_zone: str,
    agent_id: str,
    service_rules: ServiceRules | None = None,
    attribution_rules: AttributionRules | None = None,
) -> ibis.Table:
    """One row per local day of the period (days without activity too): the counts and sums
    behind the agent's daily figures (see ``AgentDay``), ordered by ``day``.

    A round, session, inquiry or order belongs to the local day on which it starts (its
    first message, its first message, its first customer message, its creation), so a
    round asked at 23:59 and answered at 00:01 counts on the day it was asked. ``facts``:
    the agents' (``facts.for_agents``).
    """
    rules = service_rules or ServiceRules()
    attribution_rules = attribution_rules or AttributionRules()
    each_day = [
        Period(d, d) for d in (period.start + dt.timedelta(days=n) for n in range(period.days))
    ]
    days = bucket_days(each_day)
    chat = chat_counts(facts, days, rules)
    chat = chat.filter(chat.agent_id == agent_id)
    chat = chat.join(days.days, "bucket").drop("bucket", "agent_id")
    # Inquiries of the whole period, by the day each began (so the days add up).
    q = inquiry_rows(facts, orders, bucket_days([period]), [period], time_zone, attribution_rules)
    q = q.filter(q.agent_id == agent_id)
    asked = q.group_by("day").aggregate(
        inquirers=q.customer_key.nunique(),
        converted_final=q.customer_key.nunique(where=q.converted_final),
    )
    a = facts.attribution
    a = a.filter((a.agent_id == agent_id) & a.paid_at.notnull() & _in(a, period))
    sales = a.group_by("day").aggregate(
        paid_orders=a.count(), sales_amount=a.amount.sum(), buyers=a.customer_key.nunique()
    )
    out = days.days.select("day")
    for part in (chat, asked, sales):
        out = out.left_join(part, "day").drop("day_right")
    counts = [c for c in out.columns if c != "day"]
    return out.mutate(**{c: out[c].fill_null(0) for c in counts}).order_by("day")


@dataclass(frozen=True)
class AgentDay:
    """One local day of an agent; ratios exact, ``None`` when the day has no denominator.

    - 接待人数 received customers: distinct customers the agent sent a message to that day.
    - 首次响应时间 first response (s): Σ(first reply − first customer message) ÷ sessions
      starting that day whose first reply the agent sent.
    - 平均响应时间 average response (s): Σ response seconds ÷ rounds starting that day that
      the agent answered.
    - 三分钟响应率 3-minute rate: the agent's rounds starting that day in the quick hours
      answered within the quick seconds ÷ those rounds.
    - 询单人数 inquirers: the period's inquiries of the agent by the day they began (a
      customer's inquiry begins at the pair's first pre-sale session in the period, so the
      days add up to the period's inquirers).
    - 询单→最终付款成功率 final conversion: of those, converted finally ÷ inquirers.
    - 销售额 sales: paid amount of the agent's attributed orders created that day.
    """

    day: dt.date
    received_customers: int
    first_response_seconds: Decimal | None
    avg_response_seconds: Decimal | None
    three_minute_rate: Decimal | None
    inquirers: int
    inquiry_conversion_final: Decimal | None
    sales_amount: Decimal
    # The parts, so days can be summed and re-divided (exports, checks):
    first_reply_sessions: int
    first_response_seconds_sum: float
    rounds_owned: int
    rounds_answered: int
    response_seconds_sum: float
    quick_rounds: int
    quick_answered: int
    converted_final: int
    paid_orders: int

    @property
    def has_activity(self) -> bool:
        return bool(
            self.received_customers or self.rounds_owned or self.inquirers or self.paid_orders
        )

    @classmethod
    def from_counts(cls, row: dict[str, Any]) -> AgentDay:
        return cls(
            day=row["day"],
            received_customers=int(row["received_customers"]),
            first_response_seconds=ratio(
                row["first_response_seconds_sum"], row["first_reply_sessions"], 2
            ),
            avg_response_seconds=ratio(row["response_seconds_sum"], row["rounds_answered"], 2),
            three_minute_rate=ratio(row["quick_answered"], row["quick_rounds"], 4),
            inquirers=int(row["inquirers"]),
            inquiry_conversion_final=ratio(row["converted_final"], row["inquirers"], 4),
            sales_amount=Decimal(row["sales_amount"]).quantize(MONEY),
            first_reply_sessions=int(row["first_reply_sessions"]),
            first_response_seconds_sum=float(row["first_response_seconds_sum"]),
            rounds_owned=int(row["rounds_owned"]),
            rounds_answered=int(row["rounds_answered"]),
            response_seconds_sum=float(row["response_seconds_sum"]),
            quick_rounds=int(row["quick_rounds"]),
            quick_answered=int(row["quick_answered"]),
            converted_final=int(row["converted_final"]),
            paid_orders=int(row["paid_orders"]),
        )


def agent_days(arrow: Any, **kwargs: Any) -> list[AgentDay]:
    """``daily_counts(**kwargs)`` run by ``arrow`` (Lake.arrow), one ``AgentDay`` per day."""
    return [AgentDay.from_counts(row) for row in arrow(daily_counts(**kwargs)).to_pylist()]


# -- response-time distribution ---------------------------------------------------------------
def bucket_edges(rules: ServiceRules | None = None) -> tuple[int, ...]:
    """Upper edges (seconds, inclusive) of the response-time buckets, each a SPEC threshold:
    10 s (首次响应 full score), 20 s (平均响应 full score), 30 s (首次响应 scores 0 above),
    the slow-response threshold (60 s) and the 3-minute rule (180 s). The last bucket is
    open: over the 3-minute rule."""
    rules = rules or ServiceRules()
    return tuple(sorted({10, 20, 30, rules.slow_seconds, rules.quick_seconds}))


def response_profile(
    facts: ChatFacts, period: Period, agent_id: str, edges: tuple[int, ...]
) -> ibis.Table:
    """One row: ``rounds`` (answered by the agent, starting in the period), ``b0…bN`` the
    rounds per bucket (b0: ≤ edges[0]; bi: (edges[i-1], edges[i]]; bN: > edges[-1]), and
    ``median_seconds`` / ``p90_seconds``.

    中位数 / 90 分位 median and 90th percentile of the response seconds: linear interpolation
    between the closest ranks (DuckDB ``quantile_cont``, Spark ``percentile``, Excel
    PERCENTILE.INC): for n sorted values x₀…xₙ₋₁ the q-quantile is at rank h = q·(n − 1),
    x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋).
    """
    r = _answered_rounds(facts, period, agent_id)
    w = r.response_seconds
    buckets: dict[str, ir.IntegerScalar] = {}
    lower: int | None = None
    for i, upper in enumerate(edges):
        inside = w <= upper if lower is None else (w > lower) & (w <= upper)
        buckets[f"b{i}"] = r.count(where=inside)
        lower = upper
    buckets[f"b{len(edges)}"] = r.count(where=w > edges[-1])
    return r.aggregate(
        rounds=r.count(), median_seconds=w.median(), p90_seconds=w.quantile(0.9), **buckets
    )


@dataclass(frozen=True)
class Bucket:
    lower: int | None  # exclusive; None for the first bucket (from 0)
    upper: int | None  # inclusive; None for the last (open) bucket
    rounds: int
    share: Decimal | None  # rounds ÷ all answered rounds


@dataclass(frozen=True)
class ResponseDistribution:
    """响应时间分布: the agent's answered rounds per response-time bucket, their shares,
    median and 90th percentile (seconds, two decimals; ``None`` without rounds)."""

    rounds: int
    buckets: list[Bucket]
    median_seconds: Decimal | None
    p90_seconds: Decimal | None

    @classmethod
    def from_row(cls, row: dict[str, Any], edges: tuple[int, ...]) -> ResponseDistribution:
        total = int(row["rounds"] or 0)
        bounds: list[tuple[int | None, int | None]] = list(
            zip((None, *edges), (*edges, None), strict=True)
        )
        return cls(
            rounds=total,
            buckets=[
                # a conditional count over no rows is NULL on Spark, 0 on DuckDB
                Bucket(lo, hi, int(row[f"b{i}"] or 0), ratio(row[f"b{i}"] or 0, total, 4))
                for i, (lo, hi) in enumerate(bounds)
            ],
            median_seconds=_seconds(row["median_seconds"]),
            p90_seconds=_seconds(row["p90_seconds"]),
        )


def _seconds(value: Any) -> Decimal | None:
    return None if value is None else ratio(float(value), 1, 2)


def response_distribution(
    facts: ChatFacts,
    period: Period,
    agent_id: str,
    arrow: Any,
    rules: ServiceRules | None = None,
) -> ResponseDistribution:
    edges = bucket_edges(rules)
    row = arrow(response_profile(facts, period, agent_id, edges)).to_pylist()
    return ResponseDistribution.from_row(row[0], edges)


# -- stage mix ------------------------------------------------------------------------------
def stage_counts(facts: ChatFacts, period: Period, agent_id: str) -> ibis.Table:
    """接待阶段构成 stage mix: ``stage, sessions`` — the sessions in which the agent spoke whose
    first customer message is in the period, by stage (售前 pre_sale, 售中 in_sale, 售后
    after_sale, as ``attribution.stages_from`` decides). Sessions the agent opened and
    the customer never answered have no stage and are not counted."""
    spoke = facts.session_agents
    mine = facts.sessions.semi_join(spoke.filter(spoke.agent_id == agent_id), "session_id")
    mine = mine.filter(mine.stage.notnull() & _in(mine, period, "customer_day"))
    return mine.group_by("stage").aggregate(sessions=mine.count())


@dataclass(frozen=True)
class StageShare:
    stage: str
    sessions: int
    share: Decimal | None  # sessions ÷ all staged sessions of the agent in the period


def stage_mix(arrow: Any, *args: Any, **kwargs: Any) -> list[StageShare]:
    """``stage_counts(...)`` run by ``arrow``: every stage, in sales order, with its share."""
    got = {r["stage"]: int(r["sessions"]) for r in arrow(stage_counts(*args, **kwargs)).to_pylist()}
    total = sum(got.values())
    return [StageShare(s, got.get(s, 0), ratio(got.get(s, 0), total, 4)) for s in STAGES]


# -- slowest rounds -------------------------------------------------------------------------
def slowest_rounds(facts: ChatFacts, period: Period, agent_id: str, limit: int) -> ibis.Table:
    """最慢的轮次: the ``limit`` rounds the agent answered (starting in the period) that
    waited longest — ``session_id, round_no, customer_key, started_at (question),
    answered_at (reply), response_seconds`` — longest first, then earliest. Unanswered
    rounds have no wait; the reply rate counts them."""
    r = _answered_rounds(facts, period, agent_id)
    r = r.select(
        "session_id", "round_no", "customer_key", "started_at", "answered_at", "response_seconds"
    )
    return r.order_by(
        [ibis.desc(r.response_seconds), r.started_at, r.session_id, r.round_no]
    ).limit(limit)
