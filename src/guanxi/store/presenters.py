"""What the DSR and funnel pages show: formatted cells, chart series, flagged dimensions."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from guanxi.metrics.dsr import CAUSES, CAUSES_EN, DIMENSIONS, DsrMonth
from guanxi.metrics.funnel import STEPS, Funnel
from guanxi.store.exports.dsr import ARROWS, gap
from guanxi.web.exports.values import text_value
from guanxi.web.language import english


def dimension_names() -> dict[str, str]:
    en = english()
    return {key: (name_en if en else zh) for key, zh, name_en in DIMENSIONS}


def score_text(value: Any) -> str:
    return "—" if value is None else f"{value:.3f}"


@dataclass(frozen=True)
class DsrCell:
    key: str
    score: str
    industry: str
    gap: str
    arrow: str
    below: bool


@dataclass(frozen=True)
class DsrRow:
    month: str
    ratings: int
    cells: list[DsrCell]


def dsr_rows(months: list[DsrMonth]) -> list[DsrRow]:
    rows = []
    for m in months:
        cells = []
        for key, _zh, _en in DIMENSIONS:
            difference = gap(m, key)
            cells.append(
                DsrCell(
                    key=key,
                    score=score_text(m.scores[key]),
                    industry=score_text(m.industry[key]),
                    gap="—" if difference is None else f"{difference:+.3f}",
                    arrow=ARROWS.get(m.trend[key], ""),
                    below=m.trend[key] == "down",
                )
            )
        rows.append(DsrRow(f"{m.month:%Y-%m}", m.ratings, cells))
    return rows


@dataclass(frozen=True)
class Flag:
    key: str
    name: str
    score: str
    industry: str
    causes: str
    remedies: str


def dsr_flags(months: list[DsrMonth]) -> list[Flag]:
    """The latest month's dimensions below industry, with SPEC §4's causes and remedies."""
    if not months:
        return []
    latest = months[-1]
    names = dimension_names()
    advice = CAUSES_EN if english() else CAUSES
    return [
        Flag(
            key,
            names[key],
            score_text(latest.scores[key]),
            score_text(latest.industry[key]),
            *advice[key],
        )
        for key in latest.below_industry
    ]


# DSR scores live between 4 and 5 for nearly every shop; a fitted axis would blow a 0.02
# wobble up to the chart's full height, so the axis is fixed and widens only to show a value.
DSR_AXIS = (4.0, 5.0)


def dsr_axis_range(values: Iterable[Any]) -> tuple[float, float]:
    """The DSR charts' y range: 4.0–5.0, its bottom lowered to the tenth below the lowest
    score or industry average (``None``: no data) when one is under 4."""
    present = [float(v) for v in values if v is not None]
    low = min([DSR_AXIS[0], *present])
    return math.floor(round(low * 10, 6)) / 10, DSR_AXIS[1]


def dsr_chart(months: list[DsrMonth], labels: dict[str, str]) -> dict[str, Any]:
    """Series for the Plotly charts, one per dimension (JSON-safe; None = no data), and the
    y range they share."""

    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    names = dimension_names()
    return {
        "months": [f"{m.month:%Y-%m}" for m in months],
        "dimensions": [
            {
                "key": key,
                "name": names[key],
                "score": [num(m.scores[key]) for m in months],
                "industry": [num(m.industry[key]) for m in months],
            }
            for key, _zh, _en in DIMENSIONS
        ],
        "range": dsr_axis_range(
            value
            for m in months
            for key, _zh, _en in DIMENSIONS
            for value in (m.scores[key], m.industry[key])
        ),
        "labels": labels,
    }


@dataclass(frozen=True)
class FunnelRow:
    key: str
    name: str
    rate_name: str
    count: str
    step_rate: str
    overall_rate: str
    previous_count: str
    previous_step_rate: str
    previous_overall_rate: str
    width_percent: int  # bar width against UV, at least 1 so a step stays visible


def funnel_rows(current: Funnel, previous: Funnel) -> list[FunnelRow]:
    en = english()
    top = max((s.count for s in current.steps), default=0)
    rows = []
    for info, step, old in zip(STEPS, current.steps, previous.steps, strict=True):
        rows.append(
            FunnelRow(
                key=info.key,
                name=info.name_en if en else info.name_zh,
                rate_name=info.rate_en if en else info.rate_zh,
                count=text_value(step.count, "count"),
                step_rate=text_value(step.step_rate, "percent"),
                overall_rate=text_value(step.overall_rate, "percent"),
                previous_count=text_value(old.count, "count"),
                previous_step_rate=text_value(old.step_rate, "percent"),
                previous_overall_rate=text_value(old.overall_rate, "percent"),
                width_percent=max(1, round(100 * step.count / top)) if top else 0,
            )
        )
    return rows


def funnel_chart(current: Funnel, previous: Funnel, labels: dict[str, str]) -> dict[str, Any]:
    en = english()
    return {
        "steps": [info.name_en if en else info.name_zh for info in STEPS],
        "current": [s.count for s in current.steps],
        "previous": [s.count for s in previous.steps],
        "labels": labels,
    }
