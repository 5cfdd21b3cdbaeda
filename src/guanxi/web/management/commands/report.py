"""``guanxi report store|agents|dsr|monthly …``: store figures, agent metrics, the DSR trend
and the printable monthly report (HTML or PDF)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from rich.console import Console
from rich.table import Table

from guanxi.accounts.selectors import agent_teams
from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import BUCKETS, Period, parse_day
from guanxi.metrics.agents import AGENT_METRICS, AgentReport
from guanxi.metrics.diagnosis import Finding, diagnose
from guanxi.metrics.dsr import CAUSES, DIMENSIONS
from guanxi.metrics.store import METRICS, StoreFigures
from guanxi.performance import services as performance_services
from guanxi.performance import shop_settings
from guanxi.web import selectors
from guanxi.web.exports import agents as agent_exports
from guanxi.web.exports.dsr import dsr_json
from guanxi.web.exports.values import json_value, text_value


class Command(BaseCommand):
    help = "Print shop figures for a period (both ends inclusive, shop-local days)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="report", required=True, metavar="{store,agents,dsr,monthly}"
        )
        store = sub.add_parser("store", help="店铺概况: traffic, consultation, payment, refunds")
        store.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        store.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        store.add_argument("--format", choices=("json", "table"), default="table")
        agents = sub.add_parser("agents", help="客服绩效: every agent metric of SPEC §2")
        agents.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        agents.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        agents.add_argument("--agent", default="", metavar="ID", help="one agent only")
        agents.add_argument(
            "--view",
            choices=selectors.VIEWS,
            default="agent",
            help="each agent's figures (default), each team's (客服组) or the whole shop's",
        )
        agents.add_argument(
            "--team", default="", metavar="NAME", help="one team only (--view team)"
        )
        agents.add_argument(
            "--by", choices=BUCKETS, help="one report per day, week (Mon–Sun) or month"
        )
        agents.add_argument("--format", choices=("json", "table", "csv", "xlsx"), default="table")
        agents.add_argument("--output", metavar="FILE", help="write here (xlsx needs a file)")
        dsr = sub.add_parser("dsr", help="店铺动态评分: rolling DSR per month against industry")
        dsr.add_argument("--months", type=int, default=6, help="months to show (default 6)")
        dsr.add_argument(
            "--to", dest="last", metavar="YYYY-MM", help="last month (default: latest)"
        )
        dsr.add_argument(
            "--window",
            type=int,
            default=None,
            help="rolling window in months (default: the shop's setting, SPEC's 6 months)",
        )
        dsr.add_argument(
            "--industry",
            type=Path,
            metavar="FILE.csv",
            help="store industry averages first: month,description,service,logistics",
        )
        dsr.add_argument("--format", choices=("json", "table"), default="table")
        monthly = sub.add_parser("monthly", help="月度报告: the printable monthly report")
        monthly.add_argument("--month", metavar="YYYY-MM", help="default: the latest month")
        monthly.add_argument("--format", choices=("html", "pdf"), default="html")
        monthly.add_argument("--output", metavar="FILE", required=True)
        monthly.add_argument(
            "--language", choices=("zh-hans", "en"), default="zh-hans", help="default zh-hans"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "monthly":
            self._monthly(options)
            return
        if options["report"] == "dsr":
            self._dsr(options)
            return
        period = self._period(options["start"], options["end"])
        if options["report"] == "agents":
            self._agents(period, options)
            return
        figures = selectors.store_period_figures(period)
        if options["format"] == "json":
            self.stdout.write(json.dumps(self._as_json(figures), ensure_ascii=False, indent=2))
        else:
            self._print_table(figures)

    def _agents(self, period: Period, options: dict[str, Any]) -> None:
        view, by = options["view"], options["by"]
        if options["team"] and view != "team":
            raise CommandError("--team needs --view team", returncode=2)
        if options["agent"] and view != "agent":
            raise CommandError("--agent needs --view agent (the default)", returncode=2)
        if by:
            self._agent_series(period, by, view, options)
            return
        team = selectors.unit_period_reports(period, view)
        wanted = options["agent"] or options["team"]
        reports = [r for r in team if not wanted or r.unit == wanted]
        # Quartiles need the whole team; targets and quartiles are about agents.
        findings = (
            diagnose(team, shop_settings.scorecard(), peers=agent_teams())
            if view == "agent"
            else {}
        )
        fmt = options["format"]
        if fmt == "xlsx":
            content = agent_exports.as_xlsx(period, reports, view=view)
            self._write_xlsx(options, content, f"{len(reports)} rows")
            return
        if fmt == "json":
            data = agent_exports.as_json(period, reports, findings, view=view)
            text = json.dumps(data, ensure_ascii=False, indent=2)
        elif fmt == "csv":
            text = agent_exports.as_csv(reports, view)
        else:
            self._agents_table(period, reports, findings)
            return
        self._write_text(options, text)

    def _agent_series(self, period: Period, by: str, view: str, options: dict[str, Any]) -> None:
        series = selectors.period_series(period, by, view, options["agent"] or options["team"])
        fmt = options["format"]
        if fmt == "xlsx":
            content = agent_exports.as_xlsx(period, [], view=view, series=series)
            self._write_xlsx(options, content, f"{len(series)} periods")
        elif fmt == "json":
            data = agent_exports.series_json(period, by, view, series)
            self._write_text(options, json.dumps(data, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            self._write_text(options, agent_exports.series_csv(list(series), view))
        else:
            for part, reports in series:
                self._agents_table(part, reports, {})

    def _write_xlsx(self, options: dict[str, Any], content: bytes, what: str) -> None:
        if not options.get("output"):
            raise CommandError("--format xlsx needs --output FILE.xlsx", returncode=2)
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"Wrote {options['output']} ({what}).")

    def _write_text(self, options: dict[str, Any], text: str) -> None:
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)

    def _agents_table(
        self, period: Period, reports: list[AgentReport], findings: dict[str, list[Finding]]
    ) -> None:
        console = Console(file=self.stdout, width=160)  # type: ignore[arg-type]
        if not reports:
            console.print(
                f"No agent data from {period.start} to {period.end}: no chats or orders in "
                "the lake for these days. 本期间没有客服数据。"
            )
            return
        table = Table(title=f"客服绩效 Agent report {period.start} – {period.end}")
        table.add_column("指标 metric")
        for report in reports:
            table.add_column(agent_exports.unit_label(report.unit), justify="right")
        for metric in AGENT_METRICS:
            values = [text_value(getattr(r, metric.key), metric.kind) for r in reports]
            table.add_row(f"{metric.name_zh} {metric.key}", *values)
        console.print(table)
        names = {m.key: m.name_zh for m in AGENT_METRICS}
        for report in reports:
            for f in findings.get(report.unit, []):
                console.print(
                    f"⚠ {report.unit} {names[f.metric]} ({f.why}): "
                    f"原因 {f.causes}；建议 {f.remedies}"
                )

    def _dsr(self, options: dict[str, Any]) -> None:
        if options["months"] < 1 or (options["window"] is not None and options["window"] < 1):
            raise CommandError("--months and --window must be at least 1", returncode=2)
        if options["industry"] is not None:
            try:
                stored = performance_services.industry_import(options["industry"])
            except UserInputError as exc:
                raise CommandError(str(exc), returncode=2) from exc
            self.stderr.write(f"Stored {stored} industry averages.")
        last = self._month(options["last"]) if options["last"] else selectors.latest_dsr_month()
        if last is None:
            self.stdout.write("No DSR ratings in the lake yet. 还没有店铺评分数据。")
            return
        months = selectors.dsr_trend(last, options["months"], options["window"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(dsr_json(months), ensure_ascii=False, indent=2))
            return
        console = Console(file=self.stdout, width=120)  # type: ignore[arg-type]
        unit, length = (
            ("month", options["window"]) if options["window"] else shop_settings.dsr_window()
        )
        table = Table(title=f"店铺动态评分 DSR (rolling {length} {unit}s)")
        table.add_column("月份 month")
        for _key, zh, _en in DIMENSIONS:
            table.add_column(zh, justify="right")
        for m in months:
            cells = []
            for key, _zh, _en in DIMENSIONS:
                score, mark = m.scores[key], m.industry[key]
                arrow = {"up": " ↑", "down": " ↓"}.get(m.trend[key], "")
                text = "—" if score is None else f"{score}"
                cells.append(text + (f" / {mark}{arrow}" if mark is not None else ""))
            table.add_row(f"{m.month:%Y-%m}", *cells)
        console.print(table)
        latest = months[-1]
        for key in latest.below_industry:
            causes, remedies = CAUSES[key]
            zh = next(z for k, z, _e in DIMENSIONS if k == key)
            console.print(f"⚠ {zh} below industry: causes {causes}; remedies {remedies}")

    def _monthly(self, options: dict[str, Any]) -> None:
        # Imported here: the reports app renders templates, which the other reports do not.
        from guanxi.reports import rendering
        from guanxi.reports.monthly import default_month, monthly_report, parse_month
        from guanxi.reports.pdf import PdfError, html_to_pdf

        try:
            year, month = (
                parse_month(options["month"])
                if options["month"]
                else default_month(timezone.localdate())
            )
        except ValueError as exc:
            raise CommandError(f"--month: {exc}", returncode=2) from exc
        with translation.override(options["language"]):
            report = monthly_report(year, month)
            html = rendering.standalone_html(report)
        output = Path(options["output"])
        if options["format"] == "pdf":
            try:
                output.write_bytes(html_to_pdf(html))
            except PdfError as exc:
                raise CommandError(str(exc), returncode=1) from exc
        else:
            output.write_text(html, encoding="utf-8")
        empty = "" if report.has_data else " — no data in this month (本月没有数据)"
        self.stdout.write(f"Wrote {output} ({year}-{month:02d}{empty}).")

    @staticmethod
    def _month(text: str) -> tuple[int, int]:
        try:
            year, month = (int(p) for p in text.split("-"))
            dt.date(year, month, 1)
        except ValueError:
            raise CommandError(
                f"--to {text!r}: expected a month like 2025-12", returncode=2
            ) from None
        return year, month

    @staticmethod
    def _period(start: str, end: str) -> Period:
        try:
            first, last = parse_day(start), parse_day(end)
        except ValueError as exc:
            raise CommandError(f"--from/--to: {exc}", returncode=2) from exc
        if first > last:
            raise CommandError(
                f"--from {first} is after --to {last}; give the earlier day first", returncode=2
            )
        return Period(first, last)

    @staticmethod
    def _as_json(figures: StoreFigures) -> dict[str, Any]:
        out: dict[str, Any] = {"from": str(figures.period.start), "to": str(figures.period.end)}
        for metric in METRICS:
            out[metric.key] = json_value(getattr(figures, metric.key), metric.kind)
        out["has_data"] = figures.has_data
        return out

    def _print_table(self, figures: StoreFigures) -> None:
        console = Console(file=self.stdout, width=100)  # type: ignore[arg-type]
        title = f"店铺概况 Store figures {figures.period.start} – {figures.period.end}"
        table = Table(title=title)
        for column in ("key", "指标", "metric", "value"):
            table.add_column(column, justify="right" if column == "value" else "left")
        for metric in METRICS:
            value = text_value(getattr(figures, metric.key), metric.kind)
            table.add_row(metric.key, metric.name_zh, metric.name_en, value)
        console.print(table)
        if not figures.has_data:
            console.print(
                "No data in this period: the lake has no traffic, chats or orders "
                "for these days. 本期间没有数据。"
            )
