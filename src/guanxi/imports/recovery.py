"""Whether a killed import may have left something to recover, answered cheaply.

Every process asks when it starts (each ``guanxi`` command, the web server, the worker) and
the web pages before they read; the answer takes one query and a folder listing, so that
``services`` — and with it Arrow, DuckDB and the lake — is imported only when the journal
says a run was cut short (``services.recover`` does the recovery).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from guanxi.imports.models import ImportRun, RunStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

ACTIVE = (RunStatus.RUNNING, RunStatus.WRITING)


def writing_dir() -> Path:
    """One empty file per run between its lake commit's start and its journal's end: a
    cheap sign (no query) that recovery may be needed."""
    return Path(settings.GUANXI_IMPORT_DIR) / "writing"


def writes_unfinished() -> bool:
    folder = writing_dir()
    return folder.is_dir() and any(folder.iterdir())


def recovery_needed() -> bool:
    """A run the journal marks running or writing, or a writing marker left behind."""
    return writes_unfinished() or ImportRun.objects.filter(status__in=ACTIVE).exists()


def recover_at_start() -> Sequence[ImportRun]:
    """``services.recover`` for a process starting (web server, worker, command) when there
    is anything to recover; nothing to do while the database has not been created yet."""
    from django.db.utils import DatabaseError

    try:
        if not recovery_needed():
            return []
        from guanxi.imports.services import recover

        return recover(wait=False)
    except DatabaseError:
        return []
