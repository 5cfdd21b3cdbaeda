"""The agent report as JSON-ready dicts, CSV rows and a formatted XLSX workbook."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.timeutil import Period, is_partial
from guanxi.metrics.agents import AGENT_METRICS, NO_TEAM, SHOP, AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.web.exports.safe import csv_writer
from guanxi.web.exports.values import json_value
from guanxi.web.exports.xlsx import Column, Sheet, workbook


def unit_label(key: str) -> str:
    """How a report's unit is shown: an agent's id, a team's name, 未分组 or 全店."""
    return {NO_TEAM: _("未分组"), SHOP: _("全店")}.get(key, key)


def part_is_partial(part: Period, by: str) -> bool:
    """Whether a trend's ``part`` is less than a whole week or month (clipped by the period at
    either end) or not over yet (the shop's today or later): its figures are not comparable
    with a whole part's, so pages, the API and exports mark it."""
    return is_partial(part, by, today=timezone.localdate())


def unit_json(view: str, key: str) -> dict[str, Any]:
    """The unit of a JSON report entry: ``{"agent": id}``, ``{"team": name}`` (``null``:
    agents in no team) or ``{"shop": "shop"}``."""
    if view == "team":
        return {"team": None if key == NO_TEAM else key}
    if view == "shop":
        return {"shop": "shop"}
    return {"agent": key}


def as_json(
    period: Period,
    reports: list[AgentReport],
    findings: dict[str, list[Finding]] | None = None,
    view: str = "agent",
) -> dict[str, Any]:
    findings = findings or {}
    kinds = {m.key: m.kind for m in AGENT_METRICS}
    return {
        "from": str(period.start),
        "to": str(period.end),
        "view": view,
        "has_data": bool(reports),
        "agents": [
            unit_json(view, r.unit)
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
                    for f in findings.get(r.unit, [])
                ]
            }
            for r in reports
        ],
    }


def series_json(
    period: Period, by: str, view: str, series: list[tuple[Period, list[AgentReport]]]
) -> dict[str, Any]:
    """A report by day, week or month: each part as ``as_json`` gives it."""
    return {
        "from": str(period.start),
        "to": str(period.end),
        "by": by,
        "view": view,
        "periods": [
            as_json(part, reports, view=view) | {"partial": part_is_partial(part, by)}
            for part, reports in series
        ],
    }


def _csv_values(report: AgentReport) -> list[str]:
    out = []
    for m in AGENT_METRICS:
        value = getattr(report, m.key)
        out.append("" if value is None else (f"{value:.2f}" if m.kind == "money" else str(value)))
    return out


def as_csv(reports: list[AgentReport], view: str = "agent") -> str:
    """UTF-8 with BOM so Excel opens the Chinese header correctly."""
    return series_csv([(None, reports)], view)


def series_csv(
    series: list[tuple[Period | None, list[AgentReport]]], view: str = "agent", by: str = ""
) -> str:
    """One row per unit (and per part of the period, whose days come first when given, then
    ``partial``, 1 for a part cut short, when the parts are ``by`` week, month or day)."""
    out = io.StringIO()
    writer = csv_writer(out)
    dated = any(part for part, _reports in series)
    head = (["from", "to"] + (["partial"] if by else [])) if dated else []
    writer.writerow(head + [view] + [f"{m.name_zh} {m.key}" for m in AGENT_METRICS])
    for part, reports in series:
        days = [str(part.start), str(part.end)] if part else []
        if part and by:
            days.append("1" if part_is_partial(part, by) else "")
        for r in reports:
            writer.writerow([*days, unit_label(r.unit), *_csv_values(r)])
    return "\ufeff" + out.getvalue()


UNIT_HEADERS = {"agent": ("客服", "Agent"), "team": ("客服组", "Team"), "shop": ("全店", "Shop")}


PARTIAL_NOTE = (
    "不完整：不足整周（周一至周日）或整月的一段（被所选期间截断，或尚未结束），"
    "不宜与完整的一段直接比较。",
    "Partial: a part shorter than a whole week (Monday to Sunday) or month (cut by the "
    "chosen period, or not over yet); do not compare it directly with a whole one.",
)


def as_xlsx(
    period: Period,
    reports: list[AgentReport],
    language: str = "both",
    view: str = "agent",
    series: list[tuple[Period, list[AgentReport]]] | None = None,
    by: str = "",
) -> bytes:
    """A formatted workbook: bold frozen header, yuan, percent and number formats. Headers in
    Chinese (``zh``), English (``en``) or both, one above the other (the CLI's default).
    With ``series`` (a report by day, week or month) each row starts with its part's days,
    then, given ``by``, 不完整 / partial on a part cut short (``part_is_partial``) and a note
    under the table saying what that means."""

    def header(zh: str, en: str, both: str = "\n") -> str:
        return {"zh": zh, "en": en}.get(language, f"{zh}{both}{en}")

    parts: list[tuple[Period | None, list[AgentReport]]] = (
        list(series) if series else [(None, reports)]
    )
    partial = {part for part, _r in parts if part and by and part_is_partial(part, by)}
    dated = [
        Column(header("开始", "From", " "), "text", 11),
        Column(header("结束", "To", " "), "text", 11),
    ] + ([Column(header("不完整", "Partial", " "), "text", 10)] if by else [])

    def days(part: Period) -> list[object]:
        flag = [header("不完整", "partial", " ") if part in partial else ""] if by else []
        return [str(part.start), str(part.end), *flag]

    columns = (dated if series else []) + [
        Column(header(*UNIT_HEADERS[view], " "), "text", 12),
        *(Column(header(m.name_zh, m.name_en), m.kind, 14) for m in AGENT_METRICS),
    ]
    rows = [
        (days(part) if part else [])
        + [unit_label(r.unit)]
        + [getattr(r, m.key) for m in AGENT_METRICS]
        for part, part_reports in parts
        for r in part_reports
    ]
    zh_note, en_note = PARTIAL_NOTE
    notes = {"zh": [zh_note], "en": [en_note]}.get(language, [zh_note, en_note])
    title = {"zh": "客服绩效", "en": "Agent report"}.get(language, "客服绩效 Agent report")
    return workbook(
        [
            Sheet(
                name="Agents" if language == "en" else "客服绩效",
                title=f"{title} {period.start} – {period.end}",
                columns=columns,
                rows=rows,
                notes=notes if partial else (),
            )
        ]
    )
