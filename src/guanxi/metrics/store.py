"""Store-level figures (店铺概况) [003, 004]: traffic, consultation, payment, refunds.

Pure Ibis: every function takes lake tables and a period (local days, both ends inclusive)
with the shop's time zone, and returns an expression; nothing here reads settings.

Definitions (SPEC §2, store level):
- 浏览量 PV, 访客数 UV: sums of the daily traffic rows of the period (a period's UV is the
  sum of daily UVs, as the platforms' daily exports allow; a visitor on two days counts twice).
- 访问深度 visit depth = PV ÷ UV.
- 咨询人数 consulting customers = distinct customers who sent ≥1 message in the period.
- 咨询率 consult rate = consulting customers ÷ UV.
- 支付买家数 paying customers = distinct customers with an order paid in the period.
- 支付金额 paid amount = Σ amount of the orders paid in the period.
- 客单价 AOV = paid amount ÷ paying customers.
- 成交转化率 conversion rate = paying customers ÷ UV.
- 退款率 refund rate [000] = refunds requested in the period ÷ orders paid in the period.
A ratio whose denominator is zero is null ("no data"), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from guanxi.core.timeutil import Period
from guanxi.metrics.calendar import assign_day, day_bounds, in_period
from guanxi.metrics.ratios import ratio


@dataclass(frozen=True)
class MetricInfo:
    key: str
    name_zh: str
    name_en: str
    formula: str
    kind: str  # count | money | ratio | percent


METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("pv", "浏览量", "Page views (PV)", "Σ daily PV", "count"),
    MetricInfo("uv", "访客数", "Visitors (UV)", "Σ daily UV", "count"),
    MetricInfo("visit_depth", "访问深度", "Visit depth", "PV ÷ UV", "ratio"),
    MetricInfo(
        "consulting_customers",
        "咨询人数",
        "Consulting customers",
        "distinct customers who sent a message",
        "count",
    ),
    MetricInfo("consult_rate", "咨询率", "Consult rate", "consulting customers ÷ UV", "percent"),
    MetricInfo(
        "paying_customers",
        "支付买家数",
        "Paying customers",
        "distinct customers with an order paid",
        "count",
    ),
    MetricInfo("paid_amount", "支付金额", "Paid amount", "Σ amount of orders paid", "money"),
    MetricInfo(
        "aov", "客单价", "Average order value per buyer", "paid amount ÷ paying customers", "money"
    ),
    MetricInfo(
        "conversion_rate", "成交转化率", "Conversion rate", "paying customers ÷ UV", "percent"
    ),
    MetricInfo(
        "refund_rate", "退款率", "Refund rate", "refunds requested ÷ orders paid", "percent"
    ),
)
METRIC_KEYS = tuple(m.key for m in METRICS)


def traffic_totals(traffic: ibis.Table, period: Period) -> ibis.Table:
    """浏览量 PV and 访客数 UV: one row with ``pv``, ``uv``, ``traffic_days``."""
    rows = traffic.filter((traffic.date >= period.start) & (traffic.date <= period.end))
    return rows.aggregate(
        pv=rows.pv.sum().fill_null(0),
        uv=rows.uv.sum().fill_null(0),
        traffic_days=rows.date.nunique(),
    )


def consulting_customers(
    chat_messages: ibis.Table, period: Period, time_zone: str
) -> ir.IntegerScalar:
    """咨询人数: distinct customers who sent ≥1 message in the period."""
    sent = chat_messages.filter(
        (chat_messages.sender == "customer")
        & chat_messages.customer_key.notnull()
        & in_period(chat_messages.sent_at, period, time_zone)
    )
    return sent.customer_key.nunique()


def payments(orders: ibis.Table, period: Period, time_zone: str) -> ibis.Table:
    """Orders paid in the period: one row with ``orders_paid``, ``paying_customers``,
    ``paid_amount``."""
    paid = orders.filter(orders.paid_at.notnull() & in_period(orders.paid_at, period, time_zone))
    return paid.aggregate(
        orders_paid=paid.count(),
        paying_customers=paid.customer_key.nunique(),
        paid_amount=paid.amount.sum().fill_null(0),
    )


def refunds_requested(refunds: ibis.Table, period: Period, time_zone: str) -> ir.IntegerScalar:
    """Refunds (of any kind) requested in the period."""
    return refunds.filter(in_period(refunds.requested_at, period, time_zone)).count()


@dataclass(frozen=True)
class StoreFigures:
    """The dashboard's figures for one period, computed and rounded for display.

    Ratios keep 4 decimals (0.3622 = 36.22 %), visit depth 2 (as the seeds print it),
    money 2; ``has_data`` is false when the period has no traffic, chats or orders at all.
    """

    period: Period
    pv: int
    uv: int
    visit_depth: Decimal | None
    consulting_customers: int
    consult_rate: Decimal | None
    paying_customers: int
    paid_amount: Decimal
    aov: Decimal | None
    conversion_rate: Decimal | None
    refund_rate: Decimal | None
    orders_paid: int
    refunds_requested: int
    traffic_days: int

    @property
    def has_data(self) -> bool:
        return bool(
            self.traffic_days
            or self.consulting_customers
            or self.orders_paid
            or self.refunds_requested
        )

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in METRIC_KEYS}


def store_figures(
    *,
    traffic: ibis.Table,
    orders: ibis.Table,
    refunds: ibis.Table,
    chat_messages: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
) -> StoreFigures:
    """Compute the store figures for ``period``.

    ``arrow`` runs an expression on the engine and returns Arrow (``Lake.arrow``).
    """
    totals = arrow(traffic_totals(traffic, period)).to_pylist()[0]
    pays = arrow(payments(orders, period, time_zone)).to_pylist()[0]
    consulting = arrow(consulting_customers(chat_messages, period, time_zone)).as_py()
    refund_count = arrow(refunds_requested(refunds, period, time_zone)).as_py()
    pv, uv = int(totals["pv"]), int(totals["uv"])
    paying = int(pays["paying_customers"])
    paid_amount = Decimal(pays["paid_amount"]).quantize(Decimal("0.01"))
    orders_paid = int(pays["orders_paid"])
    return StoreFigures(
        period=period,
        pv=pv,
        uv=uv,
        visit_depth=ratio(pv, uv, 2),
        consulting_customers=consulting,
        consult_rate=ratio(consulting, uv, 4),
        paying_customers=paying,
        paid_amount=paid_amount,
        aov=ratio(paid_amount, paying, 2),
        conversion_rate=ratio(paying, uv, 4),
        refund_rate=ratio(refund_count, orders_paid, 4),
        orders_paid=orders_paid,
        refunds_requested=refund_count,
        traffic_days=int(totals["traffic_days"]),
    )


def store_daily(
    *,
    traffic: ibis.Table,
    orders: ibis.Table,
    chat_messages: ibis.Table,
    period: Period,
    time_zone: str,
) -> ibis.Table:
    """Per local day: ``day, pv, uv, consulting_customers, paying_customers, paid_amount``."""
    days = day_bounds(period, time_zone)
    visits = traffic.filter((traffic.date >= period.start) & (traffic.date <= period.end))
    visits = visits.group_by(day=visits.date).aggregate(pv=visits.pv.sum(), uv=visits.uv.sum())
    customer_msgs = chat_messages.filter(
        (chat_messages.sender == "customer") & in_period(chat_messages.sent_at, period, time_zone)
    )
    consulted = assign_day(customer_msgs, "sent_at", days)
    consulted = consulted.group_by("day").aggregate(
        consulting_customers=consulted.customer_key.nunique()
    )
    paid = orders.filter(orders.paid_at.notnull() & in_period(orders.paid_at, period, time_zone))
    paid = assign_day(paid, "paid_at", days)
    paid = paid.group_by("day").aggregate(
        paying_customers=paid.customer_key.nunique(), paid_amount=paid.amount.sum()
    )
    out = days.select("day")
    for part in (visits, consulted, paid):
        out = out.left_join(part, "day").drop("day_right")
    return out.select(
        "day",
        pv=out.pv.fill_null(0),
        uv=out.uv.fill_null(0),
        consulting_customers=out.consulting_customers.fill_null(0),
        paying_customers=out.paying_customers.fill_null(0),
        paid_amount=out.paid_amount.fill_null(0),
    ).order_by("day")
