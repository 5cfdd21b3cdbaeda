"""The CLV page's figures as text and as chart data (Plotly, drawn by insight/clv.js)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core import pii
from guanxi.customers.models import Customer
from guanxi.insight.clv_selectors import Band
from guanxi.insight.models import CustomerPrediction, ModelRun
from guanxi.web.exports.values import text_value


@dataclass(frozen=True)
class TopRow:
    customer_key: str
    name: str  # masked
    p_alive: str
    expected_90: str
    expected_365: str
    expected_value: str
    clv: str


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _sig(value: float) -> str:
    """Four significant digits without exponent notation (γ can be in the thousands)."""
    return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def parameters(run: ModelRun) -> dict[str, Any]:
    """The fitted parameters and the fit's settings, as the page shows them."""
    m = run.metrics
    bg, gg, p = m.get("bgnbd", {}), m.get("gamma_gamma", {}), m.get("params", {})
    se = bg.get("standard_errors", {})
    unit = pgettext("time unit", "周") if m.get("unit") == "week" else pgettext("time unit", "天")

    def with_se(key: str) -> str:
        value = bg.get(key)
        if value is None:
            return "—"
        return _sig(value) + (f" ± {se[key]:.2g}" if se.get(key) is not None else "")

    return {
        "as_of": m.get("as_of", ""),
        "unit": unit,
        "customers": text_value(m.get("customers"), "count"),
        "repeat_customers": text_value(m.get("repeat_customers"), "count"),
        "r": with_se("r"),
        "alpha": with_se("alpha"),
        "a": with_se("a"),
        "b": with_se("b"),
        "bg_ll": _num(bg.get("log_likelihood"), 1),
        "bg_converged": bool(bg.get("converged")),
        "p": _sig(gg["p"]) if "p" in gg else "—",
        "q": _sig(gg["q"]) if "q" in gg else "—",
        "gamma": _sig(gg["gamma"]) if "gamma" in gg else "—",
        "gg_customers": text_value(gg.get("customers"), "count"),
        "gg_converged": bool(gg.get("converged")),
        "months": p.get("months"),
        "margin": _pct(p.get("margin")),
        "discount": _pct(p.get("annual_discount_rate")),
        "clv_total": text_value(m.get("clv_total"), "money"),
    }


def holdout(run: ModelRun) -> dict[str, Any] | None:
    """The hold-out check's table rows and chart, or None when it was skipped/absent."""
    h = run.metrics.get("holdout") or {}
    if not h.get("buckets"):
        return None
    rows = [
        {
            "frequency": b["frequency"],
            "customers": text_value(b["customers"], "count"),
            "predicted": _num(b["predicted"], 2),
            "actual": _num(b["actual"], 2),
        }
        for b in h["buckets"]
    ]
    chart = {
        "x": [b["frequency"] for b in h["buckets"]],
        "predicted": [b["predicted"] for b in h["buckets"]],
        "actual": [b["actual"] for b in h["buckets"]],
        "labels": {
            "predicted": _("模型预测"),
            "actual": _("实际"),
            "x": _("校准期复购次数"),
            "y": _("留出期平均购买次数"),
        },
    }
    return {
        "calibration_end": h.get("calibration_end"),
        "end": h.get("end"),
        "days": h.get("days"),
        "customers": text_value(h.get("customers"), "count"),
        "predicted": _num(h.get("predicted"), 1),
        "actual": _num(h.get("actual"), 1),
        "error": _pct(h.get("error")),
        "mae": _num(h.get("mae"), 3),
        "rows": rows,
        "chart": chart,
    }


def holdout_skipped(run: ModelRun, language: str) -> str:
    h = run.metrics.get("holdout") or {}
    return str(h.get("skipped_en" if language == "en" else "skipped_zh", ""))


def band_label(band: Band) -> str:
    low = f"¥{band.low:,.0f}"
    return f"{low}+" if band.high is None else f"{low}–{band.high:,.0f}"


def distribution(bands: Sequence[Band]) -> dict[str, Any]:
    total = sum(b.customers for b in bands) or 1
    total_clv = sum((b.clv for b in bands), Decimal(0)) or Decimal(1)
    rows = [
        {
            "band": band_label(b),
            "customers": text_value(b.customers, "count"),
            "share": f"{b.customers / total * 100:.1f}%",
            "clv": text_value(b.clv, "money"),
            "clv_share": f"{b.clv / total_clv * 100:.1f}%",
        }
        for b in bands
    ]
    chart = {
        "x": [band_label(b) for b in bands],
        "y": [b.customers for b in bands],
        "labels": {"x": _("客户终身价值区间"), "y": _("客户数")},
    }
    return {"rows": rows, "chart": chart}


def top_row(prediction: CustomerPrediction, customer: Customer | None) -> TopRow:
    """Always masked: the page has no reveal (the profile has it, audited)."""
    name = pii.mask_name(customer.name) if customer is not None and customer.name else ""
    return TopRow(
        customer_key=prediction.customer_key,
        name=name,
        p_alive=_pct(prediction.p_alive),
        expected_90=_num(prediction.expected_90),
        expected_365=_num(prediction.expected_365),
        expected_value=text_value(prediction.expected_value, "money"),
        clv=text_value(prediction.clv, "money"),
    )


def export_header() -> list[str]:
    return [
        _("客户编号"),
        _("活跃概率"),
        _("未来30天预计购买"),
        _("未来90天预计购买"),
        _("未来365天预计购买"),
        _("预计客单价"),
        _("客户终身价值"),
    ]


EXPORT_KINDS = ("text", "percent", "ratio", "ratio", "ratio", "money", "money")


def export_row(p: CustomerPrediction) -> list[Any]:
    """Pseudonymous key and figures only: no personal data in any role's export."""
    return [p.customer_key, p.p_alive, p.expected_30, p.expected_90, p.expected_365,
            p.expected_value, p.clv]  # fmt: skip
