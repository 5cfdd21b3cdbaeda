"""The fact lake: one Delta Lake table per fact, written atomically, read through Ibis.

``write`` is one Delta commit: a MERGE on the table's natural key in which the batch's rows
replace the stored rows with the same key (the newest state wins) and rows whose values are
all equal are left alone, so importing the same export twice changes nothing.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from guanxi.lake.engines import Engine, QueryLimits, make_engine
from guanxi.lake.schema import TableSpec, spec

if TYPE_CHECKING:
    from guanxi.lake.derived import Derived


QUEUED: contextvars.ContextVar[float] = contextvars.ContextVar("queued_seconds", default=0.0)
"""Seconds this request (or task) waited for a query slot; reset by whoever serves it."""


class LakeError(Exception):
    """A batch does not fit its table; the message names the table and column."""


@dataclass(frozen=True)
class WriteResult:
    table: str
    added: int
    updated: int
    unchanged: int
    version: int | None  # Delta version after the commit; None when nothing was written


def conform(table_spec: TableSpec, batch: pa.Table) -> pa.Table:
    """Cast ``batch`` to the table's schema: same columns in the same order, exact types."""
    missing = [f.name for f in table_spec.schema if f.name not in batch.column_names]
    if missing:
        raise LakeError(f"{table_spec.name}: batch lacks column(s) {', '.join(missing)}")
    extra = [c for c in batch.column_names if c not in table_spec.schema.names]
    if extra:
        raise LakeError(f"{table_spec.name}: batch has unknown column(s) {', '.join(extra)}")
    columns = []
    for field in table_spec.schema:
        column = batch.column(field.name)
        try:
            column = column.cast(field.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise LakeError(
                f"{table_spec.name}.{field.name}: cannot store {column.type} as {field.type}: {exc}"
            ) from exc
        if not field.nullable and column.null_count:
            raise LakeError(f"{table_spec.name}.{field.name}: {column.null_count} empty value(s)")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table_spec.schema)


def dedupe_last(table_spec: TableSpec, batch: pa.Table) -> pa.Table:
    """Keep the last row of each natural key within a batch (later rows are newer)."""
    if batch.num_rows == 0:
        return batch
    indexed = batch.append_column("__row", pa.array(range(batch.num_rows), pa.int64()))
    last = indexed.group_by(list(table_spec.key), use_threads=False).aggregate([("__row", "max")])
    keep = pc.sort_indices(last.column("__row_max"))
    rows = pc.take(last.column("__row_max"), keep)
    return batch.take(rows)


def table_properties(table_spec: TableSpec, *, keep_days: int | None = None) -> dict[str, str]:
    """Delta table properties: statistics only of the columns that are not free text, and
    (when ``keep_days`` is given) how long removed files and log entries are kept."""
    properties = {"delta.dataSkippingStatsColumns": ",".join(table_spec.stats_columns)}
    if keep_days is not None:
        properties["delta.logRetentionDuration"] = f"interval {keep_days} days"
        properties["delta.deletedFileRetentionDuration"] = f"interval {keep_days} days"
    return properties


def _sql_text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _keys_predicate(table_spec: TableSpec, rows: list[dict[str, Any]]) -> str:
    if len(table_spec.key) == 2 and table_spec.key[0] == "platform":
        # Usually one platform: platform = 'x' AND id IN (...), far shorter than OR chains.
        by_platform: dict[str, list[str]] = {}
        for r in rows:
            by_platform.setdefault(r["platform"], []).append(_sql_text(r[table_spec.key[1]]))
        return " OR ".join(
            f'(platform = {_sql_text(p)} AND "{table_spec.key[1]}" IN ({", ".join(ids)}))'
            for p, ids in by_platform.items()
        )
    return " OR ".join(
        "(" + " AND ".join(f'"{k}" = {_sql_text(r[k])}' for k in table_spec.key) + ")" for r in rows
    )


class Lake:
    """A root folder (or s3:// URL) of Delta tables and an engine that queries them."""

    def __init__(
        self, root: str | Path, *, engine: str = "duckdb", limits: QueryLimits | None = None
    ) -> None:
        self.root = str(root)
        self.engine_name = engine
        self.limits = limits
        self._local = threading.local()
        slots = limits.slots if limits is not None else 0
        self._slots = threading.BoundedSemaphore(slots) if slots > 0 else None

    # -- paths and versions -------------------------------------------------------------
    def path(self, name: str) -> str:
        spec(name)
        return f"{self.root.rstrip('/')}/{name}"

    def exists(self, name: str) -> bool:
        return table_exists(self.path(name))

    def version(self, name: str) -> int | None:
        found = snapshot(self.path(name))
        return found[0] if found is not None else None

    def restore(self, name: str, version: int) -> None:
        """Roll a table back to an earlier version (a new commit; history is kept)."""
        DeltaTable(self.path(name)).restore(version)

    # -- writing ------------------------------------------------------------------------
    def write(self, name: str, batch: pa.Table) -> WriteResult:
        """Upsert ``batch`` into table ``name`` in one atomic Delta commit."""
        table_spec = spec(name)
        batch = dedupe_last(table_spec, conform(table_spec, batch))
        if batch.num_rows == 0:
            return WriteResult(name, 0, 0, 0, self.version(name))
        return self._commit(name, batch, batch.num_rows)

    def write_stream(self, name: str, batches: Iterable[pa.RecordBatch]) -> WriteResult:
        """Like ``write`` for sources larger than memory: the batches stream into one commit.

        The caller guarantees one row per natural key (e.g. deduplicated in SQL).
        """
        table_spec = spec(name)
        stream = iter(batches)
        first = next((rb for rb in stream if rb.num_rows), None)
        if first is None:  # nothing to write: no commit, as for an empty ``write``
            return WriteResult(name, 0, 0, 0, self.version(name))
        count = 0

        def conformed() -> Iterator[pa.RecordBatch]:
            nonlocal count
            for rb in itertools.chain([first], stream):
                count += rb.num_rows
                yield from conform(table_spec, pa.Table.from_batches([rb])).to_batches()

        reader = pa.RecordBatchReader.from_batches(table_spec.schema, conformed())
        result = self._commit(name, reader, None)
        if result.added == -1:  # a new table: every row streamed was added
            return WriteResult(name, count, 0, 0, result.version)
        return WriteResult(
            name,
            result.added,
            result.updated,
            count - result.added - result.updated,
            result.version,
        )

    def _commit(self, name: str, source: Any, rows: int | None) -> WriteResult:
        table_spec = spec(name)
        path = self.path(name)
        if not self.exists(name):
            if "://" not in path:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            write_deltalake(
                path,
                source,
                mode="error",
                partition_by=list(table_spec.partition_by),
                configuration=table_properties(table_spec),
            )
            added = rows if rows is not None else -1
            return WriteResult(name, added, 0, 0, self.version(name))
        key_match = " AND ".join(f't."{c}" = s."{c}"' for c in table_spec.key)
        value_columns = [c for c in table_spec.schema.names if c not in table_spec.key]
        changed = " OR ".join(f'(t."{c}" IS DISTINCT FROM s."{c}")' for c in value_columns)
        dt = DeltaTable(path)
        metrics = (
            dt.merge(source=source, predicate=key_match, source_alias="s", target_alias="t")
            .when_matched_update_all(predicate=changed or None)
            .when_not_matched_insert_all()
            .execute()
        )
        added = int(metrics.get("num_target_rows_inserted", 0))
        updated = int(metrics.get("num_target_rows_updated", 0))
        unchanged = (rows - added - updated) if rows is not None else 0
        return WriteResult(name, added, updated, unchanged, dt.version())

    def replace(self, name: str, batches: Iterable[pa.RecordBatch] | pa.Table) -> int:
        """Overwrite the whole table with ``batches`` in one commit (bulk loads, demo data).

        Streams record batches, so a generator of batches never sits in memory whole.
        """
        table_spec = spec(name)
        if isinstance(batches, pa.Table):
            source: Any = conform(table_spec, batches)
        else:

            def conformed() -> Iterator[pa.RecordBatch]:
                for rb in batches:
                    yield from conform(table_spec, pa.Table.from_batches([rb])).to_batches()

            source = pa.RecordBatchReader.from_batches(table_spec.schema, conformed())
        path = self.path(name)
        if "://" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        write_deltalake(
            path,
            source,
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(table_spec.partition_by),
            configuration=table_properties(table_spec),
        )
        return DeltaTable(path).version()

    def vacuum(self, name: str, *, keep_hours: int) -> list[str]:
        """Forget versions older than ``keep_hours``: delete the data files they alone used
        and their log entries (after a checkpoint). Restoring to such a version is no longer
        possible. Also turns off free-text statistics on tables made before that rule.
        Returns the data files deleted."""
        if not self.exists(name):
            return []
        dt = DeltaTable(self.path(name))
        wanted = table_properties(spec(name), keep_days=max(1, keep_hours // 24))
        if any(dt.metadata().configuration.get(k) != v for k, v in wanted.items()):
            dt.alter.set_table_properties(wanted)
        deleted = dt.vacuum(
            retention_hours=keep_hours, dry_run=False, enforce_retention_duration=False
        )
        dt.create_checkpoint()
        dt.cleanup_metadata()
        return list(deleted)

    def rekey(
        self, name: str, old: str, new: str, only: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """Move rows from customer ``old`` to ``new`` in one commit (merging customers).

        Returns the natural keys of the rows moved, which is what undoing needs: ``only``
        limits the move to those rows (the undo moves exactly them back).
        """
        if not self.exists(name) or "customer_key" not in spec(name).schema.names:
            return []
        table_spec = spec(name)
        dt = DeltaTable(self.path(name))
        files = dt.file_uris()
        if not files:
            return []
        columns = ", ".join(f'"{k}"' for k in table_spec.key)
        con = duckdb.connect()
        rows = [
            dict(zip(table_spec.key, values, strict=True))
            for values in con.execute(
                f"SELECT {columns} FROM read_parquet($files) WHERE customer_key = $old",
                {"files": files, "old": old},
            ).fetchall()
        ]
        if only is not None:
            wanted = {tuple(r[k] for k in table_spec.key) for r in only}
            rows = [r for r in rows if tuple(r[k] for k in table_spec.key) in wanted]
        if not rows:
            return []
        predicate = f"customer_key = {_sql_text(old)} AND ({_keys_predicate(table_spec, rows)})"
        dt.update(new_values={"customer_key": new}, predicate=predicate)
        return rows

    def unlink_customer(
        self, name: str, key: str, tombstone: str, clear: Iterable[str] = ()
    ) -> int:
        """Rewrite the rows of customer ``key`` in one commit: ``customer_key`` becomes
        ``tombstone`` and the columns in ``clear`` (free text) become empty.

        The rows keep counting in every figure but identify nobody (PIPL Art. 47). Returns
        the number of rows rewritten. The old files still hold the key until ``purge_history``.
        """
        if not self.exists(name) or "customer_key" not in spec(name).schema.names:
            return 0
        files = self.files(name)
        if not files:
            return 0
        con = duckdb.connect()
        found = con.execute(
            "SELECT count(*) FROM read_parquet($files) WHERE customer_key = $key",
            {"files": files, "key": key},
        ).fetchone()
        count = int(found[0]) if found else 0
        if count == 0:
            return 0
        new_values: dict[str, str] = {"customer_key": _sql_text(tombstone)}
        for column in clear:
            if column not in spec(name).schema.names:
                raise LakeError(f"{name}: no column {column!r} to clear")
            new_values[column] = "NULL"
        DeltaTable(self.path(name)).update(
            updates=new_values, predicate=f"customer_key = {_sql_text(key)}"
        )
        return count

    def purge_history(self, name: str) -> int:
        """Delete every file and log entry of table ``name`` older than its current version
        (``purge_table_history``). Returns the data files deleted."""
        if not self.exists(name):
            return 0
        return purge_table_history(self.path(name))

    # -- derived tables -----------------------------------------------------------------
    @property
    def derived(self) -> Derived:
        """The derived tables (sessions, rounds, attribution …) kept from this lake's raw
        tables (``lake.derived``)."""
        from guanxi.lake.derived import Derived

        return Derived(self)

    # -- reading ------------------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = make_engine(self.engine_name, self.limits)
            self._local.engine = engine
        return engine

    def files(self, name: str) -> list[str]:
        found = snapshot(self.path(name))
        return list(found[1]) if found is not None else []

    def table(self, name: str) -> ibis.Table:
        """The current version of table ``name`` as an Ibis table on this lake's engine."""
        return self.engine.table(name, self.files(name), spec(name).schema)

    def execute(self, expr: ibis.Expr) -> Any:
        """Run ``expr``; pandas out (DataFrame, Series or Python scalar)."""
        with self.query_slot():
            return self.engine.execute(expr)

    def arrow(self, expr: ibis.Expr) -> Any:
        """Run ``expr``; Arrow out (Table, or Scalar for a scalar expression)."""
        with self.query_slot():
            return self.engine.to_arrow(expr)

    @contextmanager
    def query_slot(self) -> Iterator[None]:
        """Hold one of the process's query slots while a query runs (``QueryLimits.slots``);
        the time spent waiting for one adds up in ``queued_seconds`` (the page says so)."""
        if self._slots is None or getattr(self._local, "holding", False):
            yield
            return
        started = time.perf_counter()
        with self._slots:
            waited = time.perf_counter() - started
            if waited > 0.05:
                QUEUED.set(QUEUED.get() + waited)
            self._local.holding = True
            try:
                yield
            finally:
                self._local.holding = False

    @contextmanager
    def build_memory(self) -> Iterator[None]:
        """The derived tables' build runs with its own memory budget (one build at a time)."""
        memory = self.limits.build_memory if self.limits is not None else ""
        if not memory:
            yield
            return
        self.engine.set_memory(memory)
        try:
            yield
        finally:
            if self.limits is not None and self.limits.memory:
                self.engine.set_memory(self.limits.memory)

    def to_arrow(self, name: str) -> pa.Table:
        """The whole current table as Arrow (tests and exports of small tables)."""
        if not self.exists(name):
            return spec(name).schema.empty_table()
        return DeltaTable(self.path(name)).to_pyarrow_table()


def purge_table_history(path: str) -> int:
    """Delete every file and log entry of the Delta table at ``path`` older than its current
    version.

    Vacuum with no retention removes the data files of old versions; a checkpoint at the
    current version and a log clean-up with no retention remove the old commit files,
    whose file statistics (min/max values) could still hold an erased key. Time travel to
    earlier versions ends here; the version number carries on. Returns the data files
    deleted.
    """
    dt = DeltaTable(path)
    retention = "delta.logRetentionDuration"
    kept = dt.metadata().configuration.get(retention) or "interval 30 days"  # Delta's default
    dt.alter.set_table_properties({retention: "interval 0 seconds"}, raise_if_not_exists=False)
    deleted = dt.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    dt = DeltaTable(path)
    dt.create_checkpoint()
    dt.cleanup_metadata()
    # Back to the usual retention, so later automatic clean-ups keep the history that
    # undoing an import needs.
    DeltaTable(path).alter.set_table_properties({retention: kept}, raise_if_not_exists=False)
    return len(deleted)


# -- current versions, remembered ------------------------------------------------------------
# Loading a Delta table replays its log (tens of milliseconds); a page asks for the version
# and files of a dozen tables. They are remembered per table folder and reloaded when the
# log folder changes (a new commit, a checkpoint, a clean-up), by this process or another.
_SNAPSHOTS: dict[str, tuple[tuple[int, int], int, tuple[str, ...]]] = {}
_SNAPSHOTS_LOCK = threading.Lock()


def _log_stamp(path: str) -> tuple[int, int] | None:
    """(newest commit number, number of log files) of a local Delta table; None if none."""
    try:
        names = os.listdir(os.path.join(path, "_delta_log"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    commits = [int(n[:20]) for n in names if n.endswith(".json") and n[:20].isdigit()]
    if not commits and not any(n.endswith(".checkpoint.parquet") for n in names):
        return None
    return (max(commits, default=-1), len(names))


def table_exists(path: str) -> bool:
    if "://" in path:
        return bool(DeltaTable.is_deltatable(path))
    return _log_stamp(path) is not None


def snapshot(path: str) -> tuple[int, tuple[str, ...]] | None:
    """The current version of the Delta table at ``path`` and its data files (None: no
    table there)."""
    if "://" in path:
        if not DeltaTable.is_deltatable(path):
            return None
        table = DeltaTable(path)
        return table.version(), tuple(table.file_uris())
    stamp = _log_stamp(path)
    if stamp is None:
        return None
    with _SNAPSHOTS_LOCK:
        cached = _SNAPSHOTS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    table = DeltaTable(path)
    found = (table.version(), tuple(table.file_uris()))
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[path] = (stamp, *found)
    return found
