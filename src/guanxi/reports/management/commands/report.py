"""``guanxi report store|agents|dsr|monthly …``: the options of every report; each area
prints its own (``store.cli``, ``performance.cli``), the monthly report is this area's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone, translation

from guanxi.core.timeutil import BUCKETS, parse_month
from guanxi.performance import cli as performance_cli
from guanxi.performance import selectors as agent_selectors
from guanxi.store import cli as store_cli
from guanxi.web.cli import GuanxiCommand, cli_period


class Command(GuanxiCommand):
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
            choices=agent_selectors.VIEWS,
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
        report = options["report"]
        if report == "monthly":
            self._monthly(options)
        elif report == "dsr":
            store_cli.report_dsr(self.stdout, self.stderr, options)
        elif report == "agents":
            period = cli_period(options["start"], options["end"])
            performance_cli.report_agents(self.stdout, period, options)
        else:
            period = cli_period(options["start"], options["end"])
            store_cli.report_store(self.stdout, period, options["format"])

    def _monthly(self, options: dict[str, Any]) -> None:
        # Imported here: the reports app renders templates, which the other reports do not.
        from guanxi.reports import rendering
        from guanxi.reports.monthly import default_month, monthly_report
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
