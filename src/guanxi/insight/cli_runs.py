"""``guanxi predict fit|score|report``: the model runs from the command line.

``fit KIND [--param k=v …] [--wait]`` queues a run for the task worker, or with ``--wait``
runs it here and now (exit status 1 when the fit fails, with its reason); ``score KIND``
re-scores the customers with the serving run's model where the family can; ``report
[KIND] --format table|json`` prints the serving runs and the newest runs. Bad input (an
unknown kind or parameter, a value out of range) stops with exit status 2 naming it.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper
from rich.console import Console
from rich.table import Table

from guanxi.core.errors import UserInputError
from guanxi.insight import runs, selectors
from guanxi.insight.models import ModelRun, RunKind, RunState
from guanxi.web.cli_subcommands import Subcommand


def _bad(error: UserInputError) -> CommandError:
    return CommandError(str(error), returncode=2)


def _fit_arguments(parser: CommandParser) -> None:
    parser.add_argument("kind", choices=RunKind.values)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the fit (repeatable), e.g. --param margin=0.3",
    )
    parser.add_argument("--wait", action="store_true", help="run in this process and wait")


def _fit(options: dict[str, Any], out: OutputWrapper) -> None:
    kind = options["kind"]
    try:
        raw = runs.parse_pairs(options["param"])
        # --wait: created here and executed below in this process; else the worker's
        run = runs.create_run(kind, raw) if options["wait"] else runs.queue(kind, raw)
    except UserInputError as error:
        raise _bad(error) from None
    if not options["wait"]:
        out.write(f"run #{run.pk} ({kind}) {run.state}; the task worker runs it")
        return
    out.write(f"run #{run.pk} ({kind}) running…")
    run = runs.execute(run.pk)
    if run.state != RunState.DONE:
        raise CommandError(f"run #{run.pk} failed: {runs.message_in(run.message, 'en')}")
    out.write(f"run #{run.pk} ({kind}) done; it now serves the pages")
    out.write(json.dumps(run.metrics, ensure_ascii=False, indent=2))


def _score_arguments(parser: CommandParser) -> None:
    parser.add_argument("kind", choices=RunKind.values)


def _score(options: dict[str, Any], out: OutputWrapper) -> None:
    try:
        _count, message = runs.score(options["kind"])
    except UserInputError as error:
        raise _bad(error) from None
    out.write(message)


def _report_arguments(parser: CommandParser) -> None:
    parser.add_argument("kind", nargs="?", choices=RunKind.values)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--limit", type=int, default=10, help="newest runs listed (1–500)")


def run_json(run: ModelRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "kind": run.kind,
        "state": run.state,
        "progress": run.progress,
        "serving": run.serving,
        "params": run.params,
        "input_versions": run.input_versions,
        "metrics": run.metrics,
        "message": runs.message_in(run.message, "en"),
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def _report(options: dict[str, Any], out: OutputWrapper) -> None:
    kind, limit = options["kind"], options["limit"]
    if not 1 <= limit <= 500:
        raise CommandError("--limit: give 1–500", returncode=2)
    serving = {k: r for k, r in selectors.serving_runs().items() if kind in (None, k)}
    recent = list(selectors.history(kind, limit))
    if options["format"] == "json":
        answer = {
            "serving": {k: run_json(r) for k, r in sorted(serving.items())},
            "runs": [run_json(r) for r in recent],
        }
        out.write(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    console = Console(file=out, width=120, force_terminal=False)  # type: ignore[arg-type]
    table = Table(title="Model runs (newest first; * serves the pages)")
    for column in ("#", "kind", "state", "progress", "finished", "figures / why failed"):
        table.add_column(column)
    for run in recent:
        figures = ", ".join(
            f"{k}={v}" for k, v in list(run.metrics.items())[:3] if not isinstance(v, dict | list)
        )
        table.add_row(
            f"{run.pk}{'*' if run.serving else ''}",
            run.kind,
            run.state,
            f"{run.progress}%",
            run.finished_at.strftime("%Y-%m-%d %H:%M") if run.finished_at else "",
            runs.message_in(run.message, "en") if run.state == RunState.FAILED else figures,
        )
    if not recent:
        out.write("no model runs yet; start one with `guanxi predict fit KIND`")
        return
    console.print(table)


SUBCOMMANDS: dict[str, Subcommand] = {
    "fit": Subcommand("fit a model (a new run; serves when done)", _fit_arguments, _fit),
    "score": Subcommand("re-score customers with the serving run", _score_arguments, _score),
    "report": Subcommand("the serving runs and the newest runs", _report_arguments, _report),
}
