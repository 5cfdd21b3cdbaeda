"""The derived tables (issue 14): reports counted from them, their full rebuild and an
incremental refresh, each against a baseline in the same run.

Lakes, all under ``var/bench/<scale>/`` and never the bench shop's own lake (which may be a
shared read-only copy):
- ``derived/lake``: the shop's raw tables as symbolic links, and ``_derived/`` of its own,
  written by the rebuild case (the report cases read it);
- ``derived-sql/``: the hand-written SQL build's output (``bench.derived_build_sql``);
- ``refresh-base/lake``: the raw chats and orders without their last local day (the orders
  as they stood before it), other raw tables linked, with derived tables built; and
  ``refresh-day/``: that day's chat messages and order rows;
- ``refresh-run/lake``: a copy of the base (hard links: Delta never rewrites a file) into
  which each refresh sample imports the day and then refreshes.

Cases run in spawned processes (``bench.harness``); equality is checked in the parent.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from bench.agent_reports import PERIODS, QUERY_LIMITS, TIME_ZONE
from bench.shop import ROOT, lake_root

RAW = ("chat_messages", "orders", "refunds", "order_items", "products", "dsr_ratings",
       "reviews", "traffic_daily")  # fmt: skip


# -- lakes ----------------------------------------------------------------------------------
def _linked_lake(base: Path, source: Path, own: tuple[str, ...] = ()) -> Path:
    """A lake folder at ``base`` whose raw tables (but ``own``) are links to ``source``'s."""
    base.mkdir(parents=True, exist_ok=True)
    for name in RAW:
        link = base / name
        if name in own or not (source / name).exists():
            continue
        if not link.is_symlink():
            link.symlink_to(source / name)
    return base


def derived_lake(scale: str) -> Path:
    return _linked_lake(ROOT / scale / "derived" / "lake", lake_root(scale).resolve())


def sql_out(scale: str) -> Path:
    return ROOT / scale / "derived-sql"


def _lake(root: str | Path, engine: str = "duckdb") -> Any:
    from guanxi.lake import Lake

    return Lake(str(root), engine=engine, limits=QUERY_LIMITS if engine == "duckdb" else None)


def _rules() -> Any:
    from guanxi.metrics.attribution import AttributionRules

    return AttributionRules()


def setup() -> None:
    """Imports, outside the timed runs."""
    import duckdb  # noqa: F401
    import ibis  # noqa: F401

    from bench import agents_derived_sql, derived_build_sql  # noqa: F401
    from guanxi.lake import derived  # noqa: F401
    from guanxi.metrics import agents  # noqa: F401


def setup_spark() -> None:
    setup()
    os.environ["GUANXI_ENGINE"] = "pyspark"


# -- the report -----------------------------------------------------------------------------
def run_report(root: str, period: str, engine: str = "duckdb") -> list[dict[str, Any]]:
    """The agents' report from the derived tables, as the pages count it when they are
    fresh (``performance.selectors.unit_series``, agent view, no rotas)."""
    from guanxi.metrics.agents import report_series
    from guanxi.metrics.facts import for_agents

    shop = _lake(root, engine)
    if not shop.derived.is_fresh(TIME_ZONE, _rules()):
        raise RuntimeError(f"the derived tables of {root} are not fresh")
    facts = shop.derived.facts()
    series = report_series(
        for_agents(facts),
        orders=shop.table("orders"),
        refunds=shop.table("refunds"),
        periods=[PERIODS[period]],
        time_zone=TIME_ZONE,
        arrow=shop.arrow,
    )
    return [r.as_dict() for r in series[0]]


def run_report_sql(root: str, period: str) -> list[dict[str, Any]]:
    from bench import agents_derived_sql

    files = agents_derived_sql.derived_files(_lake(root))
    return [r.as_dict() for r in agents_derived_sql.report(files, PERIODS[period], TIME_ZONE)]


# -- the full build -------------------------------------------------------------------------
def run_rebuild(root: str, engine: str = "duckdb") -> dict[str, Any]:
    state = _lake(root, engine).derived.rebuild(TIME_ZONE, _rules())
    return {"mode": state.mode, "tables": state.tables}


def run_build_sql(root: str, out: str) -> dict[str, int]:
    from bench import derived_build_sql

    shop = _lake(root)
    files = {name: shop.files(name) for name in ("chat_messages", "orders")}
    return derived_build_sql.build(files, out, TIME_ZONE)


def fingerprints(tables: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """Per derived table (by fact): (rows, an order-independent sum of the rows' hashes),
    from the Parquet files of its current version."""
    import duckdb

    from guanxi.lake.derived import DERIVED

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    out: dict[str, tuple[int, int]] = {}
    for fact, files in tables.items():
        if not files:
            out[fact] = (0, 0)
            continue
        cols = ", ".join(f'"{c}"' for c in DERIVED[fact].schema.names)
        row = con.execute(
            f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0) "
            "FROM read_parquet($f, hive_partitioning = true)",
            {"f": files},
        ).fetchone()
        assert row is not None
        out[fact] = (int(row[0]), int(row[1]))
    return out


def derived_fingerprints(root: str | Path) -> dict[str, tuple[int, int]]:
    from guanxi.lake.derived import DERIVED

    derived = _lake(root).derived
    return fingerprints({fact: derived.files(fact) for fact in DERIVED})


def sql_fingerprints(out: str | Path) -> dict[str, tuple[int, int]]:
    from deltalake import DeltaTable

    from guanxi.lake.derived import DERIVED

    return fingerprints(
        {fact: DeltaTable(f"{out}/{spec.name}").file_uris() for fact, spec in DERIVED.items()}
    )


# -- the incremental refresh ----------------------------------------------------------------
def refresh_paths(scale: str) -> tuple[Path, Path, Path]:
    """(base lake, the held-out day's folder, the run's lake)."""
    base = ROOT / scale
    return base / "refresh-base" / "lake", base / "refresh-day", base / "refresh-run" / "lake"


def last_day(root: Path) -> dt.date:
    """The last local day with chat messages."""
    import duckdb

    shop = _lake(root)
    con = duckdb.connect()
    con.execute(f"SET TimeZone = '{TIME_ZONE}'")
    row = con.execute(
        "SELECT max(sent_at)::DATE FROM read_parquet($f)", {"f": shop.files("chat_messages")}
    ).fetchone()
    assert row is not None and row[0] is not None
    day: dt.date = row[0]
    return day


# The orders as they stood before ``cut``: the times at or after it unset, the status the
# last one before it gives (a closed or refunded order keeps its status when closed before).
ORDERS_BEFORE = """
SELECT platform, order_id, customer_key, created_at,
    CASE WHEN paid_at < $cut THEN paid_at END AS paid_at,
    CASE WHEN shipped_at < $cut THEN shipped_at END AS shipped_at,
    CASE WHEN signed_at < $cut THEN signed_at END AS signed_at,
    CASE WHEN closed_at < $cut THEN closed_at END AS closed_at,
    CASE
        WHEN closed_at < $cut THEN status
        WHEN signed_at < $cut THEN 'signed'
        WHEN shipped_at < $cut THEN 'shipped'
        WHEN paid_at < $cut THEN 'paid'
        ELSE 'created'
    END AS status,
    amount, item_count
FROM read_parquet($f)
WHERE created_at < $cut
"""
CHANGED_ON_DAY = """
SELECT * FROM read_parquet($f)
WHERE created_at >= $cut OR paid_at >= $cut OR shipped_at >= $cut OR signed_at >= $cut
    OR closed_at >= $cut
"""


def prepare_refresh(scale: str) -> dict[str, Any]:
    """Build the refresh base (raw tables without the last day, derived tables rebuilt on
    them) and the held-out day, once; returns what was held out."""
    import duckdb
    import pyarrow.parquet as pq

    from guanxi.core.timeutil import local_midnight_utc

    base, day_dir, _ = refresh_paths(scale)
    marker = day_dir / "held_out.txt"
    source = lake_root(scale).resolve()
    day = last_day(source)
    if marker.exists():
        return {"day": day.isoformat(), **_held_out(day_dir)}
    shutil.rmtree(base.parent, ignore_errors=True)
    shutil.rmtree(day_dir, ignore_errors=True)
    _linked_lake(base, source, own=("chat_messages", "orders"))
    day_dir.mkdir(parents=True)
    full = _lake(source)
    cut = local_midnight_utc(day, TIME_ZONE)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{QUERY_LIMITS.memory}'")
    shop = _lake(base)
    messages = {"f": full.files("chat_messages"), "cut": cut}
    shop.replace(
        "chat_messages",
        con.execute(
            "SELECT * FROM read_parquet($f) WHERE sent_at < $cut", messages
        ).to_arrow_reader(500_000),
    )
    pq.write_table(
        con.execute(
            "SELECT * FROM read_parquet($f) WHERE sent_at >= $cut", messages
        ).to_arrow_table(),
        day_dir / "chat_messages.parquet",
    )
    orders = {"f": full.files("orders"), "cut": cut}
    shop.replace("orders", con.sql(ORDERS_BEFORE, params=orders).to_arrow_table())
    pq.write_table(
        con.sql(CHANGED_ON_DAY, params=orders).to_arrow_table(), day_dir / "orders.parquet"
    )
    shop.derived.rebuild(TIME_ZONE, _rules())
    marker.write_text(day.isoformat())
    return {"day": day.isoformat(), **_held_out(day_dir)}


def _held_out(day_dir: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {
        name: pq.read_metadata(day_dir / f"{name}.parquet").num_rows
        for name in ("chat_messages", "orders")
    }


def import_day(scale: str) -> None:
    """A fresh copy of the refresh base, with the held-out day written into its raw tables
    (``Lake.write``, as an import does); untimed, before each refresh sample."""
    import pyarrow.parquet as pq

    base, day_dir, run = refresh_paths(scale)
    shutil.rmtree(run.parent, ignore_errors=True)
    run.parent.mkdir(parents=True)
    _copy_links(base, run)
    shop = _lake(run)
    for name in ("chat_messages", "orders"):
        shop.write(name, pq.read_table(day_dir / f"{name}.parquet"))


def _copy_links(source: Path, target: Path) -> None:
    """``cp -a`` with hard links for files (symbolic links copied as links)."""
    for folder, dirs, files in os.walk(source):
        rel = Path(folder).relative_to(source)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for d in list(dirs):
            if (Path(folder) / d).is_symlink():
                (target / rel / d).symlink_to(os.readlink(Path(folder) / d))
                dirs.remove(d)
        for f in files:
            src = Path(folder) / f
            if src.is_symlink():
                (target / rel / f).symlink_to(os.readlink(src))
            else:
                os.link(src, target / rel / f)


def run_refresh(root: str) -> dict[str, Any]:
    state = _lake(root).derived.refresh(TIME_ZONE, _rules())
    return {
        "mode": state.mode,
        "touched_sessions": state.touched_sessions,
        "touched_orders": state.touched_orders,
    }


def spark_lake(scale: str) -> Path:
    """A second lake on the same raw tables, whose derived tables Spark builds."""
    return _linked_lake(ROOT / scale / "derived-spark" / "lake", lake_root(scale).resolve())
