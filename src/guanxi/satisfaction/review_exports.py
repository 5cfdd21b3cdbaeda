"""The review pages' downloads: the analytics as XLSX (months, products, themes, drivers) or
CSV, and the alert list as CSV or XLSX — through ``web.exports`` (no cell becomes a formula).

No personal data: products, counts and rates; the alert list names the review, not the
buyer (no customer key, no order, no text, no response)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core.timeutil import Period
from guanxi.satisfaction.models import AlertReason, AlertStatus, ReviewAlert
from guanxi.stats.review_themes import THEMES, label
from guanxi.web.exports.safe import ExcelText, csv_text
from guanxi.web.exports.xlsx import Column, Sheet, workbook


def _rate_columns(first: str) -> list[Column]:
    return [
        Column(first, "text", 16),
        Column(pgettext("review count", "评价数"), "count", 10),
        Column(_("好评"), "count", 10),
        Column(_("中评"), "count", 10),
        Column(_("差评"), "count", 10),
        Column(_("好评率"), "percent", 10),
    ]


def _rate_row(key: Any, r: dict[str, Any]) -> list[Any]:
    return [key, r["reviews"], r["good"], r["neutral"], r["bad"], r["good_rate"]]


def analytics_xlsx(
    period: Period,
    months: list[dict[str, Any]],
    products: list[dict[str, Any]],
    themes: list[dict[str, Any]],
    drivers: list[dict[str, Any]],
    language: str,
) -> bytes:
    span = f"{period.start} – {period.end}"
    theme_columns = [
        Column(pgettext("review field", "商品"), "text", 16),
        Column(pgettext("review count", "评价数"), "count", 10),
    ]
    theme_columns.append(Column(_("差评/负面评价"), "count", 12))
    for t in THEMES:
        theme_columns.append(Column(label(t, language), "count", 12))
        theme_columns.append(Column(f"{label(t, language)} · {_('差评')}", "count", 12))
    theme_rows = []
    for r in themes:
        row: list[Any] = [
            _("全店") if r["product_id"] is None else ExcelText(r["product_id"] or "—"),
            r["reviews"],
            r["negative_reviews"],
        ]
        for t in THEMES:
            row.extend(r["themes"][t])
        theme_rows.append(row)
    driver_rows = [
        [ExcelText(p["product_id"] or "—"), d.word, d.negative, d.others, d.log_odds]
        for p in drivers
        for d in p["drivers"]
    ]
    sheets = [
        Sheet(
            _("按月"),
            f"{_('好评率')} {span}",
            _rate_columns(_("月份")),
            [_rate_row(f"{r['month']:%Y-%m}", r) for r in months],
            notes=[_("好评率 = 4–5 星评价 ÷ 全部评价")],
        ),
        Sheet(
            _("按商品"),
            f"{_('好评率')} {span}",
            _rate_columns(pgettext("review field", "商品")),
            [_rate_row(ExcelText(r["product_id"] or "—"), r) for r in products],
        ),
        Sheet(
            pgettext("text themes", "主题"), f"{_('评价主题')} {span}", theme_columns, theme_rows
        ),
        Sheet(
            _("差评驱动词"),
            f"{_('差评驱动词')} {span}",
            [
                Column(pgettext("review field", "商品"), "text", 16),
                Column(_("词"), "text", 14),
                Column(_("差评中出现"), "count", 12),
                Column(_("其他评价中出现"), "count", 12),
                Column(_("对数优势比"), "ratio", 12),
            ],
            driver_rows,
        ),
    ]
    return workbook(sheets)


def analytics_csv(months: list[dict[str, Any]], products: list[dict[str, Any]]) -> str:
    header = [
        _("维度"),
        _("月份或商品"),
        pgettext("review count", "评价数"),
        _("好评"),
        _("中评"),
        _("差评"),
        _("好评率"),
    ]
    rows: list[list[Any]] = [header]
    for r in months:
        rows.append([_("月份"), *_rate_row(f"{r['month']:%Y-%m}", r)])
    for r in products:
        rows.append(
            [pgettext("review field", "商品"), *_rate_row(ExcelText(r["product_id"] or "—"), r)]
        )
    return csv_text(rows)


def _alert_header() -> list[Column]:
    return [
        Column(_("平台"), "text", 10),
        Column(_("评价编号"), "text", 18),
        Column(pgettext("review field", "商品"), "text", 14),
        Column(_("评价时间"), "text", 18),
        Column(_("星级"), "count", 6),
        Column(_("情感"), "text", 10),
        Column(_("原因"), "text", 14),
        Column(_("状态"), "text", 10),
        Column(_("负责人"), "text", 12),
        Column(_("回复时间"), "text", 18),
        Column(_("工单"), "text", 8),
    ]


def _alert_rows(alerts: Iterable[ReviewAlert]) -> list[list[Any]]:
    from django.utils import timezone

    def local(moment: Any) -> str:
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""

    return [
        [
            a.platform,
            ExcelText(a.review_id),
            ExcelText(a.product_id),
            local(a.reviewed_at),
            a.rating,
            a.sentiment,
            str(AlertReason(a.reason).label),
            str(AlertStatus(a.status).label),
            a.owner.get_username() if a.owner else "",
            local(a.responded_at),
            str(a.ticket_id or ""),
        ]
        for a in alerts
    ]


def alerts_csv(alerts: Iterable[ReviewAlert]) -> str:
    return csv_text([[c.header for c in _alert_header()], *_alert_rows(alerts)])


def alerts_xlsx(alerts: Iterable[ReviewAlert]) -> bytes:
    return workbook([Sheet(_("差评预警"), _("差评预警"), _alert_header(), _alert_rows(alerts))])
