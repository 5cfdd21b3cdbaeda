"""What every area's command-line report shares: the period and month of the options, and
writing text or an XLSX file where ``--output`` says."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from guanxi.core.timeutil import Period, parse_day, parse_month, period_between
from guanxi.web.exports.tables import Table


class GuanxiCommand(BaseCommand):
    """The base of Guanxi's own commands: they run no system checks, as Django's
    ``createsuperuser`` and ``changepassword`` do not. The URL checks import every page and
    the API, and with them the lake's libraries, which would slow the start of every command;
    ``guanxi check``, ``guanxi migrate`` and the servers run all the checks."""

    requires_system_checks: list[str] = []


def write_xlsx(out: OutputWrapper, options: dict[str, Any], content: bytes, what: str) -> None:
    if not options.get("output"):
        raise CommandError("--format xlsx needs --output FILE.xlsx", returncode=2)
    Path(options["output"]).write_bytes(content)
    out.write(f"Wrote {options['output']} ({what}).")


def write_text(out: OutputWrapper, options: dict[str, Any], text: str) -> None:
    if options.get("output"):
        Path(options["output"]).write_text(text, encoding="utf-8")
    else:
        out.write(text)


def cli_month(text: str) -> tuple[int, int]:
    try:
        return parse_month(text)
    except ValueError as exc:
        raise CommandError(f"--to: {exc}", returncode=2) from None


def cli_period(start: str, end: str) -> Period:
    try:
        return period_between(parse_day(start), parse_day(end), names=("--from", "--to"))
    except ValueError as exc:
        raise CommandError(f"--from/--to: {exc}", returncode=2) from exc


def tables_print(console: Any, tables: Iterable[Table]) -> None:
    """Print labelled tables (``web.exports.tables``) on a rich ``console``: the page's
    headers and cell texts, numbers right-aligned."""
    from rich.table import Table as RichTable

    for t in tables:
        table = RichTable(title=t.title)
        for name, number in t.page_headers:
            table.add_column(name, justify="right" if number else "left")
        for row in t.cells:
            table.add_row(*(text for text, _n in row))
        console.print(table)


@contextmanager
def cli_csv(
    path: Path, required: Sequence[str], *, hint: str, lower: bool = False
) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]]]]:
    """A CSV named on the command line, read as the imports read files (the encoding, UTF-8
    or GB18030, detected by ``ingest.readers.detect_encoding``): yields its header (cells
    stripped; lower-cased with ``lower``) and its non-blank data rows with their row numbers
    (the header is row 1), read lazily. A missing or undecodable file, or a header without
    a ``required`` column, is a CommandError (exit 2) naming the file, the columns found and
    ``hint`` (what the file should hold)."""
    from guanxi.ingest.messages import MessageError
    from guanxi.ingest.readers import detect_encoding

    if not path.is_file():
        raise CommandError(f"{path}: no such file; {hint}", returncode=2)
    try:
        encoding = detect_encoding(path, path.name)
    except MessageError as exc:
        raise CommandError(exc.render(), returncode=2) from None
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.reader(f)
        header = [h.strip().lstrip("\ufeff").strip() for h in next(reader, [])]
        if lower:
            header = [h.lower() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            found = ", ".join(repr(h) for h in header) or "none"
            raise CommandError(
                f"{path.name}: no column {', '.join(repr(m) for m in missing)} in the header "
                f"row (row 1; columns: {found}); {hint}",
                returncode=2,
            )
        yield (
            header,
            ((n, row) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)),
        )
