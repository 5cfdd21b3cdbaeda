"""Labelled tables: one set of raw rows feeds a page's table, an XLSX sheet, a CSV section
and the command line's table, so a figure reads the same everywhere.

The rows hold raw values (numbers stay numbers for XLSX and JSON); the page and the command
line read each cell's text through ``cell``, by its column's kind (``values.text_value``
unless an area shows a kind its own way, as the service desk shows business seconds as
minutes or hours).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.values import text_value
from guanxi.web.exports.xlsx import Column, Sheet


def cell_text(value: Any, kind: str) -> str:
    """A cell's text on a page: text as written ("—" when empty), figures as the exports
    format them."""
    if kind == "text":
        return str(value) if value not in (None, "") else "—"
    return text_value(value, kind)


@dataclass(frozen=True)
class Table:
    key: str  # the page's element id (and the sheet's name unless one is given)
    title: str
    columns: list[Column]
    rows: list[list[Any]]  # raw values
    note: str = ""
    headers: list[str] = field(default_factory=list)  # the page's headers, when not the columns'
    cell: Callable[[Any, str], str] = cell_text  # a value's text on the page, by column kind
    # The page's text of every cell, for a table that shows some cells its own way (a rate
    # as a percent in one row and per 1,000 in the next); else made by ``cell``.
    texts: list[list[str]] | None = None

    @property
    def page_headers(self) -> list[tuple[str, bool]]:
        """The page's column headers and whether each is a number's (right-aligned)."""
        names = self.headers or [c.header for c in self.columns]
        return [(name, c.kind != "text") for name, c in zip(names, self.columns, strict=True)]

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        """The page's rows: each cell's text and whether it is a number (right-aligned)."""
        numbers = [c.kind != "text" for c in self.columns]
        if self.texts is not None:
            return [list(zip(row, numbers, strict=True)) for row in self.texts]
        return [
            [(self.cell(v, c.kind), n) for v, c, n in zip(r, self.columns, numbers, strict=True)]
            for r in self.rows
        ]

    def sheet(self, heading: str = "", name: str = "") -> Sheet:
        """The table as an XLSX sheet: named ``name`` (else the key), titled with the
        export's ``heading`` before the table's own title, the note under it."""
        title = f"{heading} · {self.title}" if heading else self.title
        notes = [self.note] if self.note else []
        return Sheet((name or self.key)[:31], title, self.columns, self.rows, notes)


def tables_csv(tables: Iterable[Table], heading: str) -> str:
    """Every table one after the other: its title, its header, its rows, its note, a blank
    line; the export's heading first."""
    lines: list[list[Any]] = [[heading], []]
    for t in tables:
        lines.append([t.title])
        lines.append([c.header for c in t.columns])
        lines.extend(t.rows)
        if t.note:
            lines.append([t.note])
        lines.append([])
    return csv_text(lines)
