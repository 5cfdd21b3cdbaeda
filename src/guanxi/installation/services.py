"""Backing up an installation into one sealed file, and restoring it onto an empty home.

A backup holds the app database (every table, vendor-neutral, personal fields still in
their ``g1:`` ciphertext), the fact lake (each Delta table's log up to the version of the
snapshot and its data files, so undoing imports still works after a restore), the key
files and the installation's settings. It is consistent while the server runs: under the
import write lock (no import commits meanwhile) it opens a read snapshot of the database
and notes each lake table's version, then lets imports go on while it copies that moment.
A restore migrates the empty database to the backup's migrations, loads every row with its
id in one transaction, puts the lake and the keys in place, then migrates to this version.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import importlib.metadata
import io
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from deltalake import DeltaTable
from django.apps import apps as global_apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.functions import Cast
from django.utils.duration import duration_iso_string

from guanxi import lake
from guanxi.core import crypto
from guanxi.core.audit import audit_record
from guanxi.core.config import read_or_create_secret
from guanxi.core.errors import UserInputError
from guanxi.core.fields import EncryptedTextField
from guanxi.core.models import AuditAction
from guanxi.imports import derived
from guanxi.imports import services as import_services
from guanxi.installation.sealing import SealedReader, SealedWriter, SealError, Secret

MANIFEST = "manifest.json"
# Logins are not carried over: a restored installation starts with everyone signed out.
SKIPPED_TABLES = frozenset({"django_session"})
# Tables that `migrate` fills by itself; an empty home may have them, the backup's replace them.
# Tables `migrate` fills (Django's, and the data migrations' defaults: the knowledge base's
# starter entries and synonyms, the SLA targets and service hours): a backup's rows replace
# them, and they do not make a home "not empty".
PREFILLED_TABLES = frozenset(
    {
        "django_content_type",
        "auth_permission",
        "auth_group",
        "auth_group_permissions",
        "knowledge_entry",
        "knowledge_synonym",
        "servicedesk_slatarget",
        "servicedesk_slasettings",
    }
)
_LOG_FILE = re.compile(r"^(\d{20})\.(json|checkpoint(\.\d+\.\d+)?\.parquet)$")
BATCH = 2000


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]  # database table -> rows
    lake_versions: dict[str, int]  # lake table folder -> Delta version in the backup
    size: int
    seconds: float


@dataclass(frozen=True)
class RestoreSummary:
    rows: dict[str, int]
    lake_versions: dict[str, int]
    created_at: str
    settings_differ: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # backup, here
    seconds: float = 0.0


def installation_settings() -> dict[str, Any]:
    """The settings a restore should reproduce (never a password or a key)."""
    return {
        "GUANXI_TIME_ZONE": settings.TIME_ZONE,
        "GUANXI_ENGINE": settings.GUANXI_ENGINE,
        "GUANXI_QUERY_MEMORY": settings.GUANXI_QUERY_MEMORY,
        "GUANXI_MAX_UPLOAD_MB": settings.GUANXI_MAX_UPLOAD_BYTES // (1024 * 1024),
        "GUANXI_ALLOWED_HOSTS": ",".join(settings.ALLOWED_HOSTS),
    }


# -- the database, vendor-neutral --------------------------------------------------------
def _tables(apps: Any) -> list[type[models.Model]]:
    """Every table the models of ``apps`` own, once each, in a stable order."""
    seen: set[str] = set()
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped or meta.db_table in seen:
            continue
        if meta.db_table in SKIPPED_TABLES:
            continue
        seen.add(meta.db_table)
        found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _dump_table(model: type[models.Model], folder: Path) -> tuple[str, int]:
    """Write one table as gzipped JSON lines (a header, then one list per row)."""
    fields = list(model._meta.concrete_fields)
    # Personal fields leave as their ciphertext: the backup stays field-encrypted inside.
    columns: list[Any] = [
        Cast(f.attname, output_field=models.TextField())
        if isinstance(f, EncryptedTextField)
        else f.attname
        for f in fields
    ]
    name = f"database/{model._meta.db_table}.jsonl.gz"
    count = 0
    with gzip.open(folder / name, "wt", encoding="utf-8", compresslevel=6) as out:
        header = {"model": model._meta.label, "columns": [f.attname for f in fields]}
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        rows = model._base_manager.order_by("pk").values_list(*columns)
        for row in rows.iterator(chunk_size=BATCH):
            out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
            count += 1
    return name, count


@contextmanager
def _database_snapshot() -> Iterator[None]:
    """One consistent read of every table while the server keeps writing."""
    if connection.in_atomic_block:  # already inside a transaction: its view is the snapshot
        yield
        return
    if connection.vendor == "sqlite":
        # A deferred transaction reads one WAL snapshot and lets writers go on; Django's
        # atomic() would BEGIN IMMEDIATE and hold the write lock for the whole dump.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            cursor.execute("SELECT count(*) FROM sqlite_master")  # the snapshot starts here
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")  # the snapshot starts here
        yield


# -- the lake ----------------------------------------------------------------------------
def _lake_root() -> Path:
    root = lake.get().root
    if "://" in root:
        raise UserInputError(
            f"GUANXI_LAKE={root}: backups copy a lake on local disk; back up this object "
            "store with its own tools (versioned bucket), or use a local folder"
        )
    return Path(root)


def _delta_tables(root: Path) -> list[Path]:
    """The raw tables of the lake at ``root``, and the reviews' stored sentiment
    (``_satisfaction/``: the model's reading the bad-review alerts were raised from, kept as
    it was rather than re-scored by whatever model the restored home has). The derived tables
    (``_derived/``) are left out: they are rebuilt from the raw ones after a restore."""
    if not root.is_dir():
        return []
    return sorted(
        log.parent
        for log in root.rglob("_delta_log")
        if log.is_dir() and "_derived" not in log.relative_to(root).parts
    )


def _lake_files(table: Path, version: int) -> Iterator[Path]:
    """The files that make up ``table`` up to ``version``: data files (earlier versions'
    too, for undo) and the log entries no later than ``version``."""
    for path in sorted(table.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(table)
        if relative.parts[0] != "_delta_log":
            yield path
            continue
        if len(relative.parts) != 2:
            continue
        match = _LOG_FILE.match(relative.parts[1])
        if match and int(match.group(1)) <= version:
            yield path
        elif relative.parts[1] == "_last_checkpoint":
            checkpoint = json.loads(path.read_text(encoding="utf-8"))
            if int(checkpoint.get("version", version + 1)) <= version:
                yield path


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _key(path: Path) -> bytes:
    """A key file's contents; a field key not used yet is created now, as first use would."""
    return read_or_create_secret(path) + b"\n"


# -- backup ------------------------------------------------------------------------------
def backup_write(*, to: Path, secret: Secret, actor_name: str) -> BackupSummary:
    """Write a sealed backup of this installation to ``to`` (refuses to overwrite)."""
    started = time.monotonic()
    if to.exists():
        raise UserInputError(f"{to}: the file exists; give a new file name (or delete it first)")
    if not to.parent.is_dir():
        raise UserInputError(f"{to}: the folder {to.parent} does not exist; create it first")
    root = _lake_root()
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        fields="backup: database, lake, keys",
        subject=to.name,
        actor_name=actor_name,
    )
    var = Path(settings.GUANXI_HOME) / "var"
    var.mkdir(parents=True, exist_ok=True)
    partial = to.with_name(f".{to.name}.partial")
    with tempfile.TemporaryDirectory(prefix="backup-", dir=var) as staging_name:
        staging = Path(staging_name)
        (staging / "database").mkdir()
        with ExitStack() as snapshot:
            # The database snapshot starts and the lake versions are read while no import can
            # commit; the copying that follows lets imports go on.
            with import_services.writes_paused():
                snapshot.enter_context(_database_snapshot())
                tables = {
                    str(t.relative_to(root)): DeltaTable(str(t)).version()
                    for t in _delta_tables(root)
                }
            recorder_rows = connection.cursor()
            recorder_rows.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = [list(r) for r in recorder_rows.fetchall()]
            recorder_rows.close()
            dumped = [_dump_table(model, staging) for model in _tables(global_apps)]
        manifest = {
            "format": 1,
            "guanxi": importlib.metadata.version("guanxi"),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database_vendor": connection.vendor,
            "migrations": migrations,
            "database": [{"file": name, "rows": rows} for name, rows in dumped],
            "lake": tables,
            "settings": installation_settings(),
        }
        try:
            with partial.open("wb") as raw:
                os.chmod(partial, 0o600)
                sealed = SealedWriter(raw, secret)
                with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                    _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
                    for name, _rows in dumped:
                        tar.add(staging / name, arcname=name)
                    _add_bytes(tar, "keys/field.key", _key(Path(settings.GUANXI_KEY_FILE)))
                    secret_file = Path(settings.GUANXI.secret_key_file)
                    _add_bytes(tar, "keys/secret.key", _key(secret_file))
                    for table, version in tables.items():
                        for path in _lake_files(root / table, version):
                            tar.add(path, arcname=f"lake/{path.relative_to(root)}")
                sealed.close()
                raw.flush()
                os.fsync(raw.fileno())
            partial.rename(to)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(
        path=to,
        rows={name.split("/")[1].removesuffix(".jsonl.gz"): rows for name, rows in dumped},
        lake_versions=tables,
        size=to.stat().st_size,
        seconds=time.monotonic() - started,
    )


# -- restore -----------------------------------------------------------------------------
def _extract(source: Path, secret: Secret, staging: Path) -> dict[str, Any]:
    try:
        with source.open("rb") as raw:
            reader = SealedReader(raw, secret)
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                tar.extractall(staging, filter="data")
    except SealError as exc:
        raise UserInputError(f"{source}: {exc}") from None
    except tarfile.TarError as exc:
        raise UserInputError(f"{source}: not a complete Guanxi backup ({exc})") from None
    try:
        manifest: dict[str, Any] = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserInputError(f"{source}: the backup has no {MANIFEST}") from None
    if manifest.get("format") != 1:
        raise UserInputError(f"{source}: backup format {manifest.get('format')} is unknown")
    return manifest


def _rows_present(apps: Any) -> list[str]:
    """The tables of this database that hold rows (beyond what `migrate` puts there)."""
    existing = set(connection.introspection.table_names())
    busy = []
    with connection.cursor() as cursor:
        for model in _tables(apps):
            table = model._meta.db_table
            if table not in existing or table in PREFILLED_TABLES:
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                busy.append(table)
    return busy


def _check_empty_home(source: Path, manifest: dict[str, Any], staging: Path) -> None:
    root = _lake_root()
    here = _delta_tables(root)
    if here:
        raise UserInputError(
            f"{source}: the lake {root} already has tables "
            f"({', '.join(str(t.relative_to(root)) for t in here)}); restore onto an empty "
            "home (a new GUANXI_HOME, or move var/lake away first)"
        )
    busy = _rows_present(global_apps)
    if busy:
        raise UserInputError(
            f"{source}: the database {settings.DATABASES['default']['NAME']} is not empty "
            f"({', '.join(busy[:5])} hold rows); restore into a new, empty database "
            "(GUANXI_DATABASE_URL) so that nothing is overwritten"
        )
    key_file = Path(settings.GUANXI_KEY_FILE)
    wanted = (staging / "keys" / "field.key").read_bytes()
    if key_file.exists() and key_file.read_bytes().strip() != wanted.strip():
        raise UserInputError(
            f"{source}: the key file {key_file} exists and is not the backup's key; an "
            "empty home has none — move it away (it encrypts nothing there) and run again"
        )


def _migration_targets(
    executor: MigrationExecutor, source: Path, applied: list[list[str]]
) -> list[tuple[str, str | None]]:
    """The migration state the backup's rows were written in, per app of this code."""
    graph = executor.loader.graph
    unknown = [f"{app}.{name}" for app, name in applied if (app, name) not in graph.nodes]
    if unknown:
        raise UserInputError(
            f"{source}: the backup comes from a newer Guanxi (migrations "
            f"{', '.join(unknown[:3])} are unknown here); install that version, then restore"
        )
    done = {(app, name) for app, name in applied}
    if done == set(graph.nodes):  # the usual case: a backup of this very version
        return list(graph.leaf_nodes())
    targets: list[tuple[str, str | None]] = []
    for app in sorted({key[0] for key in graph.nodes}):
        in_app = [key for key in done if key[0] == app]
        latest = [
            key
            for key in in_app
            if not any(c in done and c[0] == app for c in graph.node_map[key].children)
        ]
        if not latest:
            targets.append((app, None))
        else:
            targets.extend(latest)
    return targets


def _decode(field_: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field_, EncryptedTextField):
        return value  # the ciphertext, as it was stored
    return field_.get_db_prep_save(field_.to_python(value), connection)


def _load_table(apps: Any, path: Path) -> int:
    quote = connection.ops.quote_name
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
        app_label, model_name = header["model"].split(".")
        model = apps.get_model(app_label, model_name)
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        fields = [by_name[name] for name in header["columns"]]
        table = model._meta.db_table
        sql = (
            f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        count = 0
        with connection.cursor() as cursor:
            if table in PREFILLED_TABLES:  # what `migrate` put there; the backup's replace it
                cursor.execute(f"DELETE FROM {quote(table)}")
            batch: list[list[Any]] = []
            for line in lines:
                row = json.loads(line)
                batch.append([_decode(f, v) for f, v in zip(fields, row, strict=True)])
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        sequences = connection.ops.sequence_reset_sql(no_style(), [model])
        if sequences:
            with connection.cursor() as cursor:
                for statement in sequences:
                    cursor.execute(statement)
    return count


def _write_key(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def backup_restore(*, source: Path, secret: Secret) -> RestoreSummary:
    """Restore the backup ``source`` onto this empty home (database, lake, keys)."""
    started = time.monotonic()
    if not source.is_file():
        raise UserInputError(f"{source}: no such backup file")
    root = _lake_root()
    var = Path(settings.GUANXI_HOME) / "var"
    var.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="restore-", dir=var) as staging_name:
        staging = Path(staging_name)
        manifest = _extract(source, secret, staging)
        _check_empty_home(source, manifest, staging)
        executor = MigrationExecutor(connection)
        targets = _migration_targets(executor, source, manifest["migrations"])
        executor.migrate(targets)
        executor.loader.build_graph()
        reached = [(app, name) for app, name in targets if name is not None]
        state_apps = executor.loader.project_state(reached).apps
        rows: dict[str, int] = {}
        with transaction.atomic():
            for entry in manifest["database"]:
                table = entry["file"].split("/")[1].removesuffix(".jsonl.gz")
                rows[table] = _load_table(state_apps, staging / entry["file"])
                if rows[table] != entry["rows"]:
                    raise UserInputError(
                        f"{source}: {table} holds {rows[table]} rows, the backup says "
                        f"{entry['rows']}; the backup is incomplete"
                    )
        root.mkdir(parents=True, exist_ok=True)
        for table in manifest["lake"]:
            target = root / table
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staging / "lake" / table), str(target))
        _write_key(Path(settings.GUANXI_KEY_FILE), (staging / "keys" / "field.key").read_bytes())
        _write_key(
            Path(settings.GUANXI.secret_key_file), (staging / "keys" / "secret.key").read_bytes()
        )
    crypto.configure(Path(settings.GUANXI_KEY_FILE))
    call_command("migrate", verbosity=0, interactive=False)
    import_services.recover()  # an import the backup caught half-written is undone
    derived.rebuild()  # the sessions, rounds and attribution of the restored raw tables
    here = installation_settings()
    differ = {
        name: (value, here.get(name))
        for name, value in manifest["settings"].items()
        if here.get(name) != value
    }
    return RestoreSummary(
        rows=rows,
        lake_versions={t: DeltaTable(str(root / t)).version() for t in manifest["lake"]},
        created_at=manifest["created_at"],
        settings_differ=differ,
        seconds=time.monotonic() - started,
    )
