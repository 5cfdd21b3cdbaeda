"""Arrow schemas and natural keys of the fact lake's tables.

Times are UTC timestamps (microseconds), money decimal(18,2), ids strings. The lake holds no
personal information: ``customer_key`` is a surrogate issued by the customer master.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
MONEY = pa.decimal128(18, 2)
STR = pa.string()

ORDER_STATUSES = ("created", "paid", "shipped", "signed", "closed", "refunded")
REFUND_KINDS = ("refund_only", "return_refund", "exchange")
REFUND_STATUSES = ("processing", "success", "closed")
SENDERS = ("customer", "agent", "system")


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    # Free text (chat messages, reviews, refund reasons) may name a person: no min/max
    # statistics of these columns go into the Delta log.
    free_text: tuple[str, ...] = ()

    @property
    def stats_columns(self) -> tuple[str, ...]:
        return tuple(n for n in self.schema.names if n not in self.free_text)


def _schema(*fields: tuple[str, pa.DataType, bool]) -> pa.Schema:
    return pa.schema([pa.field(name, dtype, nullable=nullable) for name, dtype, nullable in fields])


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "products",
            _schema(
                ("platform", STR, False),
                ("product_id", STR, False),
                ("title", STR, True),
                ("category", STR, True),
                ("price", MONEY, True),
            ),
            key=("platform", "product_id"),
        ),
        TableSpec(
            "orders",
            _schema(
                ("platform", STR, False),
                ("order_id", STR, False),
                ("customer_key", STR, True),
                ("created_at", TS, False),
                ("paid_at", TS, True),
                ("shipped_at", TS, True),
                ("signed_at", TS, True),
                ("closed_at", TS, True),
                ("status", STR, False),
                ("amount", MONEY, False),
                ("item_count", pa.int32(), False),
            ),
            key=("platform", "order_id"),
        ),
        TableSpec(
            "order_items",
            _schema(
                ("platform", STR, False),
                ("order_id", STR, False),
                ("line_no", pa.int32(), False),
                ("product_id", STR, True),
                ("quantity", pa.int32(), False),
                ("unit_price", MONEY, True),
                ("amount", MONEY, False),
            ),
            key=("platform", "order_id", "line_no"),
        ),
        TableSpec(
            "refunds",
            _schema(
                ("platform", STR, False),
                ("refund_id", STR, False),
                ("order_id", STR, False),
                ("customer_key", STR, True),
                ("requested_at", TS, False),
                ("completed_at", TS, True),
                ("kind", STR, False),
                ("reason", STR, True),
                ("quality_issue", pa.bool_(), False),
                ("amount", MONEY, False),
                ("status", STR, False),
            ),
            key=("platform", "refund_id"),
            free_text=("reason",),
        ),
        TableSpec(
            "chat_messages",
            _schema(
                ("platform", STR, False),
                ("message_id", STR, False),
                ("session_id", STR, False),
                ("customer_key", STR, True),
                ("agent_id", STR, True),
                ("sender", STR, False),
                ("sent_at", TS, False),
                ("text", STR, True),
            ),
            key=("platform", "message_id"),
            free_text=("text",),
        ),
        TableSpec(
            "dsr_ratings",
            _schema(
                ("platform", STR, False),
                ("order_id", STR, False),
                ("customer_key", STR, True),
                ("rated_at", TS, False),
                ("description", pa.int8(), False),
                ("service", pa.int8(), False),
                ("logistics", pa.int8(), False),
            ),
            key=("platform", "order_id"),
        ),
        TableSpec(
            "reviews",
            _schema(
                ("platform", STR, False),
                ("review_id", STR, False),
                ("order_id", STR, True),
                ("product_id", STR, True),
                ("customer_key", STR, True),
                ("created_at", TS, False),
                ("rating", pa.int8(), False),
                ("text", STR, True),
            ),
            key=("platform", "review_id"),
            free_text=("text",),
        ),
        TableSpec(
            "traffic_daily",
            _schema(
                ("platform", STR, False),
                ("date", pa.date32(), False),
                ("pv", pa.int64(), False),
                ("uv", pa.int64(), False),
            ),
            key=("platform", "date"),
        ),
    )
}


def spec(name: str) -> TableSpec:
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown lake table {name!r}; known: {', '.join(sorted(TABLES))}") from None
