"""The agent report as JSON-ready dicts, CSV rows and a formatted XLSX workbook."""

from __future__ import annotations

import csv
import io
from typing import Any

from guanxi.core.timeutil import Period
from guanxi.metrics.agents import AGENT_METRICS, AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.web.exports.values import json_value
from guanxi.web.exports.xlsx import Column, Sheet, workbook


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


def as_xlsx(period: Period, reports: list[AgentReport], language: str = "both") -> bytes:
    """A formatted workbook: bold frozen header, yuan, percent and number formats. Headers in
    Chinese (``zh``), English (``en``) or both, one above the other (the CLI's default)."""

    def header(zh: str, en: str, both: str = "\n") -> str:
        return {"zh": zh, "en": en}.get(language, f"{zh}{both}{en}")

    columns = [Column(header("客服", "Agent", " "), "text", 12)] + [
        Column(header(m.name_zh, m.name_en), m.kind, 14) for m in AGENT_METRICS
    ]
    rows = [[r.agent_id] + [getattr(r, m.key) for m in AGENT_METRICS] for r in reports]
    title = {"zh": "客服绩效", "en": "Agent report"}.get(language, "客服绩效 Agent report")
    return workbook(
        [
            Sheet(
                name="Agents" if language == "en" else "客服绩效",
                title=f"{title} {period.start} – {period.end}",
                columns=columns,
                rows=rows,
            )
        ]
    )
