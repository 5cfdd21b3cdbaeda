"""The store funnel (店铺转化漏斗) [003, 004]: visitors → consulting → ordering → paying.

Steps, each counted over the period (local days, both ends inclusive):
- 访客数 UV: Σ daily UV (as ``store.traffic_totals``).
- 咨询人数 consulting customers: distinct customers who sent ≥1 message (``store``).
- 下单买家数 ordering customers: distinct customers with an order created in the period.
- 支付买家数 paying customers: distinct customers with an order paid in the period (``store``).

Step rate = a step's count ÷ the previous step's; overall rate = a step's count ÷ UV, so the
consulting step's overall rate is SPEC §2's 咨询率 and the paying step's is 成交转化率. The
platforms export traffic as daily totals, never visitors by customer, so the steps are the
period's counts, not one cohort followed through: a shop with many silent buyers (静默下单,
who order without asking) can have more ordering customers than consulting ones, and the
step rate then exceeds 100 %. A ratio whose denominator is zero is ``None``, never 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from guanxi.core.timeutil import Period
from guanxi.metrics.ratios import ratio
from guanxi.metrics.store import consulting_customers, payments, traffic_totals


@dataclass(frozen=True)
class StepInfo:
    key: str
    name_zh: str
    name_en: str
    rate_zh: str  # the name of the rate into this step
    rate_en: str


STEPS: tuple[StepInfo, ...] = (
    StepInfo("uv", "访客数", "Visitors (UV)", "", ""),
    StepInfo("consulting_customers", "咨询人数", "Consulting customers", "咨询率", "Consult rate"),
    StepInfo(
        "ordering_customers", "下单买家数", "Ordering customers", "咨询→下单", "Consult → order"
    ),
    StepInfo("paying_customers", "支付买家数", "Paying customers", "下单→支付", "Order → payment"),
)


def ordering_customers(orders: ibis.Table, period: Period, time_zone: str) -> ir.IntegerScalar:
    """下单买家数: distinct customers with an order created in the period."""
    start, end = period.utc_bounds(time_zone)
    created = orders.filter(
        orders.customer_key.notnull()
        & (orders.created_at >= ibis.literal(start))
        & (orders.created_at < ibis.literal(end))
    )
    return created.customer_key.nunique()


@dataclass(frozen=True)
class FunnelStep:
    key: str
    count: int
    step_rate: Decimal | None  # ÷ the previous step (None for the first)
    overall_rate: Decimal | None  # ÷ UV


@dataclass(frozen=True)
class Funnel:
    period: Period
    steps: tuple[FunnelStep, ...]

    @property
    def has_data(self) -> bool:
        return any(s.count for s in self.steps)

    def count(self, key: str) -> int:
        return next(s.count for s in self.steps if s.key == key)


def store_funnel(
    *,
    traffic: ibis.Table,
    orders: ibis.Table,
    chat_messages: ibis.Table,
    period: Period,
    time_zone: str,
    arrow: Any,
) -> Funnel:
    """The funnel of ``period``; rates keep 4 decimals (0.0367 = 3.67 %)."""
    counts = {
        "uv": int(arrow(traffic_totals(traffic, period)).to_pylist()[0]["uv"]),
        "consulting_customers": int(
            arrow(consulting_customers(chat_messages, period, time_zone)).as_py()
        ),
        "ordering_customers": int(arrow(ordering_customers(orders, period, time_zone)).as_py()),
        "paying_customers": int(
            arrow(payments(orders, period, time_zone)).to_pylist()[0]["paying_customers"]
        ),
    }
    steps = []
    before: int | None = None
    for info in STEPS:
        count = counts[info.key]
        steps.append(
            FunnelStep(
                key=info.key,
                count=count,
                step_rate=None if before is None else ratio(count, before, 4),
                overall_rate=ratio(count, counts["uv"], 4),
            )
        )
        before = count
    return Funnel(period, tuple(steps))
