"""The DSR trend as JSON-ready dicts and a formatted XLSX workbook."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from guanxi.metrics.dsr import CAUSES, CAUSES_EN, DIMENSIONS, DsrMonth
from guanxi.web.exports.xlsx import Column, Sheet, workbook

ARROWS = {"up": "↑", "down": "↓"}


def dsr_json(months: list[DsrMonth]) -> list[dict[str, Any]]:
    def num(value: Any) -> float | None:
        return None if value is None else float(value)

    return [
        {
            "month": f"{m.month:%Y-%m}",
            "ratings": m.ratings,
            **{
                key: {
                    "score": num(m.scores[key]),
                    "industry": num(m.industry[key]),
                    "trend": m.trend[key] or None,
                    "below_industry": key in m.below_industry,
                }
                for key, _zh, _en in DIMENSIONS
            },
        }
        for m in months
    ]


def gap(month: DsrMonth, key: str) -> Decimal | None:
    """Score − industry average (positive: above industry)."""
    score, mark = month.scores[key], month.industry[key]
    return None if score is None or mark is None else score - mark


def as_xlsx(months: list[DsrMonth], *, window: str, language: str) -> bytes:
    """The DSR trend: per month and dimension the rolling score, the industry average, the
    gap and ↑/↓; the latest month's dimensions below industry with causes and remedies."""
    en = language == "en"
    columns = [Column("Month" if en else "月份", "text", 10)]
    columns.append(Column("Ratings in window" if en else "窗口内评分数", "count", 12))
    for _key, zh, name_en in DIMENSIONS:
        name = name_en if en else zh
        columns += [
            Column(f"{name}\n{'score' if en else '得分'}", "score", 13),
            Column(f"{name}\n{'industry' if en else '行业均值'}", "score", 13),
            Column(f"{name}\n{'gap' if en else '差距'}", "score", 11),
            Column(f"{name}\n{'vs industry' if en else '对比行业'}", "text", 11),
        ]
    rows = []
    for m in months:
        row: list[Any] = [f"{m.month:%Y-%m}", m.ratings]
        for key, _zh, _en in DIMENSIONS:
            row += [m.scores[key], m.industry[key], gap(m, key), ARROWS.get(m.trend[key], "")]
        rows.append(row)
    notes = [("Rolling window: " if en else "滚动窗口：") + window]
    if months:
        names = {k: (e if en else z) for k, z, e in DIMENSIONS}
        for key in months[-1].below_industry:
            causes, remedies = (CAUSES_EN if en else CAUSES)[key]
            notes.append(
                f"{names[key]} below industry — causes: {causes}; remedies: {remedies}"
                if en
                else f"{names[key]}低于行业 — 原因：{causes}；建议：{remedies}"
            )
    else:
        notes.append("No DSR ratings." if en else "没有店铺评分数据。")
    title = "DSR against industry" if en else "店铺动态评分（DSR）对比行业"
    return workbook([Sheet(name="DSR", title=title, columns=columns, rows=rows, notes=notes)])
