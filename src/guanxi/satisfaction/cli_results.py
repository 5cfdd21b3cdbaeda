"""``guanxi surveys nps FILE.csv`` and ``guanxi surveys results ID``: the NPS of a file of
scores, and a survey's results as a table, JSON, CSV or XLSX.

``nps`` reads a CSV with a column ``score`` (0–10 integers), UTF-8 with or without a BOM or
GB18030 (detected as the imports detect it: ``ingest.readers.detect_encoding``). A bad row
— empty, not a whole number, outside 0–10 — or a missing column stops it with exit status 2
and a message naming the file, the row (as Excel numbers it: the header is row 1) and the
column; nothing is printed as a result then, so a script never reads half an answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper
from rich.console import Console
from rich.table import Table

from guanxi.satisfaction import exports_results, measures
from guanxi.satisfaction import result_presenters as presenters
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Survey
from guanxi.web.cli import cli_csv, cli_period, tables_print, write_text, write_xlsx
from guanxi.web.cli_subcommands import Subcommand

COLUMN = "score"
SHOWN_ERRORS = 5  # bad rows named in one message (the count says how many more)


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def read_scores(path: Path) -> list[int]:
    """The ``score`` column of a CSV as 0–10 integers; CommandError (exit 2) naming the
    file, rows and column of every fault (the first few, and how many in all)."""
    name = path.name
    hint = f"add a column named {COLUMN} holding each answer's 0–10 score"
    with cli_csv(path, [COLUMN], hint=hint) as (header, rows):
        at = header.index(COLUMN)
        scores: list[int] = []
        faults: list[str] = []
        for row_number, row in rows:  # (blank lines, as Excel ends a file, left out)
            cell = row[at].strip() if at < len(row) else ""
            if cell == "":
                faults.append(f"row {row_number}: empty")
            elif not (cell.isascii() and cell.lstrip("+-").isdigit()):
                faults.append(f"row {row_number}: {cell[:20]!r} is not a whole number")
            elif not 0 <= int(cell) <= 10:
                faults.append(f"row {row_number}: {cell} is outside 0–10")
            else:
                scores.append(int(cell))
    if faults:
        more = f" (and {len(faults) - SHOWN_ERRORS} more)" if len(faults) > SHOWN_ERRORS else ""
        raise _fail(
            f"{name}, column {COLUMN!r}: {'; '.join(faults[:SHOWN_ERRORS])}{more}. "
            "Each row needs a whole number from 0 to 10; nothing was computed."
        )
    if not scores:
        raise _fail(f"{name}: no rows under the header; the column {COLUMN!r} needs scores 0–10")
    return scores


def nps_result(scores: list[int]) -> dict[str, Any]:
    r = measures.nps(scores)
    return {
        "nps": _round(r.nps),
        "promoters": r.promoters,
        "passives": r.passives,
        "detractors": r.detractors,
        "n": r.n,
        "low": _round(r.low),
        "high": _round(r.high),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _nps_arguments(parser: CommandParser) -> None:
    parser.add_argument("file", metavar="FILE.csv", help=f"a CSV with a column {COLUMN!r} (0–10)")
    parser.add_argument("--format", choices=("json", "table"), default="json")
    parser.epilog = (
        "JSON keys: nps (points, −100..100), promoters (count of 9–10), passives (7–8), "
        "detractors (0–6), n, low/high (the 95 % interval NPS ± 1.96·√((pP + pD − (pP − pD)²)/n), "
        "clipped to [−100, 100]); points rounded to 2 decimals. Exit 2 on a bad row."
    )


def _nps_run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    result = nps_result(read_scores(Path(options["file"])))
    if options.get("format") == "table":
        table = Table(title=f"NPS · {Path(options['file']).name}")
        for key in result:
            table.add_column(key, justify="right")
        table.add_row(*("—" if v is None else str(v) for v in result.values()))
        console = Console(file=stdout, width=120)  # type: ignore[arg-type]
        console.print(table)
        if 0 < result["n"] < measures.SMALL_SAMPLE:
            console.print(f"Fewer than {measures.SMALL_SAMPLE} answers: the interval is rough.")
    else:
        stdout.write(json.dumps(result, ensure_ascii=False))


def _results_arguments(parser: CommandParser) -> None:
    parser.add_argument("survey", metavar="ID", type=int, help="the survey's id (see the page)")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", default="")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", default="")
    parser.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table")
    parser.add_argument("--output", metavar="FILE", help="write here (xlsx needs a file)")


def results_json(survey: Survey, data: sel.SurveyData) -> dict[str, Any]:
    return {
        "survey": survey.pk,
        "name": survey.name,
        "kind": survey.kind,
        "period": None
        if data.period is None
        else {"start": str(data.period.start), "end": str(data.period.end)},
        "overall": presenters.figures_json(sel.figures(data)),
        "by": {
            by: [
                {
                    "key": g.key or None,
                    "label": g.label or None,
                    **presenters.figures_json(g.figures),
                }
                for g in sel.breakdown(data, by)
            ]
            for by in sel.BY
        },
    }


def _results_run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    survey = Survey.objects.filter(pk=options["survey"]).first()
    if survey is None:
        raise _fail(f"ID: no survey {options['survey']}; the surveys page lists their ids")
    start, end = options.get("start") or "", options.get("end") or ""
    if bool(start) != bool(end):
        raise _fail("--from/--to: give both days, or neither for all answers")
    data = sel.survey_data(survey, cli_period(start, end) if start else None)
    fmt = options.get("format") or "table"
    if fmt == "xlsx":
        write_xlsx(stdout, options, exports_results.results_xlsx(survey, data), "survey results")
    elif fmt == "json":
        text = json.dumps(results_json(survey, data), ensure_ascii=False, indent=2)
        write_text(stdout, options, text)
    elif fmt == "csv":
        write_text(stdout, options, exports_results.results_csv(survey, data))
    else:
        console = Console(file=stdout, width=160)  # type: ignore[arg-type]
        console.print(exports_results.title(survey, data))
        tables_print(console, exports_results.results_tables(survey, data))


SUBCOMMANDS: dict[str, Subcommand] = {
    "nps": Subcommand(
        "NPS of a CSV's column 'score' (0–10) with its 95 %% interval", _nps_arguments, _nps_run
    ),
    "results": Subcommand(
        "a survey's results (by month, agent, team, product, segment) as table/JSON/CSV/XLSX",
        _results_arguments,
        _results_run,
    ),
}
