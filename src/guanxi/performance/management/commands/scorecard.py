"""``guanxi scorecard``: score agents with the KPI composite scorecard (SPEC §3).

guanxi scorecard --from D --to D [--config F] [--format table|json|csv|xlsx] [--output F]
guanxi scorecard --metrics FILE.csv [--config F] [--format …]

Without --config the shop's scorecard (settings page; SPEC §3's by default) is used. From
the lake, the shop's thresholds apply, and the managers' manual scores count when the
period is one calendar month; a total with a manual item unscored is marked incomplete.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from guanxi.core.timeutil import Period, parse_day
from guanxi.metrics import scorecard as engine
from guanxi.metrics.agents import KEYS
from guanxi.metrics.scorecard_input import read_metrics_csv
from guanxi.performance import shop_settings
from guanxi.performance.scorecard import scoring
from guanxi.web.cli import GuanxiCommand
from guanxi.web.exports.safe import csv_text, xlsx_workbook


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def as_json(scores: list[engine.AgentScore]) -> list[dict[str, Any]]:
    return [
        {
            "agent": s.agent,
            "total": _num(s.total),
            "complete": s.complete,
            "items": [
                {
                    "metric": i.metric,
                    "label": i.label,
                    "manual": i.manual,
                    "missing": i.missing,
                    "value": _num(i.value),
                    "band": i.band,
                    "score": _num(i.score),
                    "weight": _num(i.weight),
                    "weighted": _num(i.weighted),
                }
                for i in s.items
            ],
        }
        for s in scores
    ]


class Command(GuanxiCommand):
    help = "Score agents with the KPI composite scorecard (default: SPEC §3's)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
        parser.add_argument(
            "--metrics",
            type=Path,
            metavar="FILE.csv",
            help="metric values per agent instead of the lake",
        )
        parser.add_argument("--config", type=Path, metavar="FILE.toml")
        parser.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table")
        parser.add_argument("--output", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            card = (
                engine.load(options["config"], KEYS)
                if options["config"]
                else shop_settings.scorecard()
            )
            scores = self._scores(card, options)
        except engine.ScorecardError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        fmt = options["format"]
        if fmt == "xlsx":
            if not options["output"]:
                raise CommandError("--format xlsx needs --output FILE.xlsx", returncode=2)
            Path(options["output"]).write_bytes(_xlsx(card, scores))
            self.stdout.write(f"Wrote {options['output']}.")
            return
        if fmt == "json":
            text = json.dumps(as_json(scores), ensure_ascii=False, indent=2)
        elif fmt == "csv":
            text = _csv(card, scores)
        else:
            self._table(card, scores)
            return
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)

    def _scores(self, card: engine.Scorecard, options: dict[str, Any]) -> list[engine.AgentScore]:
        if options["metrics"] is not None:
            if options["start"] or options["end"]:
                raise CommandError("give either --metrics or --from/--to, not both", returncode=2)
            rows = read_metrics_csv(options["metrics"], card)
            return [engine.score(card, agent, values, manual) for agent, values, manual in rows]
        if not options["start"] or not options["end"]:
            raise CommandError("give --from and --to (or --metrics FILE.csv)", returncode=2)
        try:
            period = Period(parse_day(options["start"]), parse_day(options["end"]))
        except ValueError as exc:
            raise CommandError(f"--from/--to: {exc}", returncode=2) from exc
        return scoring.scored_period(period, card=card).scores

    def _table(self, card: engine.Scorecard, scores: list[engine.AgentScore]) -> None:
        console = Console(file=self.stdout, width=140)  # type: ignore[arg-type]
        if not scores:
            console.print("No agents to score: no data for the period. 本期间没有客服数据。")
            return
        table = Table(title=f"{card.name} · KPI 复合模型")
        table.add_column("客服 agent")
        for item in card.items:
            table.add_column(f"{item.label} ×{(item.weight * 100).normalize():f}%", justify="right")
        table.add_column("总分 total", justify="right")
        for s in sorted(scores, key=lambda x: -x.total):
            cells = [
                "— (unscored)"
                if i.missing
                else f"{_text(i.value)} → {i.score.normalize():f}"
                + (f" {i.band}" if i.band else "")
                for i in s.items
            ]
            missing = "" if s.complete else " (incomplete: manual item unscored)"
            table.add_row(s.agent, *cells, f"{s.total.normalize():f}{missing}")
        console.print(table)


def _text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def _csv(card: engine.Scorecard, scores: list[engine.AgentScore]) -> str:
    header = ["agent", *[f"{i.label} {i.metric}" for i in card.items], "total"]
    rows = [
        [s.agent, *[f"{i.weighted.normalize():f}" for i in s.items], f"{s.total.normalize():f}"]
        for s in scores
    ]
    return csv_text([header, *rows])


def _xlsx(card: engine.Scorecard, scores: list[engine.AgentScore]) -> bytes:
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer)
    sheet = book.add_worksheet("KPI")
    bold = book.add_format({"bold": True, "bg_color": "#F1F5F9", "text_wrap": True})
    number = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, ["客服 Agent"], bold)
    column = 1
    for item in card.items:
        sheet.write(0, column, f"{item.label} 值 value", bold)
        sheet.write(0, column + 1, f"{item.label} 得分 score", bold)
        sheet.write(0, column + 2, f"{item.label} 加权 weighted", bold)
        column += 3
    sheet.write(0, column, "总分 Total", bold)
    for row, s in enumerate(sorted(scores, key=lambda x: -x.total), start=1):
        sheet.write(row, 0, s.agent)
        column = 1
        for i in s.items:
            if i.value is not None:
                sheet.write_number(row, column, float(i.value), number)
            sheet.write_number(row, column + 1, float(i.score), number)
            sheet.write_number(row, column + 2, float(i.weighted), number)
            column += 3
        sheet.write_number(row, column, float(s.total), number)
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, column, 12)
    book.close()
    return buffer.getvalue()
