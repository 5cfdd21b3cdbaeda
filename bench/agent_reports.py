"""The agent report (SPEC §2) for a month and a year: the product path against baselines.

Cases, each in its own spawned process, all on the Parquet files of the lake tables'
current versions:
- ``ibis``: ``guanxi.metrics.agents.agent_reports`` as the pages and the CLI call it;
- ``pandas``: ``bench.agents_pandas``, the vectorised pandas baseline (target: ibis ≥ 5×
  faster);
- ``sql``: ``bench.agents_sql``, hand-written DuckDB SQL (target: ibis ≤ 1.3× its time);
- ``scan``: a plain DuckDB scan of the columns involved, the floor.
The three implementations must give identical reports, or the benchmark fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.core.timeutil import Period
from guanxi.lake.engines import QueryLimits

TIME_ZONE = "Asia/Shanghai"
QUERY_LIMITS = QueryLimits("3GB", "/tmp/guanxi-bench-spill")
TITLES = {"month": "November 2025", "year": "the year 2025"}
PERIODS = {
    "month": Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
    "year": Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
}
COLUMNS = {
    "chat_messages": ("session_id", "message_id", "customer_key", "agent_id", "sender", "sent_at"),
    "orders": (
        "platform",
        "order_id",
        "customer_key",
        "created_at",
        "paid_at",
        "shipped_at",
        "signed_at",
        "closed_at",
        "status",
        "amount",
        "item_count",
    ),
    "refunds": ("platform", "order_id", "kind", "requested_at"),
}


def setup() -> None:
    """Imports, outside the timed runs (one run per case: no warm-up run absorbs them)."""
    import duckdb  # noqa: F401
    import pandas  # noqa: F401

    from bench import agents_pandas, agents_sql  # noqa: F401
    from guanxi.metrics import agents  # noqa: F401


def _lake(root: str) -> Any:
    from guanxi.lake import Lake

    # The product's defaults: GUANXI_QUERY_MEMORY=3GB, spilling beyond it.
    return Lake(root, limits=QUERY_LIMITS)


def _files(root: str) -> dict[str, list[str]]:
    shop = _lake(root)
    return {name: shop.files(name) for name in COLUMNS}


def _dicts(reports: list[Any]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in reports]


def _dicts_without(keys: tuple[str, ...], reports: list[Any]) -> list[dict[str, Any]]:
    return [r.as_dict() | dict.fromkeys(keys) for r in reports]


def run_ibis(root: str, period: str) -> list[dict[str, Any]]:
    from guanxi.metrics.agents import PLATFORM_KEYS, agent_reports

    shop = _lake(root)
    # The baselines leave out the platform reply rules: compared without them.
    return _dicts_without(
        PLATFORM_KEYS,
        agent_reports(
            chat_messages=shop.table("chat_messages"),
            orders=shop.table("orders"),
            refunds=shop.table("refunds"),
            period=PERIODS[period],
            time_zone=TIME_ZONE,
            arrow=shop.arrow,
        ),
    )


def run_pandas(root: str, period: str) -> list[dict[str, Any]]:
    from bench import agents_pandas
    from guanxi.metrics.agents import assemble

    return _dicts(assemble(*agents_pandas.counts(_files(root), PERIODS[period], TIME_ZONE)))


def run_sql(root: str, period: str) -> list[dict[str, Any]]:
    from bench import agents_sql
    from guanxi.metrics.agents import assemble

    return _dicts(assemble(*agents_sql.counts(_files(root), PERIODS[period], TIME_ZONE)))


def run_scan(root: str, period: str) -> int:
    """Every value of the columns the report reads, whole tables (``period`` is ignored)."""
    import duckdb

    files = _files(root)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    total = 0
    for name, columns in COLUMNS.items():
        # count(column) for each column forces every value to be read (count(*) would not).
        counts = " + ".join(f'count("{c}")' for c in columns)
        row = con.execute(f"SELECT {counts} FROM read_parquet($f)", {"f": files[name]}).fetchone()
        total += int(row[0]) if row else 0
    return total
