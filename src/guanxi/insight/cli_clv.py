"""``guanxi predict clv-fit --transactions FILE.csv --calibration-end D``: BG/NBD (and, with
amounts, Gamma-Gamma) fitted on any transactions file, to check the models against the papers
on their own data (SPEC §9; docs/predict.md).

The CSV has columns ``customer``, ``date`` (YYYY-MM-DD or YYYYMMDD) and optionally ``amount``
(a number ≥ 0; purchases on one day are summed; customers whose repeat purchases
all cost 0 are left out of the spend model). Encoding as the imports detect it
(UTF-8 with or without a BOM, GB18030). Rows after the calibration end are left out (they
are the hold-out). A missing column or a bad row stops it with exit status 2 and a message
naming the file, the row (as Excel numbers it: the header is row 1) and the column; nothing
is printed as a result then.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import CommandError, CommandParser, OutputWrapper
from rich.console import Console
from rich.table import Table

from guanxi.stats import clv
from guanxi.web.cli import cli_csv
from guanxi.web.cli_subcommands import Subcommand

REQUIRED = ("customer", "date")
AMOUNT = "amount"
SHOWN_ERRORS = 5
UNITS = {"week": 7.0, "day": 1.0}
EPOCH = date(1970, 1, 1)


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def parse_day(text: str) -> int | None:
    """A date as days since 1970-01-01, or None when it is not a real date."""
    text = text.strip()
    try:
        if len(text) == 8 and text.isdigit():
            d = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        else:
            d = date.fromisoformat(text)
    except ValueError:
        return None
    return (d - EPOCH).days


def read_transactions(path: Path) -> tuple[list[str], list[int], list[float] | None]:
    """(customers, days, amounts or None) from the CSV; CommandError (exit 2) naming the
    file, rows and columns of the first few faults and how many in all."""
    name = path.name
    customers: list[str] = []
    days: list[int] = []
    amounts: list[float] = []
    faults: list[str] = []
    hint = "the file needs columns customer, date[, amount]"
    with cli_csv(path, REQUIRED, hint=hint, lower=True) as (header, rows):
        at_c, at_d = header.index("customer"), header.index("date")
        at_a = header.index(AMOUNT) if AMOUNT in header else None
        for row_number, row in rows:  # (blank lines are no transaction: left out)

            def cell(at: int, row: list[str] = row) -> str:
                return row[at].strip() if at < len(row) else ""

            customer, day_text = cell(at_c), cell(at_d)
            if not customer:
                faults.append(f"row {row_number}, column 'customer': empty")
                continue
            day = parse_day(day_text)
            if day is None:
                faults.append(
                    f"row {row_number}, column 'date': {day_text[:20]!r} is not a date "
                    "(YYYY-MM-DD or YYYYMMDD)"
                )
                continue
            if at_a is not None:
                text = cell(at_a)
                try:
                    value = float(text)
                except ValueError:
                    value = float("nan")
                if not (np.isfinite(value) and value >= 0):
                    faults.append(
                        f"row {row_number}, column 'amount': {text[:20]!r} is not a number >= 0"
                    )
                    continue
                amounts.append(value)
            customers.append(customer)
            days.append(day)
    if faults:
        more = f" (and {len(faults) - SHOWN_ERRORS} more)" if len(faults) > SHOWN_ERRORS else ""
        raise _fail(f"{name}: {'; '.join(faults[:SHOWN_ERRORS])}{more}. Nothing was fitted.")
    if not customers:
        raise _fail(f"{name}: no transactions under the header row; nothing was fitted")
    return customers, days, (amounts if at_a is not None else None)


def fit_file(path: Path, calibration_end: str, unit: str) -> dict[str, Any]:
    end = parse_day(calibration_end)
    if end is None:
        raise _fail(f"--calibration-end: {calibration_end!r} is not a date; give YYYY-MM-DD")
    customers, days, amounts = read_transactions(path)
    if min(days) > end:
        raise _fail(
            f"{path.name}: every transaction is after --calibration-end {calibration_end}; "
            "give a later calibration end"
        )
    rfm = clv.summarise_transactions(customers, days, amounts, end, UNITS[unit])
    if np.count_nonzero(rfm.frequency) < 2:
        raise _fail(
            f"{path.name}: fewer than two customers bought again before {calibration_end}; "
            "the model cannot be fitted on this file"
        )
    try:
        bgf = clv.BetaGeoFitter().fit(rfm.frequency, rfm.recency, rfm.T)
        result: dict[str, Any] = {k: _sig(v) for k, v in bgf.params_.items()}
        if amounts is not None:
            paid = np.where(rfm.monetary_value > 0, rfm.frequency, 0)
            ggf = clv.GammaGammaFitter().fit(paid, rfm.monetary_value)
            result |= {k: _sig(v) for k, v in ggf.params_.items()}
    except (clv.ConvergenceError, ValueError) as exc:
        raise _fail(f"{path.name}: {exc}") from None
    result["customers"] = len(rfm.customers)
    return result


def _sig(value: float, digits: int = 6) -> float:
    """Six significant digits: enough to compare with a paper, stable in a test."""
    return float(f"{value:.{digits}g}")


def _arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--transactions", required=True, metavar="FILE.csv", help="columns customer, date[, amount]"
    )
    parser.add_argument(
        "--calibration-end", required=True, metavar="YYYY-MM-DD", help="last day of the fit"
    )
    parser.add_argument("--unit", choices=tuple(UNITS), default="week")
    parser.add_argument("--format", choices=("json", "table"), default="json")
    parser.epilog = (
        "JSON keys: r, alpha, a, b (BG/NBD, time in --unit), p, q, gamma (Gamma-Gamma, when "
        "the file has amounts), customers; six significant digits. Exit 2 on a bad row."
    )


def _run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    path = Path(options["transactions"])
    result = fit_file(path, options["calibration_end"], options.get("unit") or "week")
    if options.get("format") == "table":
        table = Table(title=f"CLV fit · {path.name}")
        for key in result:
            table.add_column(key, justify="right")
        table.add_row(*(str(v) for v in result.values()))
        Console(file=stdout, width=120).print(table)  # type: ignore[arg-type]
    else:
        stdout.write(json.dumps(result))


SUBCOMMANDS: dict[str, Subcommand] = {
    "clv-fit": Subcommand(
        help="Fit BG/NBD (+ Gamma-Gamma) on a transactions CSV (check against the papers)",
        add_arguments=_arguments,
        handle=_run,
    )
}
