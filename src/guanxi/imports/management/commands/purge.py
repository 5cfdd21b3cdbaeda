"""``guanxi purge``: delete import files older than GUANXI_IMPORT_RETENTION_DAYS and vacuum
the lake now (the worker does it daily by itself)."""

from __future__ import annotations

from typing import Any

from guanxi.imports import retention
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Delete expired uploads and import reports; vacuum lake versions past the undo window."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = retention.purge_expired()
        self.stdout.write(
            f"Deleted {purged.run_folders} run folder(s), {purged.uploads} upload(s), "
            f"{purged.refused_uploads} unconfirmed upload(s) and {purged.lake_files} old lake "
            "file(s)."
        )
