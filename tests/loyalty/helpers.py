"""Orders, refunds and times for the points tests; times are Shanghai local text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.customers.models import Customer
from guanxi.loyalty.models import PointsEntry
from guanxi.loyalty.orders import PaidOrder, RefundedOrder

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    """A Shanghai local time, e.g. ``at("2025-01-10 10:00")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def order(
    order_id: str,
    amount: str,
    paid: str | None,
    customer_key: str | None = "c1",
    platform: str = "taobao",
) -> PaidOrder:
    return PaidOrder(
        platform=platform,
        order_id=order_id,
        customer_key=customer_key,
        paid_at=at(paid) if paid else None,
        amount=Decimal(amount),
    )


def refund(
    order_id: str,
    when: str,
    customer_key: str | None = "c1",
    kind: str = "refund_only",
    status: str = "success",
    platform: str = "taobao",
) -> RefundedOrder:
    return RefundedOrder(
        platform=platform,
        order_id=order_id,
        customer_key=customer_key,
        refunded_at=at(when),
        kind=kind,
        status=status,
    )


def new_customer(key: str = "c1") -> Customer:
    return Customer.objects.create(customer_key=key)


def entries(customer: Customer) -> list[tuple[str, int, str]]:
    """(kind, points, order_id) of the customer's entries in the order written."""
    return list(
        PointsEntry.objects.filter(customer=customer)
        .order_by("id")
        .values_list("kind", "points", "order_id")
    )
