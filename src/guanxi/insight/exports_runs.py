"""The run history as CSV and XLSX (safe cells: text never becomes a formula)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from guanxi.insight import presenters
from guanxi.insight.models import ModelRun, RunKind
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import Column, Sheet, workbook


def _headers() -> list[str]:
    return [
        _("编号"), _("模型"), _("状态"), _("在用"), _("进度"), _("创建时间"), _("结束时间"),
        _("参数"), _("输入版本"), _("指标"), _("说明"),
    ]  # fmt: skip


def _row(run: ModelRun) -> list[Any]:
    return [
        run.pk,
        str(RunKind(run.kind).label),
        presenters.state_text(run),
        _("是") if run.serving else "",
        run.progress / 100,
        run.created_at.replace(tzinfo=None) if run.created_at else None,
        run.finished_at.replace(tzinfo=None) if run.finished_at else None,
        json.dumps(run.params, ensure_ascii=False),
        json.dumps(run.input_versions, ensure_ascii=False),
        json.dumps(run.metrics, ensure_ascii=False)[:30000],  # Excel's cell limit is 32,767
        presenters.message(run),
    ]


def as_csv(runs: Sequence[ModelRun]) -> str:
    rows = [_row(r) for r in runs]
    for row in rows:
        row[4] = f"{row[4]:.0%}"
    return csv_text([_headers(), *rows])


def as_xlsx(runs: Sequence[ModelRun]) -> bytes:
    kinds = ["count", "text", "text", "text", "percent", "text", "text", "text", "text", "text"]
    kinds.append("text")
    columns = [Column(h, k, 16) for h, k in zip(_headers(), kinds, strict=True)]
    rows = []
    for run in runs:
        row = _row(run)
        row[5] = row[5].strftime("%Y-%m-%d %H:%M") if row[5] else ""
        row[6] = row[6].strftime("%Y-%m-%d %H:%M") if row[6] else ""
        rows.append(row)
    return workbook([Sheet(_("模型运行"), _("模型运行记录"), columns, rows)])
