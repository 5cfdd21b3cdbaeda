"""``guanxi report agents``: the agent table, or its series by day, week or month, as a table,
JSON, CSV or XLSX."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from rich.console import Console
from rich.table import Table

from guanxi.core.timeutil import Period
from guanxi.metrics.agents import AGENT_METRICS, AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.performance import exports as agent_exports
from guanxi.performance import selectors as agent_selectors
from guanxi.web.cli import write_text, write_xlsx
from guanxi.web.exports.values import text_value


def report_agents(out: OutputWrapper, period: Period, options: dict[str, Any]) -> None:
    view, by = options["view"], options["by"]
    if options["team"] and view != "team":
        raise CommandError("--team needs --view team", returncode=2)
    if options["agent"] and view != "agent":
        raise CommandError("--agent needs --view agent (the default)", returncode=2)
    if by:
        agent_series(out, period, by, view, options)
        return
    table = agent_selectors.agent_table(period, view=view, only=options["agent"] or options["team"])
    reports, findings = table.rows, table.findings
    fmt = options["format"]
    if fmt == "xlsx":
        content = agent_exports.as_xlsx(period, reports, view=view)
        write_xlsx(out, options, content, f"{len(reports)} rows")
        return
    if fmt == "json":
        data = agent_exports.as_json(period, reports, findings, view=view)
        text = json.dumps(data, ensure_ascii=False, indent=2)
    elif fmt == "csv":
        text = agent_exports.as_csv(reports, view)
    else:
        agents_table(out, period, reports, findings)
        return
    write_text(out, options, text)


def agent_series(
    out: OutputWrapper, period: Period, by: str, view: str, options: dict[str, Any]
) -> None:
    series = agent_selectors.period_series(period, by, view, options["agent"] or options["team"])
    fmt = options["format"]
    if fmt == "xlsx":
        content = agent_exports.as_xlsx(period, [], view=view, series=series, by=by)
        write_xlsx(out, options, content, f"{len(series)} periods")
    elif fmt == "json":
        data = agent_exports.series_json(period, by, view, series)
        write_text(out, options, json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        write_text(out, options, agent_exports.series_csv(list(series), view, by))
    else:
        for part, reports in series:
            agents_table(out, part, reports, {})


def agents_table(
    out: OutputWrapper,
    period: Period,
    reports: list[AgentReport],
    findings: dict[str, list[Finding]],
) -> None:
    console = Console(file=out, width=160)  # type: ignore[arg-type]
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
                f"⚠ {report.unit} {names[f.metric]} ({f.why}): 原因 {f.causes}；建议 {f.remedies}"
            )
