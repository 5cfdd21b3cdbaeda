"""Query engines for the lake: DuckDB embedded (default) or Spark through Ibis's backend.

DuckDB here cannot load its delta extension, so a Delta table is read through the Parquet
files of its current version (``DeltaTable.file_uris()``), which both engines understand.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

VIEW_CACHE = 256  # table versions a connection keeps a view of
SQL_CACHE = 512  # compiled queries a connection remembers


class Engine(Protocol):
    def table(self, name: str, files: list[str], schema: pa.Schema) -> ibis.Table: ...

    def execute(self, expr: ibis.Expr) -> Any: ...

    def to_arrow(self, expr: ibis.Expr) -> Any: ...

    def set_memory(self, memory: str) -> None: ...

    def register(self, name: str, rows: pa.Table) -> ibis.Table: ...


class DuckDBEngine:
    def __init__(self, limits: QueryLimits | None = None) -> None:
        import ibis

        self.con = ibis.duckdb.connect()
        self.con.raw_sql("SET TimeZone = 'UTC'")
        self.con.raw_sql("SET enable_progress_bar = false")
        # Spark's name for epoch microseconds, which the metrics call (calendar.unix_micros).
        self.con.raw_sql("CREATE OR REPLACE TEMP MACRO unix_micros(ts) AS epoch_us(ts)")
        self._views: dict[tuple[str, tuple[str, ...]], ibis.Table] = {}
        self._compile_once()
        if limits is not None and limits.memory:
            # DuckDB takes 80 % of the machine by default; a year's agent report then peaks
            # at 6 GB. With a limit it spills joins, sorts and windows to ``spill_dir``.
            self.con.raw_sql(f"SET memory_limit = '{limits.memory}'")
            if limits.spill_dir:
                Path(limits.spill_dir).mkdir(parents=True, exist_ok=True)
                self.con.raw_sql(f"SET temp_directory = '{limits.spill_dir}'")

    def table(self, name: str, files: list[str], schema: pa.Schema) -> ibis.Table:
        """The Parquet ``files`` as a view, one per distinct file list: the same version of
        a table is the same Ibis table every time, so equal queries compile once."""
        key = (name, tuple(files))
        found = self._views.get(key)
        if found is not None:
            return found
        if not files:
            table = self.con.create_table(
                f"_empty_{name}", schema.empty_table(), temp=True, overwrite=True
            )
        else:
            table = self.con.read_parquet(files, table_name=f"{name}_{uuid.uuid4().hex[:8]}")
        if len(self._views) >= VIEW_CACHE:
            self._views.clear()  # table versions come and go; views are cheap to recreate
        self._views[key] = table
        return table

    def _compile_once(self) -> None:
        """Remember the SQL of the last few hundred queries (by their Ibis expression):
        a page asks the same questions of the same table versions at every visit, and
        compiling them took as long as DuckDB took to answer on a month of the demo."""
        compile_sql = self.con.compile
        cache: OrderedDict[Any, str] = OrderedDict()

        def compile_cached(expr: ibis.Expr, /, *, limit: Any = None, params: Any = None,
                           pretty: bool = False) -> str:  # fmt: skip
            if params:
                return compile_sql(expr, limit=limit, params=params, pretty=pretty)
            key = (expr.op(), limit, pretty)
            sql = cache.get(key)
            if sql is None:
                sql = compile_sql(expr, limit=limit, pretty=pretty)
                cache[key] = sql
                if len(cache) > SQL_CACHE:
                    cache.popitem(last=False)
            else:
                cache.move_to_end(key)
            return sql

        self.con.compile = compile_cached

    def execute(self, expr: ibis.Expr) -> Any:
        return self.con.execute(expr)

    def to_arrow(self, expr: ibis.Expr) -> Any:
        """A pyarrow Table (or Scalar): exact decimals, no pandas in between."""
        return self.con.to_pyarrow(expr)

    def set_memory(self, memory: str) -> None:
        self.con.raw_sql(f"SET memory_limit = '{memory}'")

    def register(self, name: str, rows: pa.Table) -> ibis.Table:
        """``rows`` as a temporary table of this connection (usable inside cached
        expressions, unlike a memtable on Spark)."""
        return self.con.create_table(
            f"{name}_{uuid.uuid4().hex[:8]}", rows, temp=True, overwrite=True
        )


class SparkEngine:
    """Spark through Ibis's PySpark backend.

    It joins the process's active SparkSession when there is one (a cluster's, or the test
    suite's), else starts a local one. Tables are registered as temporary views of Spark
    DataFrames: Ibis 12's ``read_parquet`` takes one path, not a Delta version's file list,
    and its ``create_table`` cannot make temporary tables.
    """

    def __init__(self) -> None:
        try:
            from pyspark.sql import SparkSession  # optional dependency
        except ImportError as exc:
            raise RuntimeError(
                "GUANXI_ENGINE=pyspark needs PySpark and Java 17: pip install 'guanxi[spark]'"
            ) from exc

        # Local mode runs Python workers (Ibis ships memtables through them); they must be this
        # interpreter, not the machine's older python3. A cluster sets its own.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        session = SparkSession.getActiveSession() or (
            SparkSession.builder.master("local[2]")
            .appName("guanxi")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            # Memtables and results cross between Python and the JVM as Arrow.
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
        self.session = session
        import ibis

        # Ibis sets the session time zone to UTC as well: local days come from the metric
        # code's explicit time zone, never from the engine's.
        self.con = ibis.pyspark.connect(session)

    def table(self, name: str, files: list[str], schema: pa.Schema) -> ibis.Table:
        view = f"{name}_{uuid.uuid4().hex[:8]}"
        if files:
            reader = self.session.read
            base = _partition_base(files[0])
            if base:  # a partitioned table: its partition columns are in the paths
                reader = reader.option("basePath", base)
            frame = reader.parquet(*files)
        else:
            frame = self.session.createDataFrame(schema.empty_table())
        frame.createOrReplaceTempView(view)
        return self.con.table(view)

    def execute(self, expr: ibis.Expr) -> Any:
        return self.con.execute(expr)

    def set_memory(self, memory: str) -> None:
        """Spark's memory is the cluster's (or the local session's) configuration."""

    def register(self, name: str, rows: pa.Table) -> ibis.Table:
        """``rows`` as a temporary view: a memtable inside a persisted frame is not
        registered with Spark before the frame is planned."""
        view = f"{name}_{uuid.uuid4().hex[:8]}"
        frame = (
            self.session.createDataFrame(rows.to_pandas())
            if rows.num_rows
            else self.session.createDataFrame([], _spark_schema(rows.schema))
        )
        frame.createOrReplaceTempView(view)
        return self.con.table(view)

    def to_arrow(self, expr: ibis.Expr) -> Any:
        """A pyarrow Table (or Scalar) with the same types DuckDB gives.

        Spark's TIMESTAMP is an instant, but Ibis maps it to a zone-less timestamp (the lake
        stores ``timestamp[us, UTC]``); with the session in UTC its values are UTC, so they
        are marked as such here. Decimals arrive exact (Ibis converts via Python Decimals).
        """
        return _utc_timestamps(self.con.to_pyarrow(expr))


def _spark_schema(schema: pa.Schema) -> Any:
    """A Spark schema of string columns (the keys registered here are strings)."""
    from pyspark.sql.types import StringType, StructField, StructType

    return StructType([StructField(name, StringType(), True) for name in schema.names])


def _partition_base(uri: str) -> str:
    """The table folder of a data file inside Hive-style partition folders (``…/table/
    month=2025-11/part.parquet`` → ``…/table``); '' for an unpartitioned table's file."""
    parts = uri.split("/")
    for i, part in enumerate(parts[:-1]):
        if "=" in part:
            return "/".join(parts[:i])
    return ""


def _utc_timestamps(result: Any) -> Any:
    import pyarrow as pa

    if isinstance(result, pa.Scalar):
        if pa.types.is_timestamp(result.type) and result.type.tz is None:
            return result.cast(pa.timestamp(result.type.unit, tz="UTC"))
        return result
    fields = [
        f.with_type(pa.timestamp(f.type.unit, tz="UTC"))
        if pa.types.is_timestamp(f.type) and f.type.tz is None
        else f
        for f in result.schema
    ]
    return result.cast(pa.schema(fields, metadata=result.schema.metadata))


@dataclass(frozen=True)
class QueryLimits:
    memory: str = ""  # per query, e.g. "1GB"; "" = the engine's default
    spill_dir: str = ""
    # Queries run at once in this process (0: no limit); the others wait their turn, so
    # N page requests cannot ask for N × ``memory``.
    slots: int = 0
    build_memory: str = ""  # for building the derived tables (one at a time), e.g. "3GB"


def make_engine(name: str, limits: QueryLimits | None = None) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(limits)
    if name == "pyspark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r}; expected duckdb or pyspark")
