# ruff: noqa: N999 — the command is called "import", as users type it.
"""``guanxi import KIND FILE... [--platform P] [--mapping F.toml] [--skip-bad] [--format F]``.

Exit codes: 0 every file written, 1 a file was rejected (nothing of it written), 2 usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from guanxi.imports import services
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.ingest import mapping as mappings
from guanxi.ingest.kinds import KINDS

MAX_ERRORS = 1000  # in the JSON summary; the report file has them all


class Command(BaseCommand):
    help = "Import platform export files (CSV in UTF-8/GBK, XLSX, JSON Lines) into Guanxi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--platform", choices=services.PLATFORMS, default="taobao")
        parser.add_argument("--mapping", type=Path, help="a mapping TOML file (see docs)")
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="write the good rows and a rejects file instead of rejecting the file",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        custom = None
        if options["mapping"] is not None:
            try:
                custom = mappings.load(options["mapping"])
            except mappings.MappingError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            if custom.kind.name != options["kind"]:
                raise CommandError(
                    f"{options['mapping']}: a mapping for {custom.kind.name}, "
                    f"not {options['kind']}",
                    returncode=2,
                )
        missing = [str(f) for f in options["files"] if not f.is_file()]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}", returncode=2)
        runs = []
        quiet = options["format"] == "json"
        with Progress(console=Console(stderr=True), disable=quiet, transient=True) as bar:
            for path in options["files"]:
                task = bar.add_task(path.name, total=1.0)

                def advance(share: float, task: TaskID = task) -> None:
                    bar.update(task, completed=share)

                request = services.ImportRequest(
                    path=path,
                    kind=options["kind"],
                    platform=options["platform"],
                    mapping=custom,
                    skip_bad=options["skip_bad"],
                )
                runs.append(services.import_file(request, progress=advance))
        summary = _summary(runs)
        if quiet:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            self._print(runs, summary)
        if any(r.status != RunStatus.WRITTEN for r in runs):
            raise SystemExit(1)

    def _print(self, runs: list[ImportRun], summary: dict[str, Any]) -> None:
        console = Console(file=self.stdout, width=120)  # type: ignore[arg-type]
        table = Table(
            "文件 file",
            "状态 status",
            "新增 added",
            "更新 updated",
            "未变 unchanged",
            "拒绝 rejected",
            "新客户 customers",
        )
        for run in runs:
            counts = (run.added, run.updated, run.unchanged, run.rejected, run.customers_created)
            table.add_row(run.file_name, run.status, *map(str, counts))
        console.print(table)
        for run in runs:
            if run.dropped_columns:
                console.print(
                    f"{run.file_name}: dropped (not needed, personal): {run.dropped_columns}"
                )
            if run.error:
                console.print(f"[bold]{run.file_name}[/bold]: {run.error}")
        for error in summary["errors"][:20]:
            console.print(
                f"  {error['file']} row {error['row']}, {error['column']} = "
                f"{error['value']!r}: {error['reason']}"
            )
        if len(summary["errors"]) > 20:
            console.print(f"  … {len(summary['errors']) - 20} more in the report files above")
        for run in runs:
            folder = services.workdir(run)
            if run.rejected:
                console.print(f"report: {folder / services.REPORT}")
                if run.skip_bad:
                    console.print(f"rejected rows: {folder / services.REJECTS}")


def _summary(runs: list[ImportRun]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    for run in runs:
        path = services.workdir(run) / "problems.parquet"
        if path.exists() and len(errors) < MAX_ERRORS:
            errors.extend(pq.read_table(path).slice(0, MAX_ERRORS - len(errors)).to_pylist())
        if run.error and run.status != RunStatus.WRITTEN and not run.rejected:
            errors.append(
                {
                    "file": run.file_name,
                    "row": None,
                    "column": None,
                    "value": None,
                    "reason": run.error,
                }
            )
    return {
        "added": sum(r.added for r in runs),
        "updated": sum(r.updated for r in runs),
        "unchanged": sum(r.unchanged for r in runs),
        "rejected": sum(r.rejected for r in runs),
        "files": [
            {
                "file": r.file_name,
                "import_id": r.pk,
                "status": r.status,
                "mapping": r.mapping_name,
                "encoding": r.encoding,
                "added": r.added,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "rejected": r.rejected,
                "customers_created": r.customers_created,
                "dropped_columns": [c for c in r.dropped_columns.split(", ") if c],
                "error": r.error or None,
            }
            for r in runs
        ],
        "errors": errors,
    }
