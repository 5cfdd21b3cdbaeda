"""Uploads from the import page: stored outside the web root, previewed, then run.

The file a browser sends is spooled to a temporary file by Django (never wholly in memory),
refused early when its declared size exceeds GUANXI_MAX_UPLOAD_MB, and moved under a
generated name into GUANXI_IMPORT_DIR/uploads — a web user never names a server path.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from guanxi.accounts.selectors import agent_nicknames
from guanxi.core import pii
from guanxi.core.errors import UserInputError
from guanxi.imports import retention, services, tasks
from guanxi.imports.models import ImportRun, RunStatus, SavedMapping
from guanxi.imports.services import check_platform
from guanxi.ingest import mapping as mappings
from guanxi.ingest.kinds import KINDS
from guanxi.ingest.messages import Message, MessageError, error_message, gettext_noop
from guanxi.ingest.readers import ROW, open_source


class UploadTooLargeError(MessageError):
    pass


def limit_bytes() -> int:
    return int(settings.GUANXI_MAX_UPLOAD_BYTES)


def too_large_error(size: int) -> UploadTooLargeError:
    return UploadTooLargeError(
        gettext_noop(
            "文件有 %(size)s MB，上限为 %(limit)s MB（GUANXI_MAX_UPLOAD_MB）。"
            "请按日期分段导出，或在服务器上用 guanxi import 命令导入"
        ),
        size=round(size / 1048576),
        limit=limit_bytes() // 1048576,
    )


def stored_path(run: ImportRun) -> Path:
    if not run.stored_name:
        raise MessageError(gettext_noop("导入 #%(id)s 没有上传的文件"), id=run.pk)
    return services.upload_path(run.stored_name)


def receive(
    upload: UploadedFile,
    *,
    kind: str,
    platform: str,
    skip_bad: bool,
    user: User | AnonymousUser,
) -> ImportRun:
    """Keep ``upload`` under a generated name and open an import run awaiting its preview."""
    if kind not in KINDS:
        raise MessageError(gettext_noop("不认识的数据类型 %(kind)s"), kind=kind)
    check_platform(platform)
    size = upload.size or 0
    if size > limit_bytes():
        raise too_large_error(size)
    folder = Path(settings.GUANXI_IMPORT_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    target = folder / token
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    # Only the base name is kept, for display and for telling .xlsx/.txt/.jsonl apart.
    display = Path(upload.name or "upload.csv").name[:200] or "upload.csv"
    return ImportRun.objects.create(
        kind=kind,
        platform=platform,
        file_name=display,
        stored_name=token,
        skip_bad=skip_bad,
        status=RunStatus.UPLOADED,
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
    )


@dataclass
class Preview:
    run: ImportRun
    encoding: str
    headers: list[str]
    rows: list[list[str | None]]
    mapping: mappings.Mapping
    header_of: dict[str, str]  # field → header, as the mapping resolves against this file
    mapping_error: str = ""
    file_error: str = ""  # the file cannot be imported at all: the upload is refused
    dropped: tuple[str, ...] = ()
    choices: list[mappings.Mapping] = field(default_factory=list)


def candidates(kind: str, platform: str) -> list[mappings.Mapping]:
    """Presets for the kind and platform, then the shop's saved mappings of that kind."""
    saved = [mappings.loads(m.toml, m.name) for m in SavedMapping.objects.filter(kind=kind)]
    return mappings.preset_for(kind, platform) + saved


def preview(run: ImportRun, chosen: str = "", limit: int = 20) -> Preview:
    """The first rows of the upload and how a mapping (``chosen`` by name, else the best
    preset) reads them."""
    options = candidates(run.kind, run.platform)
    base = next((m for m in options if m.name == chosen), None)
    problem: Message | None = None
    try:
        source, batches = open_source(
            stored_path(run), run.file_name, agent_names=set(agent_nicknames())
        )
        first = next(batches)
    except UserInputError as exc:
        problem = error_message(exc)
    except StopIteration:
        problem = Message(gettext_noop("%(file)s：只有列名，没有数据行"), {"file": run.file_name})
    if problem is not None:
        retention.refuse_upload(run, problem)
        message = problem.render(gettext)
        return Preview(run, "", [], [], base or mappings.blank(run.kind), {}, file_error=message)
    headers = [h for h in first.schema.names if h != ROW]
    rows = [[r.get(h) for h in headers] for r in first.slice(0, limit).to_pylist()]
    encoding = source.encoding or "xlsx"
    error = ""
    resolved = None
    try:
        if base is not None:
            resolved = mappings.resolve(base, headers, run.file_name)
        else:
            resolved = mappings.best_preset(run.kind, run.platform, headers, run.file_name)
    except mappings.MappingError as exc:
        error = exc.render(gettext)
    if resolved is not None:
        rows = _masked(rows, headers, resolved.header_of, resolved.dropped)
        return Preview(
            run,
            encoding,
            headers,
            rows,
            resolved.mapping,
            resolved.header_of,
            dropped=resolved.dropped,
            choices=options,
        )
    fallback = base or (options[0] if options else mappings.blank(run.kind))
    partial = {
        f: next((h for h in alts if h in headers), "") for f, alts in fallback.columns.items()
    }
    return Preview(
        run,
        encoding,
        headers,
        rows,
        fallback,
        {f: h for f, h in partial.items() if h},
        mapping_error=error,
        choices=options,
    )


_MASKS = {
    "name": pii.mask_name,
    "mobile": pii.mask_mobile,
    "address": pii.mask_address,
    "email": pii.mask_email,
}


def _masked(
    rows: list[list[str | None]],
    headers: list[str],
    header_of: dict[str, str],
    dropped: tuple[str, ...],
) -> list[list[str | None]]:
    """The preview shows personal columns masked and dropped columns not at all."""
    mask_of: dict[int, Callable[[str], str]] = {}
    for field_name, header in header_of.items():
        if field_name in _MASKS:
            mask_of[headers.index(header)] = _MASKS[field_name]
    for header in dropped:
        mask_of[headers.index(header)] = lambda _value: "（丢弃）"
    return [[mask_of[i](v) if v and i in mask_of else v for i, v in enumerate(row)] for row in rows]


def discard(run: ImportRun) -> None:
    if run.stored_name:
        services.upload_path(run.stored_name).unlink(missing_ok=True)
    shutil.rmtree(services.workdir(run), ignore_errors=True)


MAPPING_FILE = "mapping.toml"  # the mapping a run was started with, for a re-run


def start(run: ImportRun, mapping_toml: str) -> None:
    """Queue the uploaded file of ``run`` for import with the mapping the user confirmed."""
    folder = services.workdir(run)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MAPPING_FILE).write_text(mapping_toml, encoding="utf-8")
    run.status = RunStatus.QUEUED
    run.save(update_fields=["status"])
    tasks.run_upload.enqueue(run.pk, mapping_toml)


def can_rerun_skipping_bad(run: ImportRun) -> bool:
    """A rejected upload with good rows among its bad ones can be imported again, writing the
    good rows only; the uploaded file is still there."""
    return (
        run.status == RunStatus.REJECTED
        and not run.skip_bad
        and 0 < run.rejected < run.rows_read
        and bool(run.stored_name)
        and stored_path(run).exists()
    )


def rerun_skipping_bad(run: ImportRun, user: User | AnonymousUser) -> ImportRun:
    """A new run of ``run``'s uploaded file with the same mapping that writes the good rows
    and keeps the bad ones aside (the CLI's --skip-bad)."""
    if not can_rerun_skipping_bad(run):
        raise MessageError(
            gettext_noop("导入 #%(id)s 不能再只导入正确的行：它不是因错误行被拒绝的上传"),
            id=run.pk,
        )
    mapping_file = services.workdir(run) / MAPPING_FILE
    mapping_toml = mapping_file.read_text(encoding="utf-8") if mapping_file.exists() else ""
    again = ImportRun.objects.create(
        kind=run.kind,
        platform=run.platform,
        file_name=run.file_name,
        stored_name=run.stored_name,
        mapping_name=run.mapping_name,
        skip_bad=True,
        status=RunStatus.UPLOADED,
        user=user if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
    )
    start(again, mapping_toml)
    again.refresh_from_db()
    return again
