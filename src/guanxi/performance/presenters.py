"""The agent performance table (agents, teams or the shop, with the previous period) and the
trend of one unit: formatted cells, the line chart, the rows of the parts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from guanxi.core.timeutil import Period
from guanxi.metrics.agents import (
    AGENT_METRICS,
    BUSINESS_KEYS,
    NO_TEAM,
    AgentMetric,
    AgentReport,
)
from guanxi.metrics.diagnosis import Finding
from guanxi.performance.exports import part_is_partial, unit_label
from guanxi.web import charts
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
    agent: str  # the unit's key: an agent's id, a team's name, NO_TEAM or SHOP
    label: str  # how the unit is shown: the agent's id, the team's name, 未分组, 全店
    name: str
    cells: list[Cell]
    findings: list[Finding]


def shown_metrics(reports: Sequence[AgentReport]) -> tuple[AgentMetric, ...]:
    """Every metric, but the business-time ones only when some agent has a schedule (teams
    and the shop never do: rotas are agents')."""
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
    before = {r.unit: r for r in previous}
    out = []
    for report in current:
        weak = {f.metric for f in findings.get(report.unit, [])}
        old = before.get(report.unit)
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
                report.unit,
                unit_label(report.unit),
                names.get(report.unit, ""),
                cells,
                findings.get(report.unit, []),
            )
        )
    return out


# -- the trend of one unit --------------------------------------------------------------------
@dataclass(frozen=True)
class PartRow:
    start: str
    end: str
    has_data: bool
    cells: list[Cell]
    partial: bool  # less than a whole week or month, or not over yet (part_is_partial)


@dataclass(frozen=True)
class Trend:
    unit: str
    label: str
    metric: AgentMetric
    metrics: tuple[AgentMetric, ...]
    rows: list[PartRow]
    chart: SafeString
    has_data: bool


def _tick_format(kind: str) -> Callable[[float], str]:
    """Axis ticks as the table writes the figures: percent, yuan, seconds, counts."""

    def number(value: float) -> str:
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")

    if kind == "percent":
        return lambda v: f"{number(round(v * 100, 6))}%"
    if kind == "money":
        return lambda v: f"¥{number(v)}"
    return number


def unit_choices(
    known: Sequence[str],
    series: Sequence[tuple[Period, list[AgentReport]]],
    chosen: str,
    names: dict[str, str],
) -> list[tuple[str, str]]:
    """The unit selector's (key, label): the ``known`` units, those with figures in
    ``series`` and the ``chosen`` one; by id or name, agents in no team (未分组) last."""
    keys = set(known) | {r.unit for _part, reports in series for r in reports}
    keys |= {chosen} if chosen else set()
    ordered = sorted(keys, key=lambda k: (k == NO_TEAM, k))
    return [(k, f"{unit_label(k)} {names.get(k, '')}".strip()) for k in ordered]


def compare_chart(
    series: Sequence[tuple[Period, list[AgentReport]]],
    by: str,
    units: Sequence[tuple[str, str]],
    metric_key: str,
    *,
    title: str,
) -> SafeString | None:
    """One line per unit of ``units`` (key, label) for ``metric_key`` over the parts of
    ``series``, so a manager sees who drifts; ``None`` when fewer than two units have a
    figure to draw. Each unit's own figures, as in its single trend."""
    metric = next(m for m in AGENT_METRICS if m.key == metric_key)
    lines = []
    for key, label in units:
        values = []
        for _part, reports in series:
            report = next((r for r in reports if r.unit == key), None)
            value = getattr(report, metric.key) if report else None
            values.append(None if value is None else float(value))
        if any(v is not None for v in values):
            lines.append(charts.Series(label, values))
    return _parts_chart(series, by, lines, metric, title) if len(lines) >= 2 else None


def _parts_chart(
    series: Sequence[tuple[Period, list[AgentReport]]],
    by: str,
    lines: list[charts.Series],
    metric: AgentMetric,
    title: str,
) -> SafeString:
    """The trend page's line chart of ``metric`` over the parts of ``series``; a part cut
    short (``part_is_partial``) has a hollow point, a dashed stretch and a legend note."""
    svg = charts.line_chart(
        [part_label(part, by) for part, _reports in series],
        lines,
        title=title,
        width=960,
        height=280,
        fmt=_tick_format(metric.kind),
        zero_based=metric.kind in ("count", "money"),
        partial=[part_is_partial(part, by) for part, _reports in series],
        partial_note=partial_note(by),
    )
    return mark_safe(svg)  # charts.py escapes every text it writes


def partial_note(by: str) -> str:
    """The chart legend's name for a part cut short."""
    return {"week": _("不完整的周"), "month": _("不完整的月")}.get(by, _("未过完的一天"))


def part_label(part: Period, by: str) -> str:
    """The x label of a part: its month (2025-12), else its first day (12-01)."""
    return f"{part.start:%Y-%m}" if by == "month" else f"{part.start:%m-%d}"


def trend(
    series: list[tuple[Period, list[AgentReport]]],
    by: str,
    unit: str,
    metric_key: str,
    *,
    metric_name: Callable[[AgentMetric], str],
    title: str,
) -> Trend:
    """``unit``'s figures in each part of ``series`` (every unit's reports per part): a row
    per part with every metric ("—" where the unit has no figures), and the line of
    ``metric_key``, broken where a part has no value rather than drawn through zero."""
    metric = next(m for m in AGENT_METRICS if m.key == metric_key)
    reports = [
        next((r for r in part_reports if r.unit == unit), None) for _p, part_reports in series
    ]
    present = [r for r in reports if r is not None]
    metrics = shown_metrics(present)
    table = []
    for (part, _all), report in zip(series, reports, strict=True):
        cells = []
        for m in metrics:
            value = getattr(report, m.key) if report else None
            cells.append(
                Cell(
                    key=m.key,
                    text=text_value(value, m.kind),
                    sort="" if value is None else str(value),
                    previous="",
                    weak=False,
                )
            )
        table.append(
            PartRow(
                str(part.start),
                str(part.end),
                report is not None,
                cells,
                partial=part_is_partial(part, by),
            )
        )
    values = [
        None if r is None or getattr(r, metric.key) is None else float(getattr(r, metric.key))
        for r in reports
    ]
    chart = _parts_chart(series, by, [charts.Series(metric_name(metric), values)], metric, title)
    return Trend(
        unit=unit,
        label=unit_label(unit),
        metric=metric,
        metrics=metrics,
        rows=table,
        chart=chart,
        has_data=bool(present),
    )
