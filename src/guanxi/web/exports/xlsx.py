"""Formatted XLSX workbooks (XlsxWriter): a title row, a bold frozen header, number formats
per kind of figure (yuan, percent, seconds, DSR scores), set column widths.

Every export of the pages goes through ``workbook``: the numbers stay numbers (Excel can sum
them), formatted the way ``values.text_value`` shows them on the page; no data is a blank
cell, never 0; text is always a string cell, never a formula (``safe.xlsx_workbook``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from guanxi.web.exports.safe import xlsx_workbook

NUMBER_FORMATS = {
    "count": "#,##0",
    "money": "¥#,##0.00",
    "percent": "0.00%",
    "ratio": "0.00",
    "seconds": "0.0",
    "score": "0.000",  # DSR scores, as the platforms print them
    "points": "0.0",  # scorecard points
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text, date or a key of NUMBER_FORMATS
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    name: str  # at most 31 characters (Excel's limit)
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    notes: Sequence[str] = field(default_factory=tuple)  # lines under the table


def workbook(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer)
    title_format = book.add_format({"bold": True, "font_size": 13})
    header_format = book.add_format(
        {
            "bold": True,
            "bg_color": "#E2E8F0",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
            "align": "center",
        }
    )
    formats = {kind: book.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()}
    formats["date"] = book.add_format({"num_format": "yyyy-mm-dd"})
    note_format = book.add_format({"italic": True, "font_color": "#475569"})
    for spec in sheets:
        sheet = book.add_worksheet(spec.name[:31])
        sheet.write(0, 0, spec.title, title_format)
        for col, column in enumerate(spec.columns):
            sheet.write(1, col, column.header, header_format)
            sheet.set_column(col, col, column.width, formats.get(column.kind))
        longest = max((len(c.header) for c in spec.columns), default=0)
        sheet.set_row(1, 32 if longest > 8 else 20)
        for r, values in enumerate(spec.rows, start=2):
            for col, (column, value) in enumerate(zip(spec.columns, values, strict=True)):
                _write(sheet, r, col, column.kind, value, formats)
        for offset, note in enumerate(spec.notes):
            sheet.write(len(spec.rows) + 3 + offset, 0, note, note_format)
        sheet.freeze_panes(2, 1)
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, row: int, col: int, kind: str, value: Any, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None)
    elif kind == "date" and isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    elif kind in NUMBER_FORMATS and isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), formats[kind])
    else:
        sheet.write_string(row, col, str(value))
