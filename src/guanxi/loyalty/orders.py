"""What the ledger earns from and claws back for: paid orders and refunded orders, as typed
rows, and their readers over the fact lake (no Django imports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# A refund takes back its order's points when it succeeded and gave money back; an exchange
# (换货) keeps the order paid, and a processing or closed refund gave nothing back (yet).
CLAWBACK_KINDS = ("refund_only", "return_refund")
CLAWBACK_STATUS = "success"


@dataclass(frozen=True)
class PaidOrder:
    """An order as the lake holds it: it earns points once ``paid_at`` is set."""

    platform: str
    order_id: str
    customer_key: str | None
    paid_at: dt.datetime | None
    amount: Decimal


@dataclass(frozen=True)
class RefundedOrder:
    """A refund of an order; only a successful refund of money claws back (``claws_back``)."""

    platform: str
    order_id: str
    customer_key: str | None
    refunded_at: dt.datetime
    kind: str = "refund_only"
    status: str = CLAWBACK_STATUS

    @property
    def claws_back(self) -> bool:
        return self.status == CLAWBACK_STATUS and self.kind in CLAWBACK_KINDS


BATCH_ROWS = 20_000


def lake_paid_orders(since: dt.datetime | None = None) -> Iterator[PaidOrder]:
    """The lake's paid orders (paid at or after ``since`` when given), in batches."""
    from guanxi import lake

    store = lake.get()
    if not store.exists("orders"):
        return
    orders = store.table("orders")
    paid = orders.filter(orders.paid_at.notnull())
    if since is not None:
        paid = paid.filter(paid.paid_at >= since)
    columns = paid.select("platform", "order_id", "customer_key", "paid_at", "amount")
    for row in _rows(store.arrow(columns.order_by(["paid_at", "platform", "order_id"]))):
        yield PaidOrder(
            platform=row["platform"],
            order_id=row["order_id"],
            customer_key=row["customer_key"],
            paid_at=row["paid_at"],
            amount=row["amount"],
        )


def lake_refunded_orders(since: dt.datetime | None = None) -> Iterator[RefundedOrder]:
    """The lake's successful refunds of money (requested at or after ``since`` when given)."""
    from guanxi import lake

    store = lake.get()
    if not store.exists("refunds"):
        return
    refunds = store.table("refunds")
    done = refunds.filter(
        (refunds.status == CLAWBACK_STATUS) & refunds.kind.isin(list(CLAWBACK_KINDS))
    )
    if since is not None:
        done = done.filter(done.requested_at >= since)
    columns = done.select(
        "platform",
        "order_id",
        "customer_key",
        "kind",
        "status",
        refunded_at=done.completed_at.fill_null(done.requested_at),
    )
    for row in _rows(store.arrow(columns.order_by(["refunded_at", "platform", "order_id"]))):
        yield RefundedOrder(
            platform=row["platform"],
            order_id=row["order_id"],
            customer_key=row["customer_key"],
            refunded_at=row["refunded_at"],
            kind=row["kind"],
            status=row["status"],
        )


def _rows(table: Any) -> Iterator[dict[str, Any]]:
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        yield from batch.to_pylist()
