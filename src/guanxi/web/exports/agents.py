"""The agent report as JSON-ready dicts, CSV rows and a formatted XLSX workbook."""

from __future__ import annotations

import csv
import io
from typing import Any

from guanxi.core.timeutil import Period
from guanxi.metrics.agents import AGENT_METRICS, AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.web.exports.values import json_value


def as_json(
    period: Period, reports: list[AgentReport], findings: dict[str, list[Finding]] | None = None
) -> dict[str, Any]:
    findings = findings or {}
    kinds = {m.key: m.kind for m in AGENT_METRICS}
    return {
        "from": str(period.start),
        "to": str(period.end),
        "has_data": bool(reports),
        "agents": [
            {"agent": r.agent_id}
            | {m.key: json_value(getattr(r, m.key), m.kind) for m in AGENT_METRICS}
            | {
                "diagnosis": [
                    {
                        "metric": f.metric,
                        "value": json_value(f.value, kinds[f.metric]),
                        "why": f.why,
                        "causes": f.causes,
                        "remedies": f.remedies,
                    }
                    for f in findings.get(r.agent_id, [])
                ]
            }
            for r in reports
        ],
    }


def as_csv(reports: list[AgentReport]) -> str:
    """UTF-8 with BOM so Excel opens the Chinese header correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agent"] + [f"{m.name_zh} {m.key}" for m in AGENT_METRICS])
    for r in reports:
        row = [r.agent_id]
        for m in AGENT_METRICS:
            value = getattr(r, m.key)
            row.append(
                "" if value is None else (f"{value:.2f}" if m.kind == "money" else str(value))
            )
        writer.writerow(row)
    return "\ufeff" + out.getvalue()


def as_xlsx(period: Period, reports: list[AgentReport]) -> bytes:
    """A formatted workbook: bold frozen header, yuan, percent and number formats."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("客服绩效")
    bold = book.add_format(
        {"bold": True, "bg_color": "#F1F5F9", "text_wrap": True, "valign": "top"}
    )
    formats = {
        "money": book.add_format({"num_format": "¥#,##0.00"}),
        "percent": book.add_format({"num_format": "0.00%"}),
        "ratio": book.add_format({"num_format": "0.00"}),
        "seconds": book.add_format({"num_format": "0.0"}),
        "count": book.add_format({"num_format": "#,##0"}),
    }
    sheet.write(0, 0, f"客服绩效 Agent report {period.start} – {period.end}", bold)
    sheet.write(1, 0, "客服 Agent", bold)
    for col, metric in enumerate(AGENT_METRICS, start=1):
        sheet.write(1, col, f"{metric.name_zh}\n{metric.name_en}", bold)
        sheet.set_column(col, col, 14, formats[metric.kind])
    sheet.set_row(1, 32)
    sheet.set_column(0, 0, 12)
    for row, report in enumerate(reports, start=2):
        sheet.write(row, 0, report.agent_id)
        for col, metric in enumerate(AGENT_METRICS, start=1):
            value = getattr(report, metric.key)
            if value is None:
                sheet.write_blank(row, col, None)
            else:
                sheet.write_number(row, col, float(value), formats[metric.kind])
    sheet.freeze_panes(2, 1)
    book.close()
    return buffer.getvalue()
