"""Turn store figures into what the dashboard shows: formatted values, changes, bars."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from guanxi.metrics.store import METRICS, StoreFigures
from guanxi.web.exports.values import text_value
from guanxi.web.tiles import Tile, change_ratio

LABELS = {
    "pv": _("浏览量"),
    "uv": _("访客数"),
    "visit_depth": _("访问深度"),
    "consulting_customers": _("咨询人数"),
    "consult_rate": _("咨询率"),
    "paying_customers": _("支付买家数"),
    "paid_amount": _("支付金额"),
    "aov": _("客单价"),
    "conversion_rate": _("成交转化率"),
    "refund_rate": _("退款率"),
}
FORMULAS = {
    "pv": _("期间每日浏览量之和"),
    "uv": _("期间每日访客数之和"),
    "visit_depth": _("浏览量 ÷ 访客数"),
    "consulting_customers": _("期间发过消息的不同客户数"),
    "consult_rate": _("咨询人数 ÷ 访客数"),
    "paying_customers": _("期间付款订单的不同买家数"),
    "paid_amount": _("期间付款订单金额之和"),
    "aov": _("支付金额 ÷ 支付买家数"),
    "conversion_rate": _("支付买家数 ÷ 访客数"),
    "refund_rate": _("期间申请的退款数 ÷ 期间付款的订单数"),
}
# A rising refund rate is bad news; every other figure is better when higher.
LOWER_IS_BETTER = {"refund_rate"}


def tiles(current: StoreFigures, previous: StoreFigures) -> list[Tile]:
    out = []
    for metric in METRICS:
        now, before = getattr(current, metric.key), getattr(previous, metric.key)
        change = change_ratio(now, before)
        trend = direction = ""
        if change is not None and change != 0:
            direction = "up" if change > 0 else "down"
            better = (change > 0) != (metric.key in LOWER_IS_BETTER)
            trend = "good" if better else "bad"
        bar = None
        if metric.kind == "percent" and now is not None:
            bar = max(0, min(100, round(Decimal(now) * 100)))
        out.append(
            Tile(
                key=metric.key,
                label=str(LABELS[metric.key]),
                formula=str(FORMULAS[metric.key]),
                value=text_value(now, metric.kind),
                previous=text_value(before, metric.kind),
                change="" if change is None else f"{change * 100:+.1f}%",
                direction=direction,
                trend=trend,
                bar_percent=bar,
            )
        )
    return out


def chart_data(daily: list[dict[str, Any]]) -> dict[str, Any]:
    """Series for the Plotly trend chart (JSON-safe) and the titles of its three panels:
    traffic, customers and the amount, each on its own axis."""
    return {
        "days": [row["day"].isoformat() for row in daily],
        "uv": [row["uv"] for row in daily],
        "pv": [row["pv"] for row in daily],
        "consulting": [row["consulting_customers"] for row in daily],
        "paying": [row["paying_customers"] for row in daily],
        "paid_amount": [float(row["paid_amount"]) for row in daily],
        "labels": {
            "uv": str(LABELS["uv"]),
            "pv": str(LABELS["pv"]),
            "consulting": str(LABELS["consulting_customers"]),
            "paying": str(LABELS["paying_customers"]),
            "paid_amount": str(LABELS["paid_amount"]),
            "traffic": str(_("访客数与浏览量")),
            "customers": str(_("咨询人数与支付买家数")),
            "amount": str(_("支付金额（元）")),
        },
    }
