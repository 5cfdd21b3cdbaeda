"""The knowledge base as an XLSX workbook: export, and import of the same columns
(类型/问题/答案/场景/关键词/商品), so that a shop can edit its answers in Excel and load them
back.

Import is all or nothing: every row is checked first, every error is listed with its row (as
Excel numbers it) and column, and nothing is written unless all rows are good. A row whose
类型 and 问题 match an existing entry updates it (so an exported file loads back without
duplicates); other rows are new entries. Reading uses python-calamine, as the order imports
do (formulas are never evaluated: their cached value is read); the export goes through
``web.exports`` (text is never a formula).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.ingest.readers import FileRejectedError, check_xlsx
from guanxi.knowledge.models import Entry, EntryKind
from guanxi.web.exports.xlsx import Column, Sheet, workbook

# Column → the accepted header texts (Chinese and English; an export in either language
# loads back) and the Entry field.
COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "类型": (("类型", "kind", "type"), "kind"),
    "问题": (("问题", "问题/标题", "question", "question/title"), "question"),
    "答案": (("答案", "答案/内容", "answer", "answer/content"), "answer"),
    "场景": (("场景", "scene"), "scene"),
    "关键词": (("关键词", "keywords"), "keywords"),
    "商品": (("商品", "products", "product"), "product_id"),
}
REQUIRED = ("类型", "问题", "答案")
LIMITS = {"question": 300, "scene": 40, "keywords": 300, "product_id": 64}
MAX_ROWS = 20_000
MAX_ERRORS = 50


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第 %(row)s 行，“%(column)s”列：%(message)s") % {
            "row": self.row,
            # The column's header in the page's language (类型 → Kind), as the export writes it.
            "column": _(self.column) if self.column != "-" else "-",
            "message": self.message,
        }


class ImportRejectedError(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


def kind_of(value: str) -> str | None:
    """类型 as code (qa), Chinese label (问答) or English label (Q&A), any case."""
    wanted = value.strip().lower()
    from django.utils import translation

    for code, label in EntryKind.choices:
        names = {code, str(label).lower()}
        with translation.override("en"):
            names.add(str(label).lower())
        with translation.override("zh-hans"):
            names.add(str(label).lower())
        if wanted in names:
            return code
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a product id typed as a number: 12345.0 → "12345"
    text = str(value).strip()
    # The exports put an apostrophe before text a spreadsheet would read as a formula
    # (web.exports.safe): take it off again.
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    return text


def _header_row(rows: list[list[Any]]) -> tuple[int, dict[str, int]]:
    """The first of the top 5 rows holding 类型, 问题 and 答案 (an export has a title above)."""
    for number, row in enumerate(rows[:5]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            header = _text(cell).lower()
            for column, (names, _field) in COLUMNS.items():
                if header in names and column not in found:
                    found[column] = col
        if all(c in found for c in REQUIRED):
            return number, found
    raise ImportRejectedError(
        [RowError(1, "类型", _("找不到表头：前 5 行中需要有“类型”“问题”“答案”三列。"))]
    )


def read_rows(path: Path, name: str) -> list[list[Any]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        check_xlsx(path, name)
        book = CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except FileRejectedError as exc:
        raise ImportRejectedError([RowError(1, "-", str(exc))]) from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise ImportRejectedError(
            [RowError(1, "-", _("无法读取这个文件（需要 .xlsx 工作簿）：%(e)s") % {"e": exc})]
        ) from exc


def check_rows(rows: list[list[Any]]) -> list[dict[str, str]]:
    """The rows as Entry field values; raises ``ImportRejectedError`` listing every bad cell."""
    start, columns = _header_row(rows)
    errors: list[RowError] = []
    records: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise ImportRejectedError(
            [RowError(start + 2 + MAX_ROWS, "-", _("一次最多导入 %(n)s 行。") % {"n": MAX_ROWS})]
        )
    for offset, row in enumerate(body):
        number = start + 2 + offset  # Excel's row number
        values = {
            field: _text(row[col]) if col < len(row) else ""
            for column, (_names, field) in COLUMNS.items()
            if (col := columns.get(column, -1)) >= 0
        }
        if not any(values.values()):
            continue  # an empty row (Excel keeps formatted blank rows)
        record = {field: values.get(field, "") for _c, (_n, field) in COLUMNS.items()}
        kind = kind_of(record["kind"])
        if kind is None:
            errors.append(
                RowError(
                    number,
                    "类型",
                    _("“%(value)s”不是类型：请填 问答、快捷短语、统一话术、售后政策 或 商品说明。")
                    % {"value": record["kind"]},
                )
            )
        else:
            record["kind"] = kind
        for column in REQUIRED[1:]:
            if not record[COLUMNS[column][1]]:
                errors.append(RowError(number, column, _("不能为空。")))
        for column, (_names, field) in COLUMNS.items():
            limit = LIMITS.get(field)
            if limit and len(record[field]) > limit:
                errors.append(RowError(number, column, _("最多 %(n)s 个字符。") % {"n": limit}))
        key = (record["kind"], record["question"])
        if kind is not None and record["question"]:
            if key in seen:
                errors.append(
                    RowError(
                        number,
                        "问题",
                        _("与第 %(row)s 行重复（同一类型下问题不能重复）。") % {"row": seen[key]},
                    )
                )
            seen.setdefault(key, number)
        records.append(record)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ImportRejectedError(errors)
    if not records:
        raise ImportRejectedError([RowError(start + 2, "类型", _("表中没有条目。"))])
    return records


@transaction.atomic
def import_records(records: list[dict[str, str]], by: Any) -> ImportSummary:
    """Write checked rows: update (类型, 问题) matches, create the rest; one transaction."""
    existing = {(e.kind, e.question): e for e in Entry.objects.all()}
    created: list[Entry] = []
    updated = 0
    now = timezone.now()
    for record in records:
        entry = existing.get((record["kind"], record["question"]))
        if entry is None:
            created.append(Entry(**record, updated_by=by))
            continue
        for field, value in record.items():
            setattr(entry, field, value)
        entry.active = True
        entry.updated_by = by
        entry.updated_at = now
        entry.save()
        updated += 1
    Entry.objects.bulk_create(created, batch_size=1000)
    return ImportSummary(created=len(created), updated=updated)


def import_file(path: Path, name: str, by: Any) -> ImportSummary:
    return import_records(check_rows(read_rows(path, name)), by)


def export_columns() -> list[Column]:
    return [
        Column(_("类型"), width=10),
        Column(_("问题"), width=36),
        Column(_("答案"), width=70),
        Column(_("场景"), width=10),
        Column(_("关键词"), width=24),
        Column(_("商品"), width=14),
        Column(_("使用次数"), kind="count", width=10),
    ]


def export_xlsx(entries: list[Entry]) -> bytes:
    """The active entries as a workbook that ``import_file`` reads back (the headers are the
    page's language; both languages are accepted on import)."""
    labels = dict(EntryKind.choices)
    rows = [
        [
            str(labels[e.kind]),
            e.question,
            e.answer,
            e.scene,
            e.keywords,
            e.product_id,
            e.uses,
        ]
        for e in entries
    ]
    sheet = Sheet(
        name=_("知识库"),
        title=_("知识库（%(n)s 条启用的条目）") % {"n": f"{len(rows):,}"},
        columns=export_columns(),
        rows=rows,
    )
    return workbook([sheet])
