"""The store funnel as JSON-ready dicts and a formatted XLSX workbook."""

from __future__ import annotations

from typing import Any

from guanxi.metrics.funnel import STEPS, Funnel
from guanxi.web.exports.values import json_value
from guanxi.web.exports.xlsx import Column, Sheet, workbook


def funnel_json(funnel: Funnel) -> dict[str, Any]:
    return {
        "from": str(funnel.period.start),
        "to": str(funnel.period.end),
        "has_data": funnel.has_data,
        "steps": [
            {
                "step": s.key,
                "count": s.count,
                "step_rate": json_value(s.step_rate, "percent"),
                "overall_rate": json_value(s.overall_rate, "percent"),
            }
            for s in funnel.steps
        ],
    }


def as_xlsx(current: Funnel, previous: Funnel, *, language: str) -> bytes:
    """This period's steps with their rates and the previous period's beside them."""
    en = language == "en"
    now = f"{current.period.start} – {current.period.end}"
    before = f"{previous.period.start} – {previous.period.end}"
    columns = [
        Column("Step" if en else "步骤", "text", 22),
        Column(f"{'Count' if en else '人数'}\n{now}", "count", 16),
        Column(f"{'Step rate' if en else '环节转化率'}\n{now}", "percent", 16),
        Column(f"{'Of visitors' if en else '占访客比例'}\n{now}", "percent", 16),
        Column(f"{'Count' if en else '人数'}\n{before}", "count", 16),
        Column(f"{'Step rate' if en else '环节转化率'}\n{before}", "percent", 16),
        Column(f"{'Of visitors' if en else '占访客比例'}\n{before}", "percent", 16),
    ]
    rows = []
    for info, step, old in zip(STEPS, current.steps, previous.steps, strict=True):
        rows.append(
            [
                info.name_en if en else info.name_zh,
                step.count,
                step.step_rate,
                step.overall_rate,
                old.count,
                old.step_rate,
                old.overall_rate,
            ]
        )
    notes = [
        "Step rate = this step ÷ the step before; of visitors = this step ÷ UV."
        if en
        else "环节转化率 = 本步 ÷ 上一步；占访客比例 = 本步 ÷ 访客数。"
    ]
    if not current.has_data:
        notes.append("No data in this period." if en else "本期间没有数据。")
    title = f"{'Store funnel' if en else '店铺转化漏斗'} {now}"
    return workbook(
        [
            Sheet(
                name="Funnel" if en else "转化漏斗",
                title=title,
                columns=columns,
                rows=rows,
                notes=notes,
            )
        ]
    )
