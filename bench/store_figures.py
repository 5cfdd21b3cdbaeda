"""店铺概况 for a whole year: the Ibis metric functions against hand-written DuckDB SQL.

Cases (all on the same Parquet files of the lake's current versions):
- ``ibis``: ``guanxi.metrics.store.store_figures`` as the dashboard runs it;
- ``sql``: the same figures in one hand-written DuckDB query, the bar to meet (≤ 1.3×);
- ``scan``: a plain scan of the columns involved, the floor.
The ``ibis`` and ``sql`` results must agree exactly, or the benchmark fails.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from guanxi.core.timeutil import Period

PERIOD = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
TIME_ZONE = "Asia/Shanghai"


def _files() -> dict[str, list[str]]:
    from guanxi import lake

    shop = lake.get()
    return {t: shop.files(t) for t in ("traffic_daily", "orders", "refunds", "chat_messages")}


def run_ibis() -> dict[str, Any]:
    from guanxi import lake
    from guanxi.metrics.store import store_figures

    shop = lake.get()
    figures = store_figures(
        traffic=shop.table("traffic_daily"),
        orders=shop.table("orders"),
        refunds=shop.table("refunds"),
        chat_messages=shop.table("chat_messages"),
        period=PERIOD,
        time_zone=TIME_ZONE,
        arrow=shop.arrow,
    )
    return {
        "pv": figures.pv,
        "uv": figures.uv,
        "consulting_customers": figures.consulting_customers,
        "paying_customers": figures.paying_customers,
        "paid_amount": figures.paid_amount,
        "orders_paid": figures.orders_paid,
        "refunds_requested": figures.refunds_requested,
    }


def run_sql() -> dict[str, Any]:
    import duckdb

    files = _files()
    start, end = PERIOD.utc_bounds(TIME_ZONE)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    row = con.execute(
        """
        WITH t AS (SELECT sum(pv) AS pv, sum(uv) AS uv FROM read_parquet($traffic)
                   WHERE "date" BETWEEN $d0 AND $d1),
             o AS (SELECT count(*) AS orders_paid, count(DISTINCT customer_key) AS paying,
                          sum(amount) AS paid FROM read_parquet($orders)
                   WHERE paid_at >= $t0 AND paid_at < $t1),
             c AS (SELECT count(DISTINCT customer_key) AS consulting
                   FROM read_parquet($chats)
                   WHERE sender = 'customer' AND customer_key IS NOT NULL
                     AND sent_at >= $t0 AND sent_at < $t1),
             r AS (SELECT count(*) AS refunds FROM read_parquet($refunds)
                   WHERE requested_at >= $t0 AND requested_at < $t1)
        SELECT t.pv, t.uv, c.consulting, o.paying, o.paid, o.orders_paid, r.refunds
        FROM t, o, c, r
        """,
        {
            "traffic": files["traffic_daily"],
            "orders": files["orders"],
            "chats": files["chat_messages"],
            "refunds": files["refunds"],
            "d0": PERIOD.start,
            "d1": PERIOD.end,
            "t0": start,
            "t1": end,
        },
    ).fetchone()
    assert row is not None
    pv, uv, consulting, paying, paid, orders_paid, refunds = row
    return {
        "pv": int(pv),
        "uv": int(uv),
        "consulting_customers": int(consulting),
        "paying_customers": int(paying),
        "paid_amount": Decimal(paid).quantize(Decimal("0.01")),
        "orders_paid": int(orders_paid),
        "refunds_requested": int(refunds),
    }


def run_scan() -> int:
    import duckdb

    files = _files()
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    total = 0
    for name, columns in (
        ("traffic_daily", ("date", "pv", "uv")),
        ("orders", ("paid_at", "customer_key", "amount")),
        ("chat_messages", ("sender", "customer_key", "sent_at")),
        ("refunds", ("requested_at",)),
    ):
        # count(column) for each column forces every value to be read (count(*) would not).
        counts = " + ".join(f'count("{c}")' for c in columns)
        row = con.execute(
            f"SELECT {counts} FROM read_parquet($f)",
            {"f": files[name]},
        ).fetchone()
        total += int(row[0]) if row else 0
    return total
