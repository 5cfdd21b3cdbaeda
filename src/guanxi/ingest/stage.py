"""First phase of an import: read the whole file, convert it, and stage the result on disk.

Nothing visible changes in this phase: good rows go to ``staged.parquet`` and problems to
``problems.parquet`` in the run's private folder, a batch at a time (bounded memory). Only
when the whole file has been read does the caller decide to write or to reject.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from guanxi.ingest import mapping as mapping_module
from guanxi.ingest.convert import PROBLEM_SCHEMA, Converted, convert
from guanxi.ingest.kinds import Kind
from guanxi.ingest.mapping import Mapping, Resolved
from guanxi.ingest.messages import gettext_noop
from guanxi.ingest.readers import ROW, open_source
from guanxi.lake.schema import MONEY, TS

Progress = Callable[[float], None]  # share of the file read, 0..1

_ARROW_TYPES = {
    "id": pa.string(),
    "text": pa.string(),
    "choice": pa.string(),
    "amount": MONEY,
    "datetime": TS,
    "date": pa.date32(),
    "int": pa.int64(),
    "bool": pa.bool_(),
}


def staged_schema(kind: Kind) -> pa.Schema:
    return pa.schema(
        [pa.field(f.name, _ARROW_TYPES[f.type]) for f in kind.fields] + [pa.field(ROW, pa.int64())]
    )


@dataclass
class Staged:
    file_name: str
    encoding: str | None
    resolved: Resolved
    staged_path: Path
    problems_path: Path
    rejects_path: Path  # the bad rows as they were in the file, for --skip-bad
    rows_read: int = 0
    rows_good: int = 0
    rows_bad: int = 0
    problem_count: int = 0
    preview: list[dict[str, object]] = field(default_factory=list)

    @property
    def kind(self) -> Kind:
        return self.resolved.mapping.kind


def stage(
    path: Path,
    *,
    kind_name: str,
    platform: str,
    time_zone: str,
    workdir: Path,
    display_name: str | None = None,
    mapping: Mapping | None = None,
    progress: Progress | None = None,
    agent_names: Collection[str] = (),
    now: dt.datetime | None = None,
) -> Staged:
    """Read, map, convert and stage ``path``; raise ``FileRejectedError``/``MappingError``
    for problems with the whole file."""
    name = display_name or path.name
    source, batches = open_source(path, name, agent_names=agent_names)
    workdir.mkdir(parents=True, exist_ok=True)
    staged_path, problems_path = workdir / "staged.parquet", workdir / "problems.parquet"
    rejects_path = workdir / "rejects.parquet"
    staged: Staged | None = None
    writer: pq.ParquetWriter | None = None
    rejects_writer: pq.ParquetWriter | None = None
    problems_writer = pq.ParquetWriter(problems_path, PROBLEM_SCHEMA)
    # Converting is vectorised Arrow work that releases the GIL: the next batch is converted
    # on a second thread while this one is written (about a third off staging's time).
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="stage")
    pending: deque[tuple[pa.RecordBatch, Future[Converted]]] = deque()

    def write(batch: pa.RecordBatch, converted: Converted) -> None:
        assert staged is not None and writer is not None and rejects_writer is not None
        typed = pa.Table.from_arrays(
            [
                *[converted.columns[f.name].cast(_ARROW_TYPES[f.type]) for f in staged.kind.fields],
                converted.rows,
            ],
            schema=writer.schema,
        )
        good = typed.filter(converted.valid)
        writer.write_table(good)
        rejects_writer.write_table(
            pa.Table.from_batches([batch]).filter(pc.invert(converted.valid))
        )
        problems_writer.write_table(converted.problems)
        staged.rows_read += batch.num_rows
        staged.rows_good += good.num_rows
        staged.rows_bad += batch.num_rows - good.num_rows
        staged.problem_count += converted.problems.num_rows
        if len(staged.preview) < 20:
            staged.preview.extend(batch.slice(0, 20 - len(staged.preview)).to_pylist())
        if progress is not None:
            progress(source.done)

    try:
        for batch in batches:
            headers = [c for c in batch.schema.names if c != ROW]
            if staged is None:
                resolved = (
                    mapping_module.resolve(mapping, headers, name)
                    if mapping is not None
                    else mapping_module.best_preset(kind_name, platform, headers, name)
                )
                staged = Staged(
                    name, source.encoding, resolved, staged_path, problems_path, rejects_path
                )
                writer = pq.ParquetWriter(staged_path, staged_schema(resolved.mapping.kind))
                rejects_writer = pq.ParquetWriter(rejects_path, batch.schema)
            pending.append(
                (batch, pool.submit(convert, batch, staged.resolved, time_zone, name, now))
            )
            if len(pending) > 1:
                done, future = pending.popleft()
                write(done, future.result())
        while pending:
            done, future = pending.popleft()
            write(done, future.result())
    finally:
        pool.shutdown(cancel_futures=True)
        if writer is not None:
            writer.close()
        if rejects_writer is not None:
            rejects_writer.close()
        problems_writer.close()
    if staged is None:
        raise mapping_module.MappingError(gettext_noop("%(file)s：只有列名，没有数据行"), file=name)
    return staged
