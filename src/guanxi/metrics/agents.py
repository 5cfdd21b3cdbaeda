"""The agent report: every metric of SPEC §2 per agent for a period, chat and sales together.

Ratios are exact decimals; a ratio whose denominator is zero is ``None`` ("no data"), never
0. Keys are the snake_case names of the report's JSON.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.business_calendar import Schedule
from guanxi.core.timeutil import Period
from guanxi.metrics import attribution, business_hours, platform_rules
from guanxi.metrics import chat as chat_metrics
from guanxi.metrics.facts import (
    NO_TEAM,
    SHOP,
    ChatFacts,
    attribution_facts,
    for_agents,
    session_facts,
)
from guanxi.metrics.period_counts import (
    bucket_days,
    chat_counts,
    cover,
    sales_counts,
    store_aov_counts,
)
from guanxi.metrics.platform_rules import PlatformRules, platform_series
from guanxi.metrics.ratios import ratio

MONEY = Decimal("0.01")


@dataclass(frozen=True)
class AgentReport:
    unit: str  # an agent id, a team name (or NO_TEAM) or SHOP: whose figures these are
    consulting_customers: int
    received_customers: int
    inquirers: int
    sales_amount: Decimal
    sales_units: int
    buyers: int
    aov: Decimal | None
    units_per_buyer: Decimal | None
    aov_ratio: Decimal | None
    inquiry_conversion_final: Decimal | None
    inquiry_conversion_next_day: Decimal | None
    payment_rate: Decimal | None
    order_loss_rate: Decimal | None
    first_response_seconds: Decimal | None
    avg_response_seconds: Decimal | None
    slow_response_customers: int
    three_minute_rate: Decimal | None
    answer_ratio: Decimal | None
    reply_rate: Decimal | None
    mean_session_seconds: Decimal | None
    returns: int
    return_rate: Decimal | None
    # Business-time variants (SPEC §2), only for agents with a schedule (排班).
    first_response_business_seconds: Decimal | None = None
    avg_response_business_seconds: Decimal | None = None
    # Platform reply rules (SPEC §2), beside Taobao's three-minute rate.
    pdd_effective_reply_rate: Decimal | None = None
    douyin_three_minute_rate: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


__all__ = ["NO_TEAM", "SHOP"]  # the units' names, defined with the facts, are the report's

KEYS = tuple(f for f in AgentReport.__dataclass_fields__ if f != "unit")


MESSAGE_COLUMNS = (
    "platform",
    "session_id",
    "message_id",
    "customer_key",
    "agent_id",
    "sender",
    "sent_at",
)


def relevant_messages(
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    period: Period,
    time_zone: str,
    rules: attribution.AttributionRules,
) -> ibis.Table:
    """The messages (the columns the metrics read) of every session that can matter for
    ``period``, and no others.

    Sessions are kept whole (a round's context is its session). They matter when they have
    a message from ``attribution_hours`` before the period (orders created in the period
    are attributed to chats up to then) until a day after it; or, for the customers whose
    orders got a return request in the period, a message from ``attribution_hours`` before
    the oldest such order (the returns are counted for the agents those orders are
    attributed to, and an order is only ever attributed to its own customer's chats).
    Without this every window function of the report would run over the shop's whole
    history.
    """
    start, end = period.utc_bounds(time_zone)
    margin = dt.timedelta(hours=rules.attribution_hours, days=1)
    until = ibis.literal(end + dt.timedelta(days=1))
    returned = refunds.filter(
        (refunds.requested_at >= ibis.literal(start)) & (refunds.requested_at < ibis.literal(end))
    ).select("platform", "order_id")
    o = orders.semi_join(returned, ["platform", "order_id"])
    o = o.filter(o.customer_key.notnull())
    returners = o.group_by("customer_key").aggregate(oldest=o.created_at.min())
    returners = returners.mutate(
        since=returners.oldest - ibis.interval(hours=rules.attribution_hours + 24)
    )
    near = chat_messages.filter(
        (chat_messages.sent_at >= ibis.literal(start - margin)) & (chat_messages.sent_at < until)
    ).select("session_id")
    c = chat_messages.join(returners, "customer_key")
    older = c.filter((c.sent_at >= c.since) & (c.sent_at < until)).select("session_id")
    touched = near.union(older, distinct=True)
    kept = chat_messages.filter(chat_messages.sender != "system").select(*MESSAGE_COLUMNS)
    return kept.semi_join(touched, "session_id")


def agent_reports(
    *,
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
    service_rules: chat_metrics.ServiceRules | None = None,
    attribution_rules: attribution.AttributionRules | None = None,
    platform_rules: PlatformRules | None = None,
    schedules: Mapping[str, Schedule] | None = None,
) -> list[AgentReport]:
    """Every agent's report for ``period``, from the raw messages (the reference path)."""
    return agent_report_series(
        chat_messages=chat_messages,
        orders=orders,
        refunds=refunds,
        periods=[period],
        time_zone=time_zone,
        arrow=arrow,
        service_rules=service_rules,
        attribution_rules=attribution_rules,
        platform_rules=platform_rules,
        schedules=schedules,
    )[0]


@contextlib.contextmanager
def raw_facts(
    *,
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    periods: Sequence[Period],
    time_zone: str,
    rules: attribution.AttributionRules,
) -> Iterator[ChatFacts]:
    """The facts of every session that can matter for ``periods``, built from the raw
    messages and cached (``Table.cache``: a temporary table on DuckDB, a persisted frame on
    Spark) for as long as the context lasts: the reference the derived tables equal."""
    span = cover(periods)
    messages = relevant_messages(chat_messages, orders, refunds, span, time_zone, rules)
    # Orders that can count: created in the periods (sales), or with a return asked in them.
    start, end = span.utc_bounds(time_zone)
    asked = refunds.filter(
        (refunds.requested_at >= ibis.literal(start)) & (refunds.requested_at < ibis.literal(end))
    ).select("platform", "order_id")
    in_span = (orders.created_at >= ibis.literal(start)) & (orders.created_at < ibis.literal(end))
    attributable = orders.filter(in_span).union(orders.semi_join(asked, ["platform", "order_id"]))
    with contextlib.ExitStack() as cached:
        ordered = cached.enter_context(chat_metrics.ordered_messages(messages).cache())
        parts = session_facts(messages, orders, time_zone, span, rules, ordered=ordered)
        parts = {name: cached.enter_context(t.cache()) for name, t in parts.items()}
        parts["attribution"] = cached.enter_context(
            attribution_facts(
                ordered, parts["sessions"], attributable.distinct(), time_zone, span, rules
            ).cache()
        )
        yield ChatFacts(**parts)


def agent_report_series(
    *,
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    periods: Sequence[Period],
    time_zone: str,
    arrow: Any,
    service_rules: chat_metrics.ServiceRules | None = None,
    attribution_rules: attribution.AttributionRules | None = None,
    platform_rules: PlatformRules | None = None,
    schedules: Mapping[str, Schedule] | None = None,
) -> list[list[AgentReport]]:
    """Every agent's report for each of ``periods`` (e.g. the days, weeks or months of a
    trend), in their order, from the raw messages: the facts of the sessions that matter
    are built once for all the periods (``raw_facts``), then counted as the derived tables
    are (``report_series``)."""
    if not periods:
        return []
    rules = attribution_rules or attribution.AttributionRules()
    with raw_facts(
        chat_messages=chat_messages,
        orders=orders,
        refunds=refunds,
        periods=periods,
        time_zone=time_zone,
        rules=rules,
    ) as built:
        return report_series(
            for_agents(built),
            orders=orders,
            refunds=refunds,
            periods=periods,
            time_zone=time_zone,
            arrow=arrow,
            service_rules=service_rules,
            attribution_rules=rules,
            platform_rules=platform_rules,
            schedules=schedules,
        )


def report_series(
    facts: ChatFacts,
    *,
    orders: ibis.Table,
    refunds: ibis.Table,
    periods: Sequence[Period],
    time_zone: str,
    arrow: Any,
    service_rules: chat_metrics.ServiceRules | None = None,
    attribution_rules: attribution.AttributionRules | None = None,
    platform_rules: PlatformRules | None = None,
    schedules: Mapping[str, Schedule] | None = None,
) -> list[list[AgentReport]]:
    """The reports of ``facts``' units (agents, teams or the shop: ``facts.in_units``) for
    each of ``periods``: every period is counted in the same few queries (one for the
    chat counts, one for sales, one for the store's AOV, one per rule family)."""
    if not periods:
        return []
    buckets = bucket_days(periods)
    rules = attribution_rules or attribution.AttributionRules()
    chat = arrow(
        chat_counts(facts, buckets, service_rules or chat_metrics.ServiceRules())
    ).to_pylist()
    sales = arrow(
        sales_counts(facts, orders, refunds, buckets, periods, time_zone, rules)
    ).to_pylist()
    store = {
        r["bucket"]: r
        for r in arrow(store_aov_counts(orders, buckets, periods, time_zone)).to_pylist()
    }
    business = business_hours.business_series(facts, periods, time_zone, arrow, schedules or {})
    platform = platform_series(facts, periods, arrow, platform_rules or PlatformRules())
    no_sales = {"paid_amount": 0, "payers": 0}
    return [
        assemble(
            [r for r in chat if r["bucket"] == i],
            [r for r in sales if r["bucket"] == i],
            store.get(i, no_sales),
            business[i].figures,
            platform[i],
        )
        for i in range(len(periods))
    ]


def in_units(chat_messages: ibis.Table, units: Mapping[str, str], other: str) -> ibis.Table:
    """``chat_messages`` with each agent replaced by the unit they belong to (their team;
    agents not in ``units`` belong to ``other``).

    Every agent metric computed on the result is the unit's own figure, not a sum or an
    average of its agents': a customer served by two agents of a team is one consulting
    customer of the team; the team's response time is the mean over all rounds its agents
    answered; an order goes to the team of the agent it is attributed to (the last to
    message the customer, so relabelling first gives the same agent's team); a round an
    agent left unanswered belongs to their team. ``units`` empty and ``other`` ``SHOP``
    gives the shop's figures, where a round nobody answered is the shop's.
    """
    if not units and other == SHOP:
        # Every message is the shop's, the customers' too: a round no agent answered or
        # spoke before then belongs to the shop (chat.round_rows), so the shop's 咨询人数 is
        # every customer who wrote, the store overview's figure.
        return chat_messages.mutate(agent_id=ibis.literal(SHOP))
    agent = chat_messages.agent_id
    unit = agent.substitute(dict(units), else_=other) if units else ibis.literal(other)
    return chat_messages.mutate(agent_id=agent.isnull().ifelse(ibis.null("string"), unit))


def assemble(
    chat_counts: list[dict[str, Any]],
    sales_counts: list[dict[str, Any]],
    store: dict[str, Any],
    business: Mapping[str, business_hours.BusinessFigures] | None = None,
    platform: Mapping[str, platform_rules.PlatformFigures] | None = None,
) -> list[AgentReport]:
    """The reports from the per-agent counts: rows of ``chat_metrics.agent_counts`` and of
    ``attribution.agent_sales``, ``attribution.store_aov_parts``'s row, and the
    business-time figures of agents with a rota."""
    business = business or {}
    platform = platform or {}
    chat = {r["agent_id"]: chat_metrics.AgentFigures.from_counts(r) for r in chat_counts}
    sales = {r["agent_id"]: r for r in sales_counts}
    store_aov = ratio(store["paid_amount"], store["payers"], 6)
    reports = []
    for agent_id in sorted(set(chat) | set(sales)):
        c = chat.get(agent_id)
        s = sales.get(agent_id, {})
        amount = Decimal(s.get("sales_amount") or 0).quantize(MONEY)
        buyers = int(s.get("buyers") or 0)
        aov = ratio(amount, buyers, 2)
        reports.append(
            AgentReport(
                unit=agent_id,
                consulting_customers=c.consulting_customers if c else 0,
                received_customers=c.received_customers if c else 0,
                inquirers=int(s.get("inquirers") or 0),
                sales_amount=amount,
                sales_units=int(s.get("sales_units") or 0),
                buyers=buyers,
                aov=aov,
                units_per_buyer=ratio(s.get("sales_units") or 0, buyers, 2),
                aov_ratio=ratio(ratio(amount, buyers, 6), store_aov, 4) if aov else None,
                inquiry_conversion_final=ratio(s.get("converted_final"), s.get("inquirers"), 4),
                inquiry_conversion_next_day=ratio(
                    s.get("converted_next_day"), s.get("inquirers"), 4
                ),
                payment_rate=ratio(s.get("attributed_paid"), s.get("attributed_orders"), 4),
                order_loss_rate=ratio(s.get("attributed_lost"), s.get("attributed_orders"), 4),
                first_response_seconds=c.first_response_seconds if c else None,
                avg_response_seconds=c.avg_response_seconds if c else None,
                slow_response_customers=c.slow_response_customers if c else 0,
                three_minute_rate=c.three_minute_rate if c else None,
                answer_ratio=c.answer_ratio if c else None,
                reply_rate=c.reply_rate if c else None,
                mean_session_seconds=c.mean_session_seconds if c else None,
                returns=int(s.get("returns") or 0),
                return_rate=ratio(s.get("returns") or 0, s.get("attributed_paid"), 4),
                first_response_business_seconds=(
                    business[agent_id].first_response_seconds if agent_id in business else None
                ),
                avg_response_business_seconds=(
                    business[agent_id].avg_response_seconds if agent_id in business else None
                ),
                pdd_effective_reply_rate=(
                    platform[agent_id].pdd_effective_reply_rate if agent_id in platform else None
                ),
                douyin_three_minute_rate=(
                    platform[agent_id].douyin_three_minute_rate if agent_id in platform else None
                ),
            )
        )
    return reports


@dataclass(frozen=True)
class AgentMetric:
    key: str
    name_zh: str
    name_en: str
    kind: str  # count | money | ratio | percent | seconds


AGENT_METRICS: tuple[AgentMetric, ...] = (
    AgentMetric("consulting_customers", "咨询人数", "Consulting customers", "count"),
    AgentMetric("received_customers", "接待人数", "Received customers", "count"),
    AgentMetric("inquirers", "询单人数", "Inquirers", "count"),
    AgentMetric("sales_amount", "销售额", "Sales", "money"),
    AgentMetric("sales_units", "销售量", "Units sold", "count"),
    AgentMetric("buyers", "销售人数", "Buyers", "count"),
    AgentMetric("aov", "客服客单价", "Agent AOV", "money"),
    AgentMetric("units_per_buyer", "客件数", "Units per buyer", "ratio"),
    AgentMetric("aov_ratio", "落实客单价", "AOV ratio", "ratio"),
    AgentMetric(
        "inquiry_conversion_final", "询单→最终付款成功率", "Inquiry conversion (final)", "percent"
    ),
    AgentMetric(
        "inquiry_conversion_next_day",
        "询单→次日付款成功率",
        "Inquiry conversion (next day)",
        "percent",
    ),
    AgentMetric("payment_rate", "支付率", "Payment rate", "percent"),
    AgentMetric("order_loss_rate", "订单流失率", "Order loss rate", "percent"),
    AgentMetric("first_response_seconds", "首次响应时间", "First response (s)", "seconds"),
    AgentMetric("avg_response_seconds", "平均响应时间", "Average response (s)", "seconds"),
    AgentMetric("slow_response_customers", "慢响应人数", "Slow-response customers", "count"),
    AgentMetric("three_minute_rate", "三分钟响应率", "3-minute response rate", "percent"),
    AgentMetric("answer_ratio", "答问比", "Answer/question ratio", "ratio"),
    AgentMetric("reply_rate", "回复率", "Reply rate", "percent"),
    AgentMetric("mean_session_seconds", "平均接待时长", "Mean session length (s)", "seconds"),
    AgentMetric("returns", "月退货量", "Returns", "count"),
    AgentMetric("return_rate", "退货率", "Return rate", "percent"),
    AgentMetric(
        "first_response_business_seconds",
        "首次响应时间（工作时间）",
        "First response, business time (s)",
        "seconds",
    ),
    AgentMetric(
        "avg_response_business_seconds",
        "平均响应时间（工作时间）",
        "Average response, business time (s)",
        "seconds",
    ),
    AgentMetric(
        "pdd_effective_reply_rate",
        "拼多多有效回复率",
        "Pinduoduo effective reply rate",
        "percent",
    ),
    AgentMetric(
        "douyin_three_minute_rate",
        "抖音三分钟人工回复率",
        "Douyin 3-minute manual reply rate",
        "percent",
    ),
)
BUSINESS_KEYS = ("first_response_business_seconds", "avg_response_business_seconds")
PLATFORM_KEYS = ("pdd_effective_reply_rate", "douyin_three_minute_rate")
