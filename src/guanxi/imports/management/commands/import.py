# ruff: noqa: N999 — the command is called "import", as users type it.
"""``guanxi import KIND FILE... [--platform P] [--mapping F.toml] [--skip-bad] [--format F]
[--language zh-hans|en]``.

Messages, reasons and reports are in ``--language`` (default: zh-hans, the site's language).
A file with bad rows gets FILE-report.csv and FILE-rejects.csv beside it (they may hold
personal information, which Guanxi itself keeps only encrypted).
Exit codes: 0 every file written, 1 a file was rejected (nothing of it written), 2 usage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from guanxi.imports import derived, services, tasks
from guanxi.imports.models import ImportRun, RunStatus
from guanxi.ingest import mapping as mappings
from guanxi.ingest.kinds import KINDS
from guanxi.web.cli import GuanxiCommand

MAX_ERRORS = 1000  # in the JSON summary; the report file has them all


class Command(GuanxiCommand):
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
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of messages and reports (default zh-hans)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        custom = None
        if options["mapping"] is not None:
            try:
                custom = mappings.load(options["mapping"])
            except mappings.MappingError as exc:
                raise CommandError(exc.render(_), returncode=2) from exc
            if custom.kind.name != options["kind"]:
                raise CommandError(
                    _("%(mapping)s：这是 %(found)s 的映射，不是 %(kind)s 的")
                    % {
                        "mapping": options["mapping"],
                        "found": custom.kind.name,
                        "kind": options["kind"],
                    },
                    returncode=2,
                )
        missing = [str(f) for f in options["files"] if not f.is_file()]
        if missing:
            raise CommandError(
                _("文件不存在：%(files)s") % {"files": "、".join(missing)}, returncode=2
            )
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
            if any(r.status == RunStatus.WRITTEN for r in runs):
                # The reports read the derived tables: bring them up to what was imported.
                task = bar.add_task(_("刷新汇总表"), total=1.0)
                derived.refresh(lambda share: bar.update(task, completed=share))
                task = bar.add_task(_("更新客户画像与积分"), total=1.0)
                tasks.customer_upkeep()
                bar.update(task, completed=1.0)
        reports = [
            services.write_reports(run, path) if run.rejected else {}
            for run, path in zip(runs, options["files"], strict=True)
        ]
        summary = _summary(runs, reports)
        if quiet:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            self._print(runs, summary, reports)
        if any(r.status != RunStatus.WRITTEN for r in runs):
            raise SystemExit(1)

    def _print(
        self, runs: list[ImportRun], summary: dict[str, Any], reports: list[dict[str, Path]]
    ) -> None:
        console = Console(file=self.stdout, width=120)  # type: ignore[arg-type]
        table = Table(_("文件"), _("状态"), _("新增"), _("更新"), _("未变"), _("拒绝"), _("新客户"))
        for run in runs:
            counts = (run.added, run.updated, run.unchanged, run.rejected, run.customers_created)
            table.add_row(run.file_name, str(run.get_status_display()), *map(str, counts))
        console.print(table)
        for run in runs:
            if run.dropped_columns:
                console.print(
                    _("%(file)s：丢弃了不需要的个人信息列：%(columns)s")
                    % {"file": run.file_name, "columns": run.dropped_columns},
                    markup=False,
                )
            error = services.error_text(run)
            if error:
                # A file's own errors name the file; the rest are said of it here.
                shown = (
                    error
                    if run.file_name in error
                    else _("%(file)s：%(error)s") % {"file": run.file_name, "error": error}
                )
                console.print(shown, markup=False, style="bold", soft_wrap=True)
            partly_bad = 0 < run.rejected < run.rows_read
            if run.status == RunStatus.REJECTED and partly_bad and not run.skip_bad:
                console.print(_("只写入正确的行、错误的行另存：加 --skip-bad 再运行一次。"))
        row_errors = [e for e in summary["errors"] if e["row"] is not None]
        for error in row_errors[:20]:
            console.print(
                "  "
                + _("%(file)s 第 %(row)s 行，%(column)s = %(value)s：%(reason)s")
                % {**error, "value": repr(error["value"])},
                markup=False,
            )
        if len(row_errors) > 20:
            console.print(
                "  " + _("……还有 %(count)s 处，见下面的报告文件") % {"count": len(row_errors) - 20}
            )
        for written in reports:
            if services.REPORT in written:
                console.print(_("错误报告：%(path)s") % {"path": written[services.REPORT]})
            if services.REJECTS in written:
                console.print(_("被拒绝的行：%(path)s") % {"path": written[services.REJECTS]})


def _summary(runs: list[ImportRun], reports: list[dict[str, Path]]) -> dict[str, Any]:
    """What happened, in the active language; a file-level error has row null."""
    errors: list[dict[str, Any]] = []
    for run in runs:
        if len(errors) < MAX_ERRORS:
            errors.extend(services.problems(run, limit=MAX_ERRORS - len(errors)))
        if run.error and run.status != RunStatus.WRITTEN and not run.rejected:
            errors.append(
                {
                    "file": run.file_name,
                    "row": None,
                    "column": None,
                    "value": None,
                    "reason": services.error_text(run),
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
                "error": services.error_text(r) or None,
                "report": str(written[services.REPORT]) if services.REPORT in written else None,
                "rejects": str(written[services.REJECTS]) if services.REJECTS in written else None,
            }
            for r, written in zip(runs, reports, strict=True)
        ],
        "errors": errors,
    }
