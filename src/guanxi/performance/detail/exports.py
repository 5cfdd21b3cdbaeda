"""One agent's daily figures as a formatted XLSX workbook (the detail page's daily table)."""

from __future__ import annotations

import io

from guanxi.core.timeutil import Period
from guanxi.metrics.agent_detail import DAILY_KEYS, AgentDay
from guanxi.metrics.agents import AGENT_METRICS, AgentReport
from guanxi.web.exports.safe import xlsx_workbook

METRICS = {m.key: m for m in AGENT_METRICS}


# The period row's clock-time response columns and their business-time variants (SPEC §2).
BUSINESS_COLUMNS = {
    "first_response_seconds": "first_response_business_seconds",
    "avg_response_seconds": "avg_response_business_seconds",
}


def daily_xlsx(
    period: Period,
    agent_id: str,
    days: list[AgentDay],
    report: AgentReport | None,
    *,
    has_rota: bool = False,
) -> bytes:
    """Bold frozen header, one row per local day, then the period's own figures (the agent
    report's: distinct customers over the period, not the days' sum). Without data for the
    period the sheet says so instead of holding zeros.

    Under the period row, the period's business-time response times in the first and average
    response columns (only the period has them: the report computes business time per
    period), or a line saying the agent has no rota."""
    buffer = io.BytesIO()
    book = xlsx_workbook(buffer)
    sheet = book.add_worksheet("每日趋势")
    bold = book.add_format(
        {"bold": True, "bg_color": "#F1F5F9", "text_wrap": True, "valign": "top"}
    )
    formats = {
        "money": book.add_format({"num_format": "¥#,##0.00"}),
        "percent": book.add_format({"num_format": "0.00%"}),
        "seconds": book.add_format({"num_format": "0.0"}),
        "count": book.add_format({"num_format": "#,##0"}),
    }
    total = book.add_format({"bold": True, "top": 1})
    label = book.add_format({"bold": True})
    sheet.write(0, 0, f"客服 {agent_id} 每日趋势 Daily figures {period.start} – {period.end}", bold)
    sheet.write(1, 0, "日期 Day", bold)
    for col, key in enumerate(DAILY_KEYS, start=1):
        metric = METRICS[key]
        sheet.write(1, col, f"{metric.name_zh}\n{metric.name_en}", bold)
        sheet.set_column(col, col, 14, formats[metric.kind])
    sheet.set_row(1, 32)
    sheet.set_column(0, 0, 14)
    if report is None:
        sheet.write(2, 0, "本期间没有数据 No data for this period")
    for row, day in enumerate(days, start=2):
        sheet.write(row, 0, day.day.isoformat())
        for col, key in enumerate(DAILY_KEYS, start=1):
            value = getattr(day, key)
            if value is None:
                sheet.write_blank(row, col, None)
            else:
                sheet.write_number(row, col, float(value), formats[METRICS[key].kind])
    if report is not None:
        row = len(days) + 2
        sheet.write(row, 0, "本期 Period", total)
        for col, key in enumerate(DAILY_KEYS, start=1):
            value = getattr(report, key)
            if value is None:
                sheet.write_blank(row, col, None, total)
            else:
                sheet.write_number(row, col, float(value), formats[METRICS[key].kind])
        if has_rota:
            sheet.write(row + 1, 0, "本期（工作时间）Period, business time", label)
            for col, key in enumerate(DAILY_KEYS, start=1):
                value = getattr(report, BUSINESS_COLUMNS[key]) if key in BUSINESS_COLUMNS else None
                if value is not None:
                    sheet.write_number(row + 1, col, float(value), formats["seconds"])
        else:
            sheet.write(row + 1, 0, "未排班，没有工作时间口径 No rota: no business-time figures")
    sheet.freeze_panes(2, 1)
    book.close()
    return buffer.getvalue()
