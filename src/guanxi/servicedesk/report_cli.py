"""``guanxi tickets report``: the service desk's report of a period as a table, JSON, CSV or
XLSX (the lead wires ``add_arguments`` and ``run`` into the ``tickets`` command).

The command line is the shop's administrator's: it reports over every ticket, as a manager
sees them; ``--agent`` narrows it to one agent's queue (their own and their team's tickets),
as that agent sees it on the page."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper
from rich.console import Console

from guanxi.accounts.models import Agent
from guanxi.servicedesk import report_presenters as presenters
from guanxi.servicedesk import report_selectors
from guanxi.servicedesk.models import Ticket
from guanxi.web.cli import cli_period, tables_print, write_text, write_xlsx


def add_arguments(parser: CommandParser) -> None:
    parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--agent", default="", metavar="ID", help="one agent's queue only")
    parser.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table")
    parser.add_argument("--output", metavar="FILE", help="write here (xlsx needs a file)")


def _tickets(agent_id: str) -> Any:
    tickets = Ticket.objects.all()
    if not agent_id:
        return tickets
    agent = Agent.objects.filter(agent_id=agent_id).first()
    if agent is None:
        raise CommandError(
            f"--agent: no agent has the id {agent_id!r}; see the roster (客服名单)", returncode=2
        )
    mine = tickets.filter(assignee=agent)
    return tickets.filter(team=agent.team) | mine if agent.team else mine


def run(options: dict[str, Any], stdout: OutputWrapper) -> None:
    period = cli_period(options["start"], options["end"])
    report = report_selectors.desk_report(_tickets(options.get("agent") or ""), period)
    fmt = options.get("format") or "table"
    if fmt == "xlsx":
        write_xlsx(stdout, options, presenters.as_xlsx(report), "service desk report")
    elif fmt == "json":
        text = json.dumps(presenters.as_json(report), ensure_ascii=False, indent=2)
        write_text(stdout, options, text)
    elif fmt == "csv":
        write_text(stdout, options, presenters.as_csv(report))
    else:
        _print_tables(stdout, report)


def _print_tables(stdout: OutputWrapper, report: Any) -> None:
    console = Console(file=stdout, width=160)  # type: ignore[arg-type]
    console.print(presenters.period_title(report))
    if not report.has_data:
        console.print("No tickets in this period. 本期间没有工单。")
    tables_print(console, presenters.tables(report))  # the page's texts (minutes, hours)
