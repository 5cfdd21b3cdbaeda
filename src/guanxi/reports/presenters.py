"""What the printable monthly report shows: formatted tables and server-side SVG charts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from guanxi.metrics.agents import AGENT_METRICS
from guanxi.metrics.dsr import DIMENSIONS
from guanxi.metrics.funnel import STEPS
from guanxi.performance.exports import unit_label
from guanxi.reports.monthly import MonthlyReport
from guanxi.store import overview
from guanxi.store import presenters as store_presenters
from guanxi.web import charts
from guanxi.web.exports.values import text_value
from guanxi.web.language import english

# The agent table on A4: the figures a manager reads first; the agent page has all of them.
AGENT_COLUMNS = (
    "received_customers",
    "inquirers",
    "sales_amount",
    "aov",
    "inquiry_conversion_final",
    "payment_rate",
    "first_response_seconds",
    "avg_response_seconds",
    "three_minute_rate",
    "reply_rate",
    "returns",
)
KIND = {m.key: m.kind for m in AGENT_METRICS}


def _svg(markup: str) -> SafeString:
    return mark_safe(markup)  # charts.py escapes every text it writes


@dataclass(frozen=True)
class OverviewRow:
    key: str
    label: str
    value: str
    previous: str
    change: str
    trend: str


def overview_rows(report: MonthlyReport) -> list[OverviewRow]:
    if report.store is None or report.store_previous is None:
        return []
    tiles = overview.tiles(report.store, report.store_previous)
    return [OverviewRow(t.key, t.label, t.value, t.previous, t.change, t.trend) for t in tiles]


def agent_headers() -> list[str]:
    en = english()
    names = {m.key: (m.name_en if en else m.name_zh) for m in AGENT_METRICS}
    return [names[k] for k in AGENT_COLUMNS]


@dataclass(frozen=True)
class AgentRow:
    agent: str
    name: str
    cells: list[str]
    total: str


def agent_rows(report: MonthlyReport, names: dict[str, str]) -> list[AgentRow]:
    totals = {s.agent: s.total for s in report.scores}
    return [
        AgentRow(
            r.unit,
            names.get(r.unit, ""),
            [text_value(getattr(r, k), KIND[k]) for k in AGENT_COLUMNS],
            f"{totals[r.unit]:.1f}" if r.unit in totals else "—",
        )
        for r in report.agents
    ]


def team_rows(report: MonthlyReport) -> list[AgentRow]:
    """The 客服组 table: each team's own figures (no score: scorecards rank agents)."""
    return [
        AgentRow(
            r.unit,
            unit_label(r.unit),
            [text_value(getattr(r, k), KIND[k]) for k in AGENT_COLUMNS],
            "",
        )
        for r in report.teams
    ]


@dataclass(frozen=True)
class ScoreRow:
    agent: str
    items: list[str]  # "band → score" per item
    total: str


def score_table(report: MonthlyReport) -> tuple[list[str], list[ScoreRow]]:
    """The scorecard: per agent each item's value, band score and weight, then the total."""
    if not report.scores:
        return [], []
    # The card's own labels are Chinese; in English a metric item takes the metric's name.
    en = english()
    names = {m.key: m.name_en for m in AGENT_METRICS} if en else {}
    headers = [
        f"{names.get(i.metric, i.label)} ({i.weight * 100:.0f}%)" for i in report.scores[0].items
    ]
    rows = []
    for s in report.scores:
        cells = []
        for item in s.items:
            kind = KIND.get(item.metric, "ratio")
            value = text_value(item.value, kind) if item.value is not None else "—"
            cells.append(f"{value} → {item.score:.0f}")
        rows.append(ScoreRow(s.agent, cells, f"{s.total:.1f}"))
    return headers, rows


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _money(value: float) -> str:
    return f"¥{value:,.0f}"


def charts_for(report: MonthlyReport) -> dict[str, Any]:
    """Inline SVG for print: daily trend, scorecard totals, DSR per dimension, the funnel."""
    out: dict[str, Any] = {}
    if report.daily:
        days = [f"{row['day']:%d}" for row in report.daily]
        out["daily_people"] = _svg(
            charts.line_chart(
                days,
                [
                    charts.Series(
                        str(overview.LABELS["consulting_customers"]),
                        [float(str(r["consulting_customers"])) for r in report.daily],
                    ),
                    charts.Series(
                        str(overview.LABELS["paying_customers"]),
                        [float(str(r["paying_customers"])) for r in report.daily],
                    ),
                ],
                title=_("每日咨询人数与支付买家数"),
                zero_based=True,
                width=680,
                height=200,
            )
        )
        out["daily_amount"] = _svg(
            charts.bar_chart(
                days,
                [
                    charts.Series(
                        str(overview.LABELS["paid_amount"]),
                        [float(Decimal(str(r["paid_amount"]))) for r in report.daily],
                        color="#b42318",
                    )
                ],
                title=_("每日支付金额"),
                width=680,
                height=180,
                fmt=_money,
            )
        )
    if report.scores:
        out["scores"] = _svg(
            charts.bar_chart(
                [s.agent for s in report.scores],
                [charts.Series(_("考核得分"), [float(s.total) for s in report.scores])],
                title=_("KPI 考核得分"),
                width=680,
                height=180,
                show_values=True,
                fmt=lambda v: f"{v:.1f}",
            )
        )
    if report.dsr and any(m.ratings for m in report.dsr):
        names = store_presenters.dimension_names()
        labels = [f"{m.month:%m}" for m in report.dsr]
        # One fixed axis for the three, as on the DSR page (4–5, lower only to show a value).
        y_range = store_presenters.dsr_axis_range(
            value
            for m in report.dsr
            for key, _zh, _en in DIMENSIONS
            for value in (m.scores[key], m.industry[key])
        )
        dsr_charts = []
        for key, _zh, _en in DIMENSIONS:
            scores = [_float(m.scores[key]) for m in report.dsr]
            marks = [_float(m.industry[key]) for m in report.dsr]
            dsr_charts.append(
                (
                    names[key],
                    _svg(
                        charts.line_chart(
                            labels,
                            [
                                charts.Series(_("本店"), scores, "#2563eb"),
                                charts.Series(_("行业均值"), marks, "#b42318", dashed=True),
                            ],
                            title=names[key],
                            width=224,
                            height=170,
                            fmt=lambda v: f"{v:.2f}",
                            y_range=y_range,
                        )
                    ),
                )
            )
        out["dsr"] = dsr_charts
    if report.funnel is not None and report.funnel.has_data:
        en = english()
        notes = []
        for info, step in zip(STEPS, report.funnel.steps, strict=True):
            rate = text_value(step.step_rate, "percent") if step.step_rate is not None else ""
            notes.append(f"{info.rate_en if en else info.rate_zh} {rate}".strip())
        out["funnel"] = _svg(
            charts.funnel_chart(
                [info.name_en if en else info.name_zh for info in STEPS],
                [s.count for s in report.funnel.steps],
                notes,
                title=_("店铺转化漏斗"),
                width=680,
            )
        )
    return out
