"""The agent performance table: formatted cells, previous-period figures, team row."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from guanxi.metrics.agents import AGENT_METRICS, BUSINESS_KEYS, AgentMetric, AgentReport
from guanxi.metrics.diagnosis import Finding
from guanxi.web.exports.values import text_value


@dataclass(frozen=True)
class Cell:
    key: str
    text: str
    sort: str  # a number for the client-side sort ("" when no data)
    previous: str
    weak: bool


@dataclass(frozen=True)
class Row:
    agent: str
    name: str
    cells: list[Cell]
    findings: list[Finding]


def shown_metrics(reports: list[AgentReport]) -> tuple[AgentMetric, ...]:
    """Every metric, but the business-time ones only when some agent has a schedule."""
    return tuple(
        m
        for m in AGENT_METRICS
        if m.key not in BUSINESS_KEYS or any(getattr(r, m.key) is not None for r in reports)
    )


def rows(
    current: list[AgentReport],
    previous: list[AgentReport],
    names: dict[str, str],
    findings: dict[str, list[Finding]],
    metrics: Sequence[AgentMetric] = AGENT_METRICS,
) -> list[Row]:
    before = {r.agent_id: r for r in previous}
    out = []
    for report in current:
        weak = {f.metric for f in findings.get(report.agent_id, [])}
        old = before.get(report.agent_id)
        cells = []
        for m in metrics:
            value = getattr(report, m.key)
            cells.append(
                Cell(
                    key=m.key,
                    text=text_value(value, m.kind),
                    sort="" if value is None else str(value),
                    previous=text_value(getattr(old, m.key), m.kind) if old else "—",
                    weak=m.key in weak,
                )
            )
        out.append(
            Row(
                report.agent_id,
                names.get(report.agent_id, ""),
                cells,
                findings.get(report.agent_id, []),
            )
        )
    return out


def team_row(
    current: list[AgentReport], metrics: Sequence[AgentMetric] = AGENT_METRICS
) -> list[str]:
    """Totals of counts and amounts; the agents' median of rates and times (labelled so)."""
    out = []
    for m in metrics:
        values = [getattr(r, m.key) for r in current if getattr(r, m.key) is not None]
        if not values:
            out.append("—")
        elif m.kind in ("count", "money") and m.key not in ("aov",):
            out.append(text_value(sum(values, Decimal(0) if m.kind == "money" else 0), m.kind))
        else:
            out.append(text_value(statistics.median(values), m.kind))
    return out
