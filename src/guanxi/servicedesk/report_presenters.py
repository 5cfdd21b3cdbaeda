"""How the service desk's report is shown and written out: labelled table rows, the Plotly
charts' data (the numbers are in the tables beside them), XLSX sheets, CSV and JSON.

One set of rows (``tables``) feeds the page, the XLSX, the CSV and the CLI's table, so a
figure reads the same everywhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.servicedesk.models import Category, Tier
from guanxi.servicedesk.reports import (
    AGE_BANDS,
    ALL,
    NOBODY,
    CsatFigures,
    DeskReport,
    Rate,
    TimeRow,
    UnitDesk,
)
from guanxi.web.exports.tables import Table, cell_text, tables_csv
from guanxi.web.exports.values import json_value, text_value
from guanxi.web.exports.xlsx import Column, workbook


def band_labels() -> dict[str, str]:
    return {
        "lt4h": _("< 4 小时"),
        "4to24h": _("4–24 小时"),
        "1to3d": _("1–3 天"),
        "3to7d": _("3–7 天"),
        "gt7d": _("> 7 天"),
    }


def tier_label(tier: str) -> str:
    if tier == ALL:
        return _("全部级别")
    return str(Tier(tier).label) if tier in Tier.values else tier


def category_label(category: str) -> str:
    return str(Category(category).label) if category in Category.values else category


def unit_label(unit: str, by: str) -> str:
    if unit == NOBODY:
        return _("未分派") if by == "agent" else _("未分组")
    if by == "tier":
        return tier_label(unit)
    return unit


def duration_text(seconds: Decimal | None) -> str:
    """Business seconds as minutes under an hour, else hours (1 decimal / 2 decimals)."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("%(n)s 分钟") % {"n": f"{seconds / 60:.1f}"}
    return _("%(n)s 小时") % {"n": f"{seconds / 3600:.2f}"}


def percent(value: Decimal | None) -> str:
    return text_value(value, "percent")


def _cell(value: Any, kind: str) -> str:
    """A cell's text on the page: business seconds as minutes or hours, the rest as usual."""
    return duration_text(value) if kind == "seconds" else cell_text(value, kind)


def _table(
    key: str,
    title: str,
    columns: list[Column],
    rows: list[list[Any]],
    note: str = "",
    headers: list[str] | None = None,
) -> Table:
    return Table(key, title, columns, rows, note, headers or [], _cell)


def open_table(report: DeskReport) -> Table:
    labels = band_labels()
    columns = [Column(_("级别"), "text", 12)]
    columns += [Column(labels[k], "count", 10) for k, _low in AGE_BANDS]
    columns += [Column(_("合计"), "count", 10), Column(_("其中已超时"), "count", 12)]
    rows = [
        [tier_label(r.tier), *(r.bands[k] for k, _low in AGE_BANDS), r.total, r.breached]
        for r in report.open
    ]
    note = _("未关闭工单：在报告截止时刻之前受理、截至该时刻尚未解决或关闭；按受理至今的时长分段。")
    return _table("open", _("未关闭工单（按级别和时长）"), columns, rows, note)


def _time_table(key: str, title: str, rows: list[TimeRow], note: str) -> Table:
    # The exports carry business seconds (numbers to sum); the page reads minutes or hours.
    columns = [
        Column(_("级别"), "text", 12),
        Column(_("工单数"), "count", 10),
        Column(_("已计时"), "count", 10),
        Column(_("中位数（工作秒）"), "seconds", 14),
        Column(_("平均（工作秒）"), "seconds", 14),
        Column(_("达标数"), "count", 10),
        Column(_("达标率"), "percent", 10),
    ]
    values = [
        [
            tier_label(r.tier),
            r.tickets,
            r.timed,
            r.median_seconds,
            r.mean_seconds,
            r.within,
            r.within_share,
        ]
        for r in rows
    ]
    headers = [c.header for c in columns]
    headers[3:5] = [_("中位数（工作时长）"), _("平均（工作时长）")]
    return _table(key, title, columns, values, note, headers)


def first_response_table(report: DeskReport) -> Table:
    return _time_table(
        "first_response",
        _("首次响应时间与时效目标"),
        report.first_response,
        _(
            "期间受理、已首次响应或已超时未响应的工单；时间为排班内的工作时长（等待客户时暂停），"
            "中位数和平均只计已响应的；达标率 = 未超时且已响应 ÷ 工单数。"
        ),
    )


def resolution_table(report: DeskReport) -> Table:
    return _time_table(
        "resolution",
        _("解决时间与时效目标"),
        report.resolution,
        _("期间解决的工单；时间为排班内的工作时长（等待客户时暂停）；达标率 = 未超时 ÷ 工单数。"),
    )


def rates_table(report: DeskReport) -> Table:
    columns = [
        Column(_("指标"), "text", 22),
        Column(_("分子"), "count", 10),
        Column(_("分母"), "count", 10),
        Column(_("数值"), "ratio", 12),
        Column(_("公式"), "text", 48),
    ]
    reopen, complaints = report.reopen, report.complaints
    rows: list[list[Any]] = [
        [
            _("重开率"),
            reopen.numerator,
            reopen.denominator,
            reopen.value,
            _("期间解决且曾重开的工单 ÷ 期间解决的工单"),
        ],
        [
            _("每千单投诉率"),
            complaints.numerator,
            report.orders,
            complaints.value,
            _("期间受理的投诉 ÷ 期间创建的订单 × 1000"),
        ],
    ]
    table = _table("rates", _("重开率与投诉率"), columns, rows)
    # The reopen rate reads as a percent, the complaint rate as "per 1,000".
    texts = [[text for text, _n in row] for row in table.cells]
    texts[0][3] = percent(reopen.value)
    texts[1][3] = "—" if complaints.value is None else f"{complaints.value:.2f}‰"
    if report.orders is None:
        texts[1][2] = _("无法读取订单")
    return dataclasses.replace(table, texts=texts)


def categories_table(report: DeskReport) -> Table:
    columns = [
        Column(_("问题分类"), "text", 12),
        Column(_("商品"), "text", 20),
        Column(_("投诉数"), "count", 10),
        Column(_("占投诉比例"), "percent", 12),
    ]
    rows = [
        [category_label(r.category), r.product_id or _("未关联商品"), r.complaints, r.share]
        for r in report.categories
    ]
    return _table("categories", _("投诉最多的问题分类与商品（前 10）"), columns, rows)


def weeks_table(report: DeskReport) -> Table:
    columns = [
        Column(_("周"), "text", 10),
        Column(_("开始"), "text", 12),
        Column(_("结束"), "text", 12),
        Column(_("受理"), "count", 10),
        Column(pgettext("ticket count", "解决"), "count", 10),
        Column(_("超时"), "count", 10),
    ]
    rows = [
        [w.week, w.start.isoformat(), w.end.isoformat(), w.created, w.resolved, w.breached]
        for w in report.weeks
    ]
    note = _(
        "按 ISO 周（周一至周日），首尾两周只含期间内的日期；"
        "超时 = 当周受理、首次响应或解决已超时的工单。"
    )
    return _table("weeks", _("按周趋势"), columns, rows, note)


def _csat_values(f: CsatFigures) -> list[Any]:
    return [f.answered, f.mean, f.good_share]


def csat_table(report: DeskReport, by: str) -> Table:
    heading = {"agent": _("客服"), "team": _("客服组"), "tier": _("级别")}[by]
    columns = [
        Column(heading, "text", 14),
        Column(_("回答数"), "count", 10),
        Column(_("平均分"), "ratio", 10),
        Column(_("4–5 分占比"), "percent", 12),
    ]
    rows = [[unit_label(u, by), *_csat_values(f)] for u, f in report.csat[by].items()]
    if by == "tier":
        rows.append([tier_label(ALL), *_csat_values(report.csat_all)])
    titles = {
        "agent": _("满意度（按客服）"),
        "team": _("满意度（按客服组）"),
        "tier": _("满意度（按级别）"),
    }
    return _table(f"csat_{by}", titles[by], columns, rows)


def tables(report: DeskReport) -> list[Table]:
    return [
        open_table(report),
        first_response_table(report),
        resolution_table(report),
        rates_table(report),
        categories_table(report),
        weeks_table(report),
        csat_table(report, "agent"),
        csat_table(report, "team"),
        csat_table(report, "tier"),
    ]


def chart_data(report: DeskReport) -> dict[str, Any]:
    """What reports.js draws: open tickets by tier and age (stacked bars), the share within
    target per tier, and the weekly trend."""
    labels = band_labels()
    tiers = [r for r in report.open if r.tier != ALL]
    return {
        "open": {
            "tiers": [tier_label(r.tier) for r in tiers],
            "bands": [
                {"name": labels[k], "values": [r.bands[k] for r in tiers]} for k, _low in AGE_BANDS
            ],
            "title": _("未关闭工单（按级别和时长）"),
        },
        "sla": {
            "tiers": [tier_label(r.tier) for r in report.first_response],
            "series": [
                {
                    "name": _("首次响应达标率"),
                    "values": [_share(r.within_share) for r in report.first_response],
                },
                {
                    "name": _("解决达标率"),
                    "values": [_share(r.within_share) for r in report.resolution],
                },
            ],
            "title": _("时效达标率（%）"),
        },
        "weeks": {
            "weeks": [w.week for w in report.weeks],
            "series": [
                {"name": _("受理"), "values": [w.created for w in report.weeks]},
                {
                    "name": pgettext("ticket count", "解决"),
                    "values": [w.resolved for w in report.weeks],
                },
                {"name": _("超时"), "values": [w.breached for w in report.weeks]},
            ],
            "title": _("按周趋势"),
        },
    }


def _share(value: Decimal | None) -> float | None:
    return None if value is None else float(value * 100)


# -- exports ----------------------------------------------------------------------------------
def period_title(report: DeskReport) -> str:
    p = report.window.period
    return _("服务台报告 %(start)s 至 %(end)s") % {"start": p.start, "end": p.end}


def as_xlsx(report: DeskReport) -> bytes:
    heading = period_title(report)
    return workbook([t.sheet(heading, name=t.title) for t in tables(report)])


def as_csv(report: DeskReport) -> str:
    """Every table one after the other: its title, its header, its rows, a blank line."""
    return tables_csv(tables(report), period_title(report))


def _rate_json(rate: Rate) -> dict[str, Any]:
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": json_value(rate.value, "ratio"),
    }


def _time_json(r: TimeRow) -> dict[str, Any]:
    return {
        "tier": r.tier if r.tier != ALL else "all",
        "tickets": r.tickets,
        "timed": r.timed,
        "median_seconds": json_value(r.median_seconds, "seconds"),
        "mean_seconds": json_value(r.mean_seconds, "seconds"),
        "within": r.within,
        "within_share": json_value(r.within_share, "ratio"),
    }


def _csat_json(f: CsatFigures) -> dict[str, Any]:
    return {
        "answered": f.answered,
        "mean": json_value(f.mean, "ratio"),
        "good": f.good,
        "good_share": json_value(f.good_share, "ratio"),
    }


def _unit_key(unit: str) -> str | None:
    return None if unit == NOBODY else unit


def as_json(report: DeskReport) -> dict[str, Any]:
    """The report as plain data (ids and keys, not labels): the API's and the CLI's."""
    w = report.window
    return {
        "start": w.period.start.isoformat(),
        "end": w.period.end.isoformat(),
        "open_at": w.at.isoformat(),
        "created": report.created,
        "resolved": report.resolved,
        "open": [
            {"tier": r.tier if r.tier != ALL else "all", "bands": r.bands, "total": r.total}
            | {"breached": r.breached}
            for r in report.open
        ],
        "first_response": [_time_json(r) for r in report.first_response],
        "resolution": [_time_json(r) for r in report.resolution],
        "reopen_rate": _rate_json(report.reopen),
        "complaint_rate_per_1000_orders": _rate_json(report.complaints) | {"orders": report.orders},
        "top_categories": [
            {
                "category": r.category,
                "product_id": r.product_id,
                "complaints": r.complaints,
                "share": json_value(r.share, "ratio"),
            }
            for r in report.categories
        ],
        "weeks": [
            {
                "week": w.week,
                "start": w.start.isoformat(),
                "end": w.end.isoformat(),
                "created": w.created,
                "resolved": w.resolved,
                "breached": w.breached,
            }
            for w in report.weeks
        ],
        "csat": {
            by: [{"unit": _unit_key(u)} | _csat_json(f) for u, f in units.items()]
            for by, units in report.csat.items()
        }
        | {"all": _csat_json(report.csat_all)},
    }


# -- the performance pages' table ------------------------------------------------------------
@dataclass(frozen=True)
class UnitRow:
    unit: str
    label: str
    tickets: int
    first_response_breached: int
    resolution_breached: int
    answered: int
    mean: str
    good_share: str


def unit_rows(figures: list[UnitDesk], by: str) -> list[UnitRow]:
    return [
        UnitRow(
            f.unit,
            unit_label(f.unit, by),
            f.tickets,
            f.first_response_breached,
            f.resolution_breached,
            f.csat.answered,
            text_value(f.csat.mean, "ratio"),
            percent(f.csat.good_share),
        )
        for f in figures
    ]


def tiles(report: DeskReport) -> list[tuple[str, str, str]]:
    """The figures above the charts: (key, label, text)."""
    rates = rates_table(report)
    every_first, every_resolution = report.first_response[-1], report.resolution[-1]
    return [
        ("created", _("受理"), f"{report.created:,}"),
        ("resolved", pgettext("ticket count", "解决"), f"{report.resolved:,}"),
        ("open", _("未关闭"), f"{report.open[-1].total:,}"),
        ("first_response_within", _("首次响应达标率"), percent(every_first.within_share)),
        ("resolution_within", _("解决达标率"), percent(every_resolution.within_share)),
        ("reopen_rate", _("重开率"), rates.cells[0][3][0]),
        ("complaint_rate", _("每千单投诉率"), rates.cells[1][3][0]),
        ("csat_mean", _("满意度平均分"), text_value(report.csat_all.mean, "ratio")),
    ]


def performance_tables(desk: dict[str, Any]) -> list[tuple[str, list[UnitRow], str]]:
    """The performance page's tables of ``report_selectors.performance_desk``: (heading,
    rows, key) for the view's units, then the tiers."""
    if not desk:
        return []
    out = []
    if desk["by"] in ("agent", "team"):
        heading = _("客服") if desk["by"] == "agent" else _("客服组")
        out.append((heading, unit_rows(desk["units"], desk["by"]), desk["by"]))
    out.append((_("级别"), unit_rows(desk["tiers"], "tier"), "tier"))
    return out
