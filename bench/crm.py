"""Issue 15's benchmark: every customer's standing — facts at an as-of date with the trailing
window, the classes, RFM values, scores and groups — on the large demo shop, three ways:

- **ibis**: the product, ``guanxi.metrics.customers`` composed as
  ``customers.standing.standing_rows`` composes it (facts ⟕ classes ⟕ RFM), minus Django
  (the rules are the SPEC defaults) and minus the categories bought, on DuckDB through the
  lake (``Lake.arrow``, the product's query budget);
- **pandas**: ``bench/crm_pandas.py``, vectorised;
- **sql**: ``bench/crm_sql.py``, hand-written DuckDB SQL, the same memory budget.

Inputs: the lake's orders, refunds and reviews, the derived chat sessions and
``customer_months`` (the Parquet files of their current versions). Every case returns every
customer's row; the parent compares them row for row after sorting by customer
(``canonical``: money in exact thousandths, times in microseconds, days as integers; a
tolerance only on the float columns). Loyalty (``metrics.loyalty.with_loyalty``, written on
another branch of issue 15) is the fourth stage when the tree has it (``loyalty_rules``);
without it the bench measures the first three.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from bench.agent_reports import QUERY_LIMITS, TIME_ZONE

AS_OF = dt.date(2025, 12, 20)
"""Mid-month on purpose: the all-time range ends in 20 days counted from raw rows and the
trailing window (2024-12-21 … 2025-12-20) has partial months at both ends, so every path of
the facts (whole months from ``customer_months``, days from the raw rows) is exercised."""

STAGES = ("facts", "classes", "rfm", "loyalty")


def loyalty_rules() -> Any:
    """``metrics.rules.LoyaltyRules()`` (the defaults) when the tree has loyalty
    (``metrics.loyalty``, another branch of issue 15), else None: the bench then measures
    the other stages and says so. Looked up by name so the bench runs on either tree."""
    import importlib

    try:
        importlib.import_module("guanxi.metrics.loyalty")
    except ImportError:
        return None
    rules = importlib.import_module("guanxi.metrics.rules")
    return rules.LoyaltyRules()


def _loyalty() -> Any:
    import importlib

    return importlib.import_module("guanxi.metrics.loyalty")


COMPONENTS = ("frequency", "amount", "recommend", "after_sales")
LOYALTY_STRINGS = (
    "loyalty",
    *(f"loyalty_components.{c}.{f}" for c in COMPONENTS for f in ("level", "basis")),
)
LOYALTY_FLOATS = (
    *(f"loyalty_components.{c}.{f}" for c in COMPONENTS for f in ("figure", "high_at")),
    *(f"loyalty_components.{c}.medium_at" for c in COMPONENTS),
    "loyalty_components.points",
)
LOYALTY_INTS = tuple(f"loyalty_components.{c}.count" for c in COMPONENTS)

MONEY = ("paid_amount", "trailing_paid_amount", "refund_amount", "monetary")  # 2 decimals
THOUSANDTHS = ("figure", "threshold")  # 3 decimals
TIMES = ("first_order_at", "last_order_at", "first_paid_at", "last_paid_at", "last_chat_at")
DAYS = ("first_paid_day", "last_paid_day")
FLOATS = ("mean_days_between_paid_orders", "mean_rating")
INTS = (
    "orders", "paid_orders", "paid_items", "trailing_orders", "trailing_paid_orders",
    "trailing_unpaid_orders", "refunds", "returns", "sessions", "reviews", "rating_sum",
    "trailing_sessions", "recency_days", "frequency", "r_score", "f_score", "m_score",
)  # fmt: skip
STRINGS = ("customer_key", "customer_class", "rule", "group_key")
COLUMNS = (*STRINGS, *INTS, *MONEY, *THOUSANDTHS, *TIMES, *DAYS, *FLOATS)


def files(root: str) -> dict[str, list[str]]:
    """The Parquet files of the current versions of the tables the standing reads."""
    from guanxi.lake import Lake

    lake = Lake(root)
    out = {name: lake.files(name) for name in ("orders", "refunds", "reviews")}
    out |= {name: lake.derived.files(name) for name in ("sessions", "customer_months")}
    return out


def setup() -> None:
    """Imports, outside the timed runs."""
    import duckdb  # noqa: F401
    import ibis  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    from bench import crm_pandas, crm_sql  # noqa: F401
    from guanxi.lake import Lake  # noqa: F401
    from guanxi.metrics import customers  # noqa: F401


# -- the three implementations ---------------------------------------------------------------
def product_expr(lake: Any, as_of: dt.date, tz: str) -> Any:
    """``standing_rows``' expression without Django: the SPEC's default rules."""
    from guanxi.metrics import customers as m
    from guanxi.metrics.rules import ClassRules, RfmRules

    class_rules, rfm_rules = ClassRules(), RfmRules()
    orders = lake.table("orders")
    refunds = lake.table("refunds")
    return m.standing(
        orders=orders,
        refunds=refunds,
        reviews=lake.table("reviews"),
        sessions=lake.derived.table("sessions"),
        months=lake.derived.table("customer_months"),
        as_of=as_of,
        time_zone=tz,
        class_rules=class_rules,
        rfm_rules=rfm_rules,
    )


def run_ibis(root: str, as_of: dt.date = AS_OF) -> pa.Table:
    """The rows to Arrow, then loyalty over them as ``customers.standing`` adds it (over the
    counted rows: ``with_loyalty`` reads its input twice)."""
    from guanxi.lake import Lake

    lake = Lake(root, limits=QUERY_LIMITS)
    rows = lake.arrow(product_expr(lake, as_of, TIME_ZONE))
    rules = loyalty_rules()
    if rules is None:
        return rows
    import ibis

    loyalty = _loyalty()
    after = loyalty.after_sales_ratings(
        lake.table("refunds"), lake.table("reviews"), as_of=as_of, time_zone=TIME_ZONE
    )
    return lake.arrow(loyalty.with_loyalty(ibis.memtable(rows), rules, after_sales=after))


def run_pandas(root: str, as_of: dt.date = AS_OF) -> pd.DataFrame:
    from bench import crm_pandas

    where = files(root)
    rows = crm_pandas.standing(where, as_of, TIME_ZONE)
    rules = loyalty_rules()
    if rules is None:
        return rows
    return crm_pandas.with_loyalty(rows, where, as_of, TIME_ZONE, rules)


def run_sql(root: str, as_of: dt.date = AS_OF) -> pa.Table:
    from bench import crm_sql

    return crm_sql.standing(files(root), as_of, TIME_ZONE, loyalty_rules=loyalty_rules())


# -- comparing -------------------------------------------------------------------------------
def _scaled(values: list[Any], places: int) -> pd.Series:
    return pd.Series(
        [None if v is None else int(Decimal(v).scaleb(places)) for v in values], dtype="Int64"
    )


def canonical(result: pa.Table | pd.DataFrame) -> pd.DataFrame:
    """One form for the three results: sorted by customer, money as exact integers of
    thousandths, times as microseconds, days since the epoch, nulls as ``<NA>``."""
    names = result.columns if isinstance(result, pd.DataFrame) else result.schema.names
    loyal = "loyalty" in names
    if isinstance(result, pa.Table) and loyal:
        result = result.flatten().flatten()
    if isinstance(result, pd.DataFrame):  # the pandas baseline: cents, thousandths, µs, days
        out = pd.DataFrame({c: result[c] for c in COLUMNS})
        for c in MONEY:
            out[c] = out[c].astype("Int64") * 10
        for c in (*INTS, *THOUSANDTHS, *TIMES, *DAYS):
            out[c] = out[c].astype("Int64")
        for c in STRINGS:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    else:
        out = pd.DataFrame()
        for c in COLUMNS:
            column = result.column(c)
            if c in MONEY or c in THOUSANDTHS:
                out[c] = _scaled(column.to_pylist(), 3)
            elif c in TIMES:
                out[c] = pd.Series(
                    column.cast(pa.timestamp("us", "UTC")).cast(pa.int64()).to_pylist(),
                    dtype="Int64",
                )
            elif c in DAYS:
                out[c] = pd.Series(column.cast(pa.int32()).to_pylist(), dtype="Int64")
            elif c in INTS:
                out[c] = pd.Series(column.to_pylist(), dtype="Int64")
            elif c in FLOATS:
                out[c] = pd.Series(column.to_pylist(), dtype="float64")
            else:
                out[c] = pd.Series(column.to_pylist(), dtype=object)
    for c in FLOATS:
        out[c] = out[c].astype("float64")
    if loyal:
        source = result if isinstance(result, pd.DataFrame) else result.to_pandas()
        for c in LOYALTY_STRINGS:
            out[c] = pd.Series(list(source[c]), dtype=object).where(source[c].notna(), None)
        for c in LOYALTY_FLOATS:
            out[c] = pd.Series(source[c], dtype="float64").to_numpy()
        for c in LOYALTY_INTS:
            out[c] = pd.Series(source[c]).astype("Int64").to_numpy()
    return out.sort_values("customer_key", kind="stable").reset_index(drop=True)


def differences(mine: pd.DataFrame, theirs: pd.DataFrame, limit: int = 5) -> list[str]:
    """What differs between two canonical results (empty: equal): the row count, then per
    column the first ``limit`` customers that differ."""
    if len(mine) != len(theirs):
        return [f"rows: {len(mine):,} != {len(theirs):,}"]
    if not (mine.customer_key.to_numpy() == theirs.customer_key.to_numpy()).all():
        return ["customers differ"]
    found = []
    if ("loyalty" in mine) != ("loyalty" in theirs):
        return ["one has loyalty, the other not"]
    extra = (*LOYALTY_STRINGS, *LOYALTY_FLOATS, *LOYALTY_INTS) if "loyalty" in mine else ()
    for c in (*COLUMNS[1:], *extra):
        a, b = mine[c], theirs[c]
        if c in FLOATS or c in LOYALTY_FLOATS:
            same = np.isclose(a.to_numpy(), b.to_numpy(), rtol=1e-9, atol=0, equal_nan=True)
        else:
            both_null = a.isna().to_numpy() & b.isna().to_numpy()
            equal = (a == b).fillna(False).to_numpy(dtype=bool)
            same = both_null | equal
        if not same.all():
            bad = np.flatnonzero(~same)[:limit]
            rows = ", ".join(f"{mine.customer_key[i]}: {a[i]!r} != {b[i]!r}" for i in bad)
            found.append(f"{c} ({int((~same).sum()):,} rows): {rows}")
    return found


def summary(result: pd.DataFrame) -> dict[str, Any]:
    """What the rows say, for the report: customers, classes, RFM customers and groups."""
    return {
        "customers": len(result),
        "classes": result.customer_class.value_counts().to_dict(),
        "rfm_customers": int(result.r_score.notna().sum()),
        "groups": result.group_key.value_counts().to_dict(),
        "loyalty": (
            result.loyalty.value_counts(dropna=False).to_dict() if "loyalty" in result else None
        ),
    }


# -- the standing recompute, end to end ------------------------------------------------------
def recompute_copy(scale: str) -> str:
    """A copy of the bench shop's app database in a temporary folder (the shop's own may be
    a shared, read-only copy): the recompute writes ``CustomerStanding`` and the classes."""
    import shutil
    import tempfile
    from pathlib import Path

    from bench.shop import ROOT

    folder = Path(tempfile.mkdtemp(prefix="guanxi-crm-"))
    target = folder / "guanxi.sqlite3"
    shutil.copyfile(ROOT / scale / "guanxi.sqlite3", target)
    return str(target)


def setup_recompute(scale: str, database: str) -> None:
    """Django on the bench shop's lake and keys with the copied database, migrated (the
    copy may predate ``CustomerStanding``); imports done. Untimed."""
    import os

    from bench.pages import home_env

    env = home_env(scale) | {"GUANXI_DATABASE_URL": f"sqlite:///{database}"}
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    setup()
    from guanxi.customers import standing  # noqa: F401
    from guanxi.imports import derived  # noqa: F401


def run_recompute(as_of: dt.date = AS_OF) -> dict[str, Any]:
    """``customers.standing.recompute`` at ``as_of``, split by its progress messages: the
    lake part ("counting" until "writing": ``standing_rows`` to Arrow) and the database
    part (deleting the old rows, building and inserting the new ones, the classes set)."""
    import time

    from guanxi.customers import standing
    from guanxi.imports.derived import figures_from_derived

    marks: dict[str, float] = {}
    started = time.perf_counter()

    def mark(message: str) -> None:
        marks.setdefault(message, time.perf_counter())

    done = standing.recompute(as_of, progress=mark)
    ended = time.perf_counter()
    writing = marks.get("writing", ended)
    return {
        "lake": writing - marks["counting"],
        "database": ended - writing,
        "total": ended - started,
        "customers": done.customers,
        "classes": done.classes,
        "derived": figures_from_derived(),
    }
