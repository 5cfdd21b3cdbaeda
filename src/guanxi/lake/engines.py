"""Query engines for the lake: DuckDB embedded (default) or Spark through Ibis's backend.

DuckDB here cannot load its delta extension, so a Delta table is read through the Parquet
files of its current version (``DeltaTable.file_uris()``), which both engines understand.
"""

from __future__ import annotations

import uuid
from typing import Any, Protocol

import ibis
import pyarrow as pa


class Engine(Protocol):
    def table(self, name: str, files: list[str], schema: pa.Schema) -> ibis.Table: ...

    def execute(self, expr: ibis.Expr) -> Any: ...

    def to_arrow(self, expr: ibis.Expr) -> Any: ...


class DuckDBEngine:
    def __init__(self) -> None:
        self.con = ibis.duckdb.connect()
        self.con.raw_sql("SET TimeZone = 'UTC'")

    def table(self, name: str, files: list[str], schema: pa.Schema) -> ibis.Table:
        if not files:
            return self.con.create_table(
                f"_empty_{name}", schema.empty_table(), temp=True, overwrite=True
            )
        view = f"{name}_{uuid.uuid4().hex[:8]}"
        return self.con.read_parquet(files, table_name=view)

    def execute(self, expr: ibis.Expr) -> Any:
        return self.con.execute(expr)

    def to_arrow(self, expr: ibis.Expr) -> Any:
        """A pyarrow Table (or Scalar): exact decimals, no pandas in between."""
        return self.con.to_pyarrow(expr)


class SparkEngine:
    def __init__(self) -> None:
        try:
            from pyspark.sql import SparkSession  # optional dependency
        except ImportError as exc:
            raise RuntimeError(
                "GUANXI_ENGINE=pyspark needs PySpark and Java 17: pip install 'guanxi[spark]'"
            ) from exc

        session = (
            SparkSession.builder.master("local[2]")
            .appName("guanxi")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        self.con = ibis.pyspark.connect(session)

    def table(self, name: str, files: list[str], schema: pa.Schema) -> ibis.Table:
        view = f"{name}_{uuid.uuid4().hex[:8]}"
        if not files:
            return self.con.create_table(view, schema.empty_table(), temp=True)
        return self.con.read_parquet(files, table_name=view)

    def execute(self, expr: ibis.Expr) -> Any:
        return self.con.execute(expr)

    def to_arrow(self, expr: ibis.Expr) -> Any:
        """A pyarrow Table (or Scalar): exact decimals, no pandas in between."""
        return self.con.to_pyarrow(expr)


def make_engine(name: str) -> Engine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "pyspark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r}; expected duckdb or pyspark")
