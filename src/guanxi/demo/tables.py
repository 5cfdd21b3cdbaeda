"""The month's arrays as lake tables (Arrow), with ids issued from running serial numbers.

Ids are prefix + zero-padded serial (order "T…", session "S…", message "M…"), unique across
months and sorted like the data, so "ordered by time then message id" is stable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from guanxi.demo import texts
from guanxi.demo.aftersales import QUALITY, REASONS, MonthRatings, MonthRefunds
from guanxi.demo.catalog import AGENTS, PLATFORM, PRODUCTS
from guanxi.demo.chats import MonthChats
from guanxi.demo.columns import constant, money, pick, serial_ids, times
from guanxi.demo.orders import MonthOrders
from guanxi.lake.schema import ORDER_STATUSES, REFUND_KINDS, SENDERS

AGENT_IDS = pa.array([a.agent_id for a in AGENTS], pa.string())
PRODUCT_IDS = pa.array([p.product_id for p in PRODUCTS], pa.string())
_STATUSES = pa.array(ORDER_STATUSES, pa.string())
_KINDS = pa.array(REFUND_KINDS, pa.string())
_REASONS = pa.array(REASONS, pa.string())
_REFUND_STATUSES = pa.array(("success", "closed", "processing"), pa.string())
_SENDERS = pa.array(SENDERS, pa.string())


def products() -> pa.Table:
    return pa.table(
        {
            "platform": constant(PLATFORM, len(PRODUCTS)),
            "product_id": PRODUCT_IDS,
            "title": pa.array([p.title for p in PRODUCTS], pa.string()),
            "category": pa.array([p.category for p in PRODUCTS], pa.string()),
            "price": money(np.array([p.price_cents for p in PRODUCTS])),
        }
    )


def order_ids(serial: np.ndarray) -> pa.Array:
    return serial_ids("T25", serial, 10)


@dataclass
class Serials:
    """Running counters so ids stay unique across months."""

    refunds: int = 0
    sessions: int = 0
    messages: int = 0
    reviews: int = 0


def month_tables(
    keys: pa.Array,
    o: MonthOrders,
    r: MonthRefunds,
    g: MonthRatings,
    c: MonthChats,
    serials: Serials,
    rng: np.random.Generator,
) -> dict[str, pa.Table]:
    """All fact tables of one month; ``keys`` maps customer numbers to customer keys."""
    oid = order_ids(o.serial)
    n, m = o.size, len(o.item_order)
    tables = {
        "orders": pa.table(
            {
                "platform": constant(PLATFORM, n),
                "order_id": oid,
                "customer_key": keys.take(o.customer),
                "created_at": times(o.created),
                "paid_at": times(o.paid),
                "shipped_at": times(o.shipped),
                "signed_at": times(o.signed),
                "closed_at": times(o.closed),
                "status": _STATUSES.take(o.status),
                "amount": money(o.amount),
                "item_count": pa.array(o.units, pa.int32()),
            }
        ),
        "order_items": pa.table(
            {
                "platform": constant(PLATFORM, m),
                "order_id": oid.take(o.item_order),
                "line_no": pa.array(o.item_line, pa.int32()),
                "product_id": PRODUCT_IDS.take(o.item_product),
                "quantity": pa.array(o.item_quantity, pa.int32()),
                "unit_price": money(o.item_unit),
                "amount": money(o.item_amount),
            }
        ),
        "refunds": pa.table(
            {
                "platform": constant(PLATFORM, r.size),
                "refund_id": serial_ids("R25", serials.refunds + np.arange(r.size), 9),
                "order_id": oid.take(r.order),
                "customer_key": keys.take(o.customer[r.order]),
                "requested_at": times(r.requested),
                "completed_at": times(r.completed),
                "kind": _KINDS.take(r.kind),
                "reason": _REASONS.take(r.reason),
                "quality_issue": pa.array(QUALITY[r.reason], pa.bool_()),
                "amount": money(r.amount),
                "status": _REFUND_STATUSES.take(r.status),
            }
        ),
        "chat_messages": pa.table(
            {
                "platform": constant(PLATFORM, len(c.session)),
                "message_id": serial_ids("M", serials.messages + np.arange(len(c.session)), 11),
                "session_id": serial_ids("S", serials.sessions + c.session, 9),
                "customer_key": keys.take(c.customer),
                "agent_id": pick(AGENT_IDS, c.agent),
                "sender": _SENDERS.take(c.sender),
                "sent_at": times(c.sent_at),
                "text": texts.CHAT_TEXTS.take(c.text),
            }
        ),
        "dsr_ratings": pa.table(
            {
                "platform": constant(PLATFORM, len(g.dsr_order)),
                "order_id": oid.take(g.dsr_order),
                "customer_key": keys.take(o.customer[g.dsr_order]),
                "rated_at": times(g.dsr_at),
                "description": pa.array(g.description, pa.int8()),
                "service": pa.array(g.service, pa.int8()),
                "logistics": pa.array(g.logistics, pa.int8()),
            }
        ),
    }
    k = len(g.review_order)
    tables["reviews"] = pa.table(
        {
            "platform": constant(PLATFORM, k),
            "review_id": serial_ids("V25", serials.reviews + np.arange(k), 9),
            "order_id": oid.take(g.review_order),
            "product_id": PRODUCT_IDS.take(o.first_product[g.review_order]),
            "customer_key": keys.take(o.customer[g.review_order]),
            "created_at": times(g.review_at),
            "rating": pa.array(g.review_rating, pa.int8()),
            "text": texts.REVIEW_TEXTS.take(texts.review_text_index(rng, g.review_rating)),
        }
    )
    serials.refunds += r.size
    serials.sessions += c.sessions
    serials.messages += len(c.session)
    serials.reviews += k
    return tables
