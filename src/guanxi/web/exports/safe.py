"""The one way every CSV and XLSX file is written: no cell can become a live formula.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a tab or a carriage return) as a formula: a chat message, a review, a refund
reason, a name or an agent id reading ``=HYPERLINK("http://…","点我")`` would run in the
reader's Excel (CSV/formula injection). Text values starting with one of those characters
get a leading apostrophe, which spreadsheets show as text and the importer strips again
(``ingest.normalise.clean_text``); real numbers — negative amounts too — stay numbers, and so
does text that is just a number ("-12.50"). XLSX workbooks never turn strings into formulas
or links.

The one formula the exports write on purpose is the platforms' own ``="订单编号"`` that keeps
long ids as text in Excel: ``ExcelText`` writes it only for ids of letters, digits, ``-`` and
``_``; anything else is written as neutralised text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_SAFE_ID = re.compile(r"[0-9A-Za-z_-]+")


@dataclass(frozen=True)
class ExcelText:
    """An id to be written as ``="…"`` (Excel keeps its digits, the importer reads it back)."""

    value: str


def safe_text(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_cell(value: Any) -> Any:
    """A cell for a CSV row: text neutralised, numbers, dates and None as they are."""
    if isinstance(value, ExcelText):
        if _SAFE_ID.fullmatch(value.value):
            return f'="{value.value}"'
        return safe_text(value.value)
    if isinstance(value, str):
        return safe_text(value)
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell; ``writerow`` returns what the
    target's ``write`` returns (the line itself for a streaming target)."""

    def __init__(self, target: Any) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(target: IO[str] | Any) -> SafeWriter:
    """The CSV writer of every export (a file, a StringIO or a streaming target)."""
    return SafeWriter(target)


class _Line:
    """A file-like target whose ``write`` hands the line back, for streamed responses."""

    def write(self, line: str) -> str:
        return line


def csv_line_writer() -> SafeWriter:
    """A writer whose ``writerow`` returns the CSV line (for streaming downloads)."""
    return SafeWriter(_Line())


def csv_text(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    """Rows as CSV text, UTF-8 BOM first (so Excel opens Chinese headers correctly)."""
    out = io.StringIO()
    csv_writer(out).writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def xlsx_workbook(buffer: IO[bytes]) -> Any:
    """An in-memory XlsxWriter workbook that writes every string as a string: ``write()``
    never makes a formula, a link or a number out of text."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
