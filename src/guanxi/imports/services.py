"""Running an import: stage → check → (customers + one lake commit) → journal.

Atomicity. Staging writes only to the run's private folder. The commit phase holds an
exclusive file lock (one writer at a time), records the table's Delta version in the
journal, then — inside one database transaction — creates the customers, makes the single
Delta commit and marks the run written. A process killed before the Delta commit leaves the
lake untouched and the transaction rolls back; killed after it but before the database
commits, the journal still says "writing", and ``recover()`` (run under the same lock before
every import, by ``guanxi setup`` and by the import pages) restores the table to the version
recorded. Either way lake and database end as they were.

Liveness. A run holds a lock file in its folder while it stages and commits; a run still
marked running or writing whose lock nobody holds was killed. ``recover()`` marks such runs
failed (or restores the lake and marks them interrupted); the web server, the worker and
every ``guanxi`` command call it when they start, and the web pages before any read
whenever a write has not finished (``RecoveryMiddleware``).

Plaintext. The staged rows live only while the run needs them; once it ends, the problems
and the rejected rows (which may hold personal information) are encrypted with the field
key, and the upload is deleted unless a rejected run may still re-use it (retention.py
deletes what is left after GUANXI_IMPORT_RETENTION_DAYS).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from guanxi import lake
from guanxi.accounts.selectors import agent_nicknames
from guanxi.core import crypto
from guanxi.core.errors import UserInputError
from guanxi.customers import identities, merges
from guanxi.customers.selectors import known_values
from guanxi.imports import derived
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.imports.recovery import ACTIVE, writing_dir
from guanxi.ingest import facts
from guanxi.ingest.mapping import Mapping
from guanxi.ingest.messages import Message, MessageError, error_message, gettext_noop, message
from guanxi.ingest.messages import render as render_message
from guanxi.ingest.stage import Staged, stage
from guanxi.web.exports.safe import csv_line_writer

if TYPE_CHECKING:
    import duckdb

PLATFORMS = ("taobao", "tmall", "jd", "pdd", "douyin", "shopify", "amazon", "generic")
REPORT = "report.csv"
REJECTS = "rejects.csv"
PROBLEMS_FILE = "problems.parquet"
REJECTS_FILE = "rejects.parquet"
SEALED = ".enc"  # suffix of a file encrypted with the field key
ALIVE = "alive.lock"  # held by the process running the run


@dataclass(frozen=True)
class ImportRequest:
    path: Path
    kind: str
    platform: str
    display_name: str | None = None
    mapping: Mapping | None = None
    skip_bad: bool = False
    user: User | AnonymousUser | None = None


def _fault(point: str) -> None:
    """Crash-safety tests set GUANXI_FAULT to a point name to kill the process exactly there."""
    if os.environ.get("GUANXI_FAULT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def workdir(run: ImportRun) -> Path:
    return Path(settings.GUANXI_IMPORT_DIR) / f"run-{run.pk}"


def upload_path(stored_name: str) -> Path:
    return Path(settings.GUANXI_IMPORT_DIR) / "uploads" / stored_name


@contextmanager
def _alive(run: ImportRun) -> Iterator[None]:
    folder = workdir(run)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ALIVE).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _locked(path: Path, *, wait: bool) -> Iterator[bool]:
    """An exclusive lock on ``path``: True inside while held; with ``wait=False`` a lock
    held elsewhere gives False at once."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _dead(run: ImportRun) -> Iterator[bool]:
    """True inside when no process runs ``run`` (its lock is free, and held here meanwhile
    so that the run cannot start under us)."""
    path = workdir(run) / ALIVE
    if not path.exists():
        yield True
        return
    with _locked(path, wait=False) as free:
        yield free


@contextmanager
def write_lock(*, wait: bool = True) -> Iterator[bool]:
    """Held: True inside. With ``wait=False`` a lock held elsewhere gives False at once."""
    folder = Path(settings.GUANXI_IMPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / "write.lock", wait=wait) as held:
        yield held


@contextmanager
def writes_paused() -> Iterator[None]:
    """Hold the lake's write lock: no import commits, recovers or undoes meanwhile (a backup
    takes its snapshot of lake and database under it)."""
    with write_lock():
        yield


def _restore(table: str, version_before: int | None) -> None:
    shop = lake.get()
    if version_before is None or shop.version(table) == version_before:
        return
    if version_before < 0:  # the import created the table: empty it again
        shop.replace(table, shop.to_arrow(table).slice(0, 0))
    else:
        shop.restore(table, version_before)


def _recover_locked() -> list[ImportRun]:
    """Under the write lock a run marked writing is dead: its writer held the lock."""
    recovered = []
    for run in ImportRun.objects.filter(status=RunStatus.WRITING):
        _restore(run.table, run.version_before)
        run.status = RunStatus.INTERRUPTED
        run.error = Message(gettext_noop("写入时被中断；数据湖已恢复到导入之前的状态")).encode()
        run.finished_at = timezone.now()
        run.save()
        _writing_marker(run).unlink(missing_ok=True)
        seal(run)
        recovered.append(run)
    folder = writing_dir()
    if folder.is_dir():  # markers of runs that ended otherwise (e.g. failed before the commit)
        ids = [int(m.name) for m in folder.iterdir() if m.name.isdigit()]
        writing = set(ImportRun.objects.filter(pk__in=ids, status=RunStatus.WRITING).values_list(
            "pk", flat=True))  # fmt: skip
        for pk in set(ids) - writing:
            (folder / str(pk)).unlink(missing_ok=True)
    return recovered


def settle(run: ImportRun) -> ImportRun:
    """Mark ``run`` failed when it is marked running but its process is gone (killed while
    it read the file: nothing was written)."""
    if run.status != RunStatus.RUNNING:
        return run
    with _dead(run) as dead:
        if not dead:
            return run
        run.refresh_from_db()
        if run.status != RunStatus.RUNNING:
            return run
        run.status = RunStatus.FAILED
        run.error = Message(
            gettext_noop("导入进程在读取文件时中止（如被强行结束）；什么都没有写入，请重新导入")
        ).encode()
        run.finished_at = timezone.now()
        run.save()
        seal(run)
    return run


def recover(*, wait: bool = True) -> list[ImportRun]:
    """Undo what interrupted imports left in the lake and mark dead runs failed (see the
    module docstring). ``wait=False`` skips the lake while a live import is writing."""
    recovered = []
    with write_lock(wait=wait) as held:
        if held:
            recovered = _recover_locked()
    for run in ImportRun.objects.filter(status=RunStatus.RUNNING):
        if settle(run).status == RunStatus.FAILED:
            recovered.append(run)
    return recovered


def _writing_marker(run: ImportRun) -> Path:
    return writing_dir() / str(run.pk)


def _sealed(folder: Path, name: str) -> Path:
    return folder / (name + SEALED)


def seal(run: ImportRun) -> None:
    """The run has ended: delete its staged rows, encrypt its problems and rejected rows,
    and delete its upload unless a re-run may still need it (a rejected run)."""
    folder = workdir(run)
    (folder / "staged.parquet").unlink(missing_ok=True)
    cipher = crypto.cipher()
    for name in (PROBLEMS_FILE, REJECTS_FILE):
        plain = folder / name
        if plain.exists():
            cipher.encrypt_file(plain, _sealed(folder, name))
            plain.unlink()
    if run.stored_name and run.status != RunStatus.REJECTED:
        upload_path(run.stored_name).unlink(missing_ok=True)


def has_file(folder: Path, name: str) -> bool:
    return _sealed(folder, name).exists() or (folder / name).exists()


def open_parquet(folder: Path, name: str) -> pq.ParquetFile:
    """A run's problems or rejected rows, decrypted in memory."""
    sealed = _sealed(folder, name)
    if sealed.exists():
        return pq.ParquetFile(pa.BufferReader(crypto.cipher().decrypt_file(sealed)))
    return pq.ParquetFile(folder / name)


def reason_text(reason: str | None) -> str:
    """A problem's reason (an encoded message) in the active language."""
    return render_message(reason, gettext)


def error_text(run: ImportRun) -> str:
    """The run's error in the active language (stored as an encoded message)."""
    return render_message(run.error, gettext)


def report_lines(folder: Path) -> Iterator[str]:
    """report.csv: every problem of the run in ``folder``, reasons in the active language."""
    writer = csv_line_writer()
    yield writer.writerow([gettext("文件"), gettext("行"), gettext("列"), gettext("值"),
                           gettext("原因")])  # fmt: skip
    problems = open_parquet(folder, PROBLEMS_FILE)
    for batch in problems.iter_batches():
        for row in batch.to_pylist():
            yield writer.writerow(
                [row["file"], row["row"], row["column"], row["value"], reason_text(row["reason"])]
            )


def rejects_lines(folder: Path) -> Iterator[str]:
    """rejects.csv: the bad rows as they were in the file, with their reasons."""
    writer = csv_line_writer()
    reasons: dict[int, list[str]] = {}
    for row in open_parquet(folder, PROBLEMS_FILE).read().to_pylist():
        reasons.setdefault(row["row"], []).append(f"{row['column']}: {reason_text(row['reason'])}")
    rejects = open_parquet(folder, REJECTS_FILE)
    headers = [c for c in rejects.schema_arrow.names if c != "__row"]
    yield writer.writerow([gettext("行"), *headers, gettext("原因")])
    for batch in rejects.iter_batches():
        for row in batch.to_pylist():
            number = row["__row"]
            yield writer.writerow(
                [number, *[row[h] for h in headers], "; ".join(reasons.get(number, []))]
            )


def write_reports(run: ImportRun, target: Path) -> dict[str, Path]:
    """report.csv (every problem) and, for --skip-bad, rejects.csv (the bad rows) of ``run``
    as ``target``-report.csv and ``target``-rejects.csv, UTF-8 with BOM for Excel, in the
    active language. The CLI writes them beside the imported file: they may hold personal
    information, which Guanxi keeps only encrypted."""
    folder = workdir(run)
    written = {}
    for name, lines in ((REPORT, report_lines), (REJECTS, rejects_lines)):
        if name == REJECTS and not (run.skip_bad and has_file(folder, REJECTS_FILE)):
            continue
        path = target.with_name(f"{target.name}-{name}")
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            f.writelines(lines(folder))
        written[name] = path
    return written


PERSONAL = ("name", "mobile", "email", "address", "gender", "birth_date", "province", "city",
            "tags", "notes")  # fmt: skip


PEOPLE_CHUNK = 50_000  # buyers resolved at a time: bounds memory on files of millions


def _people(staged: Staged) -> tuple[int, Iterator[identities.People]]:
    """How many buyers the file has, and the buyers in chunks, one person each; where a
    buyer appears twice the last row wins."""
    import duckdb

    names = {f.name for f in staged.kind.fields}
    if "buyer" not in names:
        return 0, iter(())
    # The personal columns the file has, each as on the buyer's last row (arg_max_null:
    # NULL included, as last(... ORDER BY __row), a little cheaper).
    present = [c for c in PERSONAL if c in names]
    select = ", ".join(
        ["buyer"]
        + [
            f"arg_max_null({c}, __row) AS {c}"
            if c == "birth_date"
            else f"coalesce(arg_max_null({c}, __row), '') AS {c}"
            for c in present
        ]
    )
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # Imports must run in bounded memory whatever the file size: DuckDB spills beyond this.
    con.execute("SET memory_limit = '512MB'")
    con.execute(
        f"CREATE TEMP TABLE people AS SELECT {select} FROM read_parquet($p) "
        "WHERE buyer IS NOT NULL GROUP BY buyer",
        {"p": str(staged.staged_path)},
    )
    ((count,),) = con.execute("SELECT count(*) FROM people").fetchall()
    return count, _chunks_of_people(con, present)


def _chunks_of_people(
    con: duckdb.DuckDBPyConnection, present: list[str]
) -> Iterator[identities.People]:
    """The people table in chunks, column by column (Arrow to Python lists: a sixth of the
    cost of a tuple and a ``Person`` per row); columns the file lacks are empty."""
    pending: list[pa.RecordBatch] = []
    rows = 0
    for batch in con.sql("SELECT * FROM people").to_arrow_reader(PEOPLE_CHUNK):
        pending.append(batch)
        rows += batch.num_rows
        while rows >= PEOPLE_CHUNK:
            table = pa.Table.from_batches(pending)
            yield _columns(table.slice(0, PEOPLE_CHUNK), present)
            rest = table.slice(PEOPLE_CHUNK)
            pending, rows = rest.to_batches(), rest.num_rows
    if rows:
        yield _columns(pa.Table.from_batches(pending), present)
    con.close()


def _columns(table: pa.Table, present: list[str]) -> identities.People:
    size = table.num_rows
    columns = {name: table.column(name).to_pylist() for name in ["buyer", *present]}
    return identities.People(
        *(
            columns.get(field) or ([None] * size if field == "birth_date" else [""] * size)
            for field in identities.PERSON_FIELDS
        )
    )


def _resolve(platform: str, staged: Staged, *, fill_blanks: bool = False) -> identities.Resolution:
    """Customer keys for every buyer of the file, resolved chunk by chunk."""
    count, chunks = _people(staged)
    return identities.resolve_chunks(
        platform, chunks, expected=count, fill_blanks=fill_blanks, checkpoint=_fault
    )


def check_platform(platform: str) -> None:
    if platform not in PLATFORMS:
        raise MessageError(
            gettext_noop("不认识的平台 %(platform)s；可选：%(platforms)s"),
            platform=platform,
            platforms=list(PLATFORMS),
        )


def import_file(
    request: ImportRequest, progress: Callable[[float], None] | None = None
) -> ImportRun:
    """Import one file; the returned run says what happened (never raises for bad input)."""
    check_platform(request.platform)
    user = request.user if request.user is not None and request.user.is_authenticated else None
    run = ImportRun.objects.create(
        kind=request.kind,
        platform=request.platform,
        file_name=request.display_name or request.path.name,
        status=RunStatus.QUEUED,  # running once execute() holds the run's lock
        skip_bad=request.skip_bad,
        user=user,
        username=user.get_username() if user is not None else "",
    )
    return execute(run, request.path, request.mapping, progress)


def execute(
    run: ImportRun,
    path: Path,
    mapping: Mapping | None = None,
    progress: Callable[[float], None] | None = None,
) -> ImportRun:
    """Stage and (unless rejected) commit ``path`` for ``run``; updates the run as it goes."""
    with _alive(run):
        try:
            return _execute(run, path, mapping, progress)
        finally:
            if run.status not in ACTIVE:
                seal(run)


def _execute(
    run: ImportRun,
    path: Path,
    mapping: Mapping | None,
    progress: Callable[[float], None] | None,
) -> ImportRun:
    folder = workdir(run)
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])

    def report(share: float) -> None:
        # Reading is ~80 % of the work; the commit moves the bar to 100 %.
        ImportRun.objects.filter(pk=run.pk).update(progress=round(share * 0.8, 3))
        if progress is not None:
            progress(share)

    try:
        staged = stage(
            path,
            kind_name=run.kind,
            platform=run.platform,
            time_zone=settings.TIME_ZONE,
            workdir=folder,
            display_name=run.file_name,
            mapping=mapping,
            progress=report,
            agent_names=set(agent_nicknames()),
        )
    except UserInputError as exc:
        return _finish(run, RunStatus.REJECTED, error=error_message(exc))
    _fault("after-staging")
    run.mapping_name = staged.resolved.mapping.name
    run.encoding = staged.encoding or "xlsx"
    run.rows_read = staged.rows_read
    run.rejected = staged.rows_bad
    run.dropped_columns = ", ".join(staged.resolved.dropped)
    if staged.rows_bad and not run.skip_bad:
        return _finish(
            run,
            RunStatus.REJECTED,
            error=message(
                gettext_noop(
                    "%(bad)s 行有问题（共 %(rows)s 行，%(problems)s 处问题），什么都没有写入。"
                    "请改正后重新导入，或只导入正确的行（错误的行另存下来）。"
                ),
                bad=staged.rows_bad,
                rows=staged.rows_read,
                problems=staged.problem_count,
            ),
        )
    try:
        return _commit(run, staged, run.platform)
    except UserInputError as exc:
        return _finish(run, RunStatus.FAILED, error=error_message(exc))


def _commit(run: ImportRun, staged: Staged, platform: str) -> ImportRun:
    table = staged.kind.table
    with write_lock():
        _recover_locked()
        if table is None:
            return _commit_customers(run, staged, platform)
        shop = lake.get()
        version = shop.version(table)
        run.table = table
        run.version_before = -1 if version is None else version
        run.status = RunStatus.WRITING
        marker = _writing_marker(run)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        run.save()  # committed: recover() finds the run if the process dies from here on
        with transaction.atomic():
            resolution = _resolve(platform, staged)
            rows = facts.build(
                staged.kind.name,
                table,
                staged.staged_path,
                resolution.keys,
                platform,
                settings.TIME_ZONE,
                agents=agent_nicknames(),
                # Free text is masked against what the master knows of each row's customer.
                known=known_values(resolution.keys.column("customer_key").to_pylist())
                if staged.kind.name in facts.FREE_TEXT
                else None,
            )
            _fault("before-lake-commit")
            result = shop.write_stream(table, rows)
            _fault("after-lake-commit")
            run.added, run.updated, run.unchanged = result.added, result.updated, result.unchanged
            run.customers_created = resolution.created
            run.version_after = result.version
            run.progress = 1.0
            _finish(run, RunStatus.WRITTEN)
        marker.unlink(missing_ok=True)  # only once the journal says written
        return run


def _commit_customers(run: ImportRun, staged: Staged, platform: str) -> ImportRun:
    with transaction.atomic():
        resolution = _resolve(platform, staged, fill_blanks=True)
        run.customers_created = run.added = resolution.created
        run.updated = resolution.filled
        run.unchanged = resolution.matched - resolution.filled
        run.progress = 1.0
        _finish(run, RunStatus.WRITTEN)
    # Filled-in phones and emails can reveal that two records are one person: merge them
    # (certain duplicates only; each merge is recorded and can be undone).
    merges.merge_certain(by=run.username or "import")
    return run


def _finish(run: ImportRun, status: str, *, error: Message | None = None) -> ImportRun:
    run.status = status
    run.error = error.encode() if error is not None else ""
    run.finished_at = timezone.now()
    run.save()
    return run


class RollbackError(MessageError):
    pass


def _rollback_refusal(run: ImportRun, current: int | None) -> RollbackError | None:
    """Why ``run`` cannot be undone now (``current``: its table's lake version), or None.

    Only the latest run of a table can be undone: restoring under later imports would
    silently undo them too."""
    if run.status != RunStatus.WRITTEN or not run.table:
        return RollbackError(
            gettext_noop("导入 #%(id)s 没有向数据湖写入任何内容，无需撤销"), id=run.pk
        )
    if run.version_after is None:
        return RollbackError(
            gettext_noop("导入 #%(id)s 没有改变数据湖中的任何内容，无需撤销"), id=run.pk
        )
    days = settings.GUANXI_IMPORT_RETENTION_DAYS
    if run.finished_at is not None and run.finished_at < timezone.now() - dt.timedelta(days=days):
        return RollbackError(
            gettext_noop(
                "导入 #%(id)s 已超过 %(days)s 天的撤销期（GUANXI_IMPORT_RETENTION_DAYS），"
                "数据湖中它之前的版本已清理，不能再撤销"
            ),
            id=run.pk,
            days=days,
        )
    later = ImportRun.objects.filter(
        table=run.table, status=RunStatus.WRITTEN, pk__gt=run.pk
    ).order_by("pk")
    if later.exists():
        return RollbackError(
            gettext_noop(
                "导入 #%(id)s 不能单独撤销：之后的导入（%(later)s）改动了同一张表 %(table)s；"
                "请从最新的开始，先撤销它们"
            ),
            id=run.pk,
            later=[f"#{r.pk}" for r in later],
            table=run.table,
        )
    undone_since = ImportRun.objects.filter(
        table=run.table,
        status=RunStatus.ROLLED_BACK,
        version_before=run.version_after,
        version_restored=current,
    ).exists()  # later runs undone, newest first, brought the table back to this run
    if current != run.version_after and not undone_since:
        return RollbackError(
            gettext_noop(
                "导入 #%(id)s 不能撤销：之后表 %(table)s 又有改动（客户合并或其他写入），"
                "撤销它会连这些改动一起撤掉"
            ),
            id=run.pk,
            table=run.table,
        )
    return None


def undoable(runs: list[ImportRun]) -> set[int]:
    """The ids among ``runs`` that ``rollback`` would undo now (the pages offer undo only
    for these)."""
    shop = lake.get()
    versions: dict[str, int | None] = {}
    allowed = set()
    for run in runs:
        if run.status != RunStatus.WRITTEN or not run.table or run.version_after is None:
            continue
        if run.table not in versions:
            versions[run.table] = shop.version(run.table)
        if _rollback_refusal(run, versions[run.table]) is None:
            allowed.add(run.pk)
    return allowed


def rollback(run: ImportRun) -> ImportRun:
    """Restore the run's table to its version before the run; ``RollbackError`` says why
    not when that would undo more than this run."""
    with write_lock():
        run.refresh_from_db()
        current = lake.get().version(run.table) if run.table else None
        refusal = _rollback_refusal(run, current)
        if refusal is not None:
            raise refusal
        _restore(run.table, run.version_before)
        run.version_restored = lake.get().version(run.table)
        run.status = RunStatus.ROLLED_BACK
        run.finished_at = timezone.now()
        run.save()
    derived.request_refresh()  # the derived tables follow the undone table, in the background
    return run


def discard_upload(run: ImportRun) -> None:
    shutil.rmtree(workdir(run), ignore_errors=True)


def problems(run: ImportRun, limit: int = 50) -> list[dict[str, object]]:
    """The first problems found in the run's file, reasons in the active language."""
    folder = workdir(run)
    if not has_file(folder, PROBLEMS_FILE):
        return []
    rows = open_parquet(folder, PROBLEMS_FILE).read().slice(0, limit).to_pylist()
    return [{**row, "reason": reason_text(row["reason"])} for row in rows]
