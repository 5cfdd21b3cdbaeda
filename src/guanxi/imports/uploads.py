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

from guanxi.accounts.selectors import agent_nicknames
from guanxi.core import pii
from guanxi.core.errors import UserInputError
from guanxi.imports.models import ImportRun, RunStatus, SavedMapping
from guanxi.imports.services import check_platform
from guanxi.ingest import mapping as mappings
from guanxi.ingest.kinds import KINDS
from guanxi.ingest.readers import ROW, open_source


class UploadTooLargeError(UserInputError):
    pass


def limit_bytes() -> int:
    return int(settings.GUANXI_MAX_UPLOAD_BYTES)


def too_large_message(size: int) -> str:
    return (
        f"the file is {size / 1048576:.0f} MB; the limit is {limit_bytes() // 1048576} MB "
        "(GUANXI_MAX_UPLOAD_MB). Split the export by date range, or import it with the "
        "guanxi import command on the server"
    )


def stored_path(run: ImportRun) -> Path:
    if not run.stored_name:
        raise UserInputError(f"import #{run.pk} has no uploaded file")
    return Path(settings.GUANXI_IMPORT_DIR) / "uploads" / run.stored_name


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
        raise UserInputError(f"unknown import kind {kind!r}")
    check_platform(platform)
    size = upload.size or 0
    if size > limit_bytes():
        raise UploadTooLargeError(too_large_message(size))
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
    file_error: str = ""
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
    try:
        source, batches = open_source(
            stored_path(run), run.file_name, agent_names=set(agent_nicknames())
        )
        first = next(batches)
    except (UserInputError, StopIteration) as exc:
        message = str(exc) or f"{run.file_name}: the file has a header but no rows"
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
        error = str(exc)
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
    path = Path(settings.GUANXI_IMPORT_DIR) / "uploads" / run.stored_name
    if run.stored_name and path.exists():
        path.unlink()
    shutil.rmtree(Path(settings.GUANXI_IMPORT_DIR) / f"run-{run.pk}", ignore_errors=True)
