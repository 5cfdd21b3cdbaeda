"""Baskets for association rules and recommendations (issue 18; seed ch.8 关联分析).

A basket is the set of distinct product ids of one paid order (``paid_at`` set, as the
store figures count payments), read from ``order_items``; lines without a product id are
left out, and an order whose every line lacks one has no basket. A product bought twice in
one order (two lines or a quantity of 2) counts once: association is about *which*
products go together, not how many.

Products are identified by ``product_id`` alone: the same id sold on two platforms is taken
to be the same product (shops list one catalogue on several platforms).
"""

from __future__ import annotations

import ibis
import pyarrow as pa
import pyarrow.compute as pc


def basket_lines(orders: ibis.Table, order_items: ibis.Table) -> ibis.Table:
    """``platform, order_id, customer_key, paid_at, product_id``: one row per distinct
    product of each paid order."""
    paid = orders.filter(orders.paid_at.notnull()).select(
        "platform", "order_id", "customer_key", "paid_at"
    )
    items = order_items.filter(order_items.product_id.notnull()).select(
        "platform", "order_id", "product_id"
    )
    joined = paid.join(items, ["platform", "order_id"])
    return joined.select("platform", "order_id", "customer_key", "paid_at", "product_id").distinct()


def baskets(orders: ibis.Table, order_items: ibis.Table) -> ibis.Table:
    """``platform, order_id, customer_key, paid_at, products`` (array of product ids): one
    row per paid order with at least one product id. A customer's orders in ``paid_at``
    order (then ``order_id``) are the sequence the recommendation hold-out splits."""
    lines = basket_lines(orders, order_items)
    return lines.group_by(["platform", "order_id", "customer_key", "paid_at"]).aggregate(
        products=lines.product_id.collect()
    )


def customer_sequences(rows: pa.Table) -> dict[str, list[frozenset[str]]]:
    """Each customer's baskets oldest first, from the collected ``baskets`` rows (orders with
    no customer key belong to nobody's sequence)."""
    keyed = rows.filter(pc.is_valid(rows["customer_key"]))
    keyed = keyed.sort_by(
        [
            ("customer_key", "ascending"),
            ("paid_at", "ascending"),
            ("platform", "ascending"),
            ("order_id", "ascending"),
        ]
    )
    out: dict[str, list[frozenset[str]]] = {}
    keys = keyed["customer_key"].to_pylist()
    products = keyed["products"].to_pylist()
    for key, basket in zip(keys, products, strict=True):
        out.setdefault(key, []).append(frozenset(basket))
    return out
