"""Keeping import files only as long as they are needed (GUANXI_IMPORT_RETENTION_DAYS).

An ended run keeps its error report and rejected rows (encrypted) and, when it was rejected,
its upload (for "import only the good rows") for the retention period; an upload nobody
confirmed is refused after it. Lake versions older than the period are vacuumed, which ends
the undo window. ``purge_expired`` runs daily as a background task (``tasks.purge_daily``)
and on demand (``guanxi purge``).
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from guanxi import lake
from guanxi.imports import services
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.ingest.messages import Message, gettext_noop
from guanxi.lake.schema import TABLES


@dataclass(frozen=True)
class Purged:
    run_folders: int
    uploads: int
    refused_uploads: int
    lake_files: int


def cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.GUANXI_IMPORT_RETENTION_DAYS)


def refuse_upload(run: ImportRun, error: Message) -> None:
    """An upload that will not be imported: record why and delete the file at once."""
    run.status = RunStatus.REJECTED
    run.error = error.encode()
    run.finished_at = timezone.now()
    run.save()
    if (
        run.stored_name
        and not ImportRun.objects.filter(stored_name=run.stored_name)
        .exclude(pk=run.pk)
        .filter(status__in=(RunStatus.QUEUED, *services.ACTIVE))
        .exists()
    ):
        services.upload_path(run.stored_name).unlink(missing_ok=True)
    shutil.rmtree(services.workdir(run), ignore_errors=True)


def purge_expired(*, now: dt.datetime | None = None) -> Purged:
    """Delete what ended runs left for longer than the retention period; vacuum the lake."""
    services.recover()
    limit = cutoff(now)
    refused = 0
    abandoned = Message(
        gettext_noop("上传后 %(days)s 天内没有确认导入；上传的文件已删除"),
        {"days": settings.GUANXI_IMPORT_RETENTION_DAYS},
    )
    for run in ImportRun.objects.filter(status=RunStatus.UPLOADED, started_at__lt=limit):
        refuse_upload(run, abandoned)
        refused += 1
    folders = uploads = 0
    ended = ImportRun.objects.filter(finished_at__lt=limit).exclude(
        status__in=(RunStatus.QUEUED, *services.ACTIVE)
    )
    for run in ended.iterator():
        folder = services.workdir(run)
        if folder.exists():
            shutil.rmtree(folder)
            folders += 1
        if run.stored_name:
            path = services.upload_path(run.stored_name)
            recent = (
                ImportRun.objects.filter(stored_name=run.stored_name)
                .filter(Q(finished_at__gte=limit) | Q(finished_at__isnull=True))
                .exists()
            )
            if path.exists() and not recent:
                path.unlink()
                uploads += 1
    keep_hours = settings.GUANXI_IMPORT_RETENTION_DAYS * 24
    shop = lake.get()
    with services.write_lock():
        deleted = sum(len(shop.vacuum(name, keep_hours=keep_hours)) for name in TABLES)
        deleted += shop.derived.vacuum(keep_hours)
    return Purged(folders, uploads, refused, deleted)
