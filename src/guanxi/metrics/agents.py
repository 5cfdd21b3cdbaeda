"""The agent report: every metric of SPEC §2 per agent for a period, chat and sales together.

Ratios are exact decimals; a ratio whose denominator is zero is ``None`` ("no data"), never
0. Keys are the snake_case names of the report's JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import ibis

from guanxi.core.timeutil import Period
from guanxi.metrics import attribution, business_hours, service
from guanxi.metrics.ratios import ratio
from guanxi.metrics.schedules import Schedule

MONEY = Decimal("0.01")


@dataclass(frozen=True)
class AgentReport:
    agent_id: str
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


KEYS = tuple(f for f in AgentReport.__dataclass_fields__ if f != "agent_id")


def relevant_messages(
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
    rules: attribution.AttributionRules,
) -> ibis.Table:
    """The messages of every session that can matter for ``period``, and no others.

    Sessions are kept whole (a round's context is its session). They matter when they have
    a message from ``attribution_hours`` before the period (orders created in the period
    are attributed to chats up to then), or before the oldest order with a return requested
    in the period, until a day after it. Without this every window function of the report
    would run over the shop's whole history.
    """
    start, end = period.utc_bounds(time_zone)
    returned = refunds.filter(
        (refunds.requested_at >= ibis.literal(start)) & (refunds.requested_at < ibis.literal(end))
    ).select("platform", "order_id")
    oldest = arrow(orders.join(returned, ["platform", "order_id"]).created_at.min()).as_py()
    margin = dt.timedelta(hours=rules.attribution_hours, days=1)
    since = min(start, oldest) - margin if oldest is not None else start - margin
    until = end + dt.timedelta(days=1)
    touched = (
        chat_messages.filter(
            (chat_messages.sent_at >= ibis.literal(since))
            & (chat_messages.sent_at < ibis.literal(until))
        )
        .select("session_id")
        .distinct()
    )
    return chat_messages.semi_join(touched, "session_id")


def agent_reports(
    *,
    chat_messages: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
    service_rules: service.ServiceRules | None = None,
    attribution_rules: attribution.AttributionRules | None = None,
    schedules: Mapping[str, Schedule] | None = None,
) -> list[AgentReport]:
    service_rules = service_rules or service.ServiceRules()
    attribution_rules = attribution_rules or attribution.AttributionRules()
    chat_messages = relevant_messages(
        chat_messages, orders, refunds, period, time_zone, arrow, attribution_rules
    )
    chat = {
        f.agent_id: f
        for f in service.agent_figures(chat_messages, period, time_zone, arrow, service_rules)
    }
    sales = {
        r["agent_id"]: r
        for r in arrow(
            attribution.agent_sales(
                chat_messages, orders, refunds, period, time_zone, attribution_rules
            )
        ).to_pylist()
    }
    business = business_hours.business_figures(
        chat_messages, period, time_zone, arrow, schedules or {}
    ).figures
    store = arrow(attribution.store_aov_parts(orders, period, time_zone)).to_pylist()[0]
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
                agent_id=agent_id,
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
    AgentMetric("aov", "客单价", "AOV", "money"),
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
)
BUSINESS_KEYS = ("first_response_business_seconds", "avg_response_business_seconds")
