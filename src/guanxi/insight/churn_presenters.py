"""What the churn page shows: the model's and the baseline's figures side by side, the two
charts' data (Plotly, drawn by ``static/insight/churn.js``) with the numbers in tables
beside them, the verdict in words, and the at-risk rows in the page's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.insight.churn_selectors import AtRisk
from guanxi.web.exports.values import text_value


@dataclass(frozen=True)
class Figures:
    auc: str
    lift: str
    auc_value: float
    lift_value: float


def figures(metrics: dict[str, Any], who: str) -> Figures:
    m = metrics[who]
    return Figures(
        f"{m['auc']:.3f}", f"{m['lift_top_decile']:.2f}×", m["auc"], m["lift_top_decile"]
    )


def verdict(metrics: dict[str, Any]) -> tuple[bool, str]:
    """Does the model beat the recency baseline on the held-out period — said plainly."""
    model, base = figures(metrics, "model"), figures(metrics, "baseline")
    if metrics.get("model_beats_baseline"):
        return True, _(
            "模型优于基线：留出期 AUC %(m)s 对 %(b)s，前 10%% 客户提升度 %(ml)s 对 %(bl)s。"
        ) % {"m": model.auc, "b": base.auc, "ml": model.lift, "bl": base.lift}
    if model.auc_value > base.auc_value:
        return False, _(
            "模型整体排序更好（AUC %(m)s 对 %(b)s），但风险最高 10%% 客户的提升度不如基线"
            "（%(ml)s 对 %(bl)s）：做前 10%% 的回访名单时请按最近购买天数排序，"
            "下面同时列出基线的数字。"
        ) % {"m": model.auc, "b": base.auc, "ml": model.lift, "bl": base.lift}
    return False, _(
        "模型没有胜过“按最近购买天数排序”的基线（AUC %(m)s 对 %(b)s，前 10%% 提升度 %(ml)s 对 "
        "%(bl)s）：挽留名单请以基线为准，下面同时列出基线的数字。"
    ) % {"m": model.auc, "b": base.auc, "ml": model.lift, "bl": base.lift}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def calibration_rows(metrics: dict[str, Any]) -> list[dict[str, str]]:
    """One row per risk bin: the model's and the baseline's customers, predicted, observed."""
    rows = []
    for m, b in zip(
        metrics["model"]["calibration"], metrics["baseline"]["calibration"], strict=True
    ):
        rows.append(
            {
                "bin": f"{m['low'] * 100:.0f}–{m['high'] * 100:.0f}%",
                "customers": text_value(m["customers"], "count"),
                "predicted": _pct(m["predicted"]),
                "observed": _pct(m["observed"]),
                "base_customers": text_value(b["customers"], "count"),
                "base_observed": _pct(b["observed"]),
            }
        )
    return rows


def decile_rows(metrics: dict[str, Any]) -> list[dict[str, str]]:
    overall = metrics.get("held_churn_rate") or 0.0
    rows = []
    pairs = zip(metrics["model"]["deciles"], metrics["baseline"]["deciles"], strict=True)
    for i, (m, b) in enumerate(pairs, start=1):
        rows.append(
            {
                "decile": str(i),
                "model": _pct(m),
                "model_lift": f"{m / overall:.2f}×" if overall else "—",
                "baseline": _pct(b),
                "baseline_lift": f"{b / overall:.2f}×" if overall else "—",
            }
        )
    return rows


def chart(metrics: dict[str, Any]) -> dict[str, Any]:
    """The two charts' data and labels in the request's language (for ``json_script``)."""

    def points(who: str) -> dict[str, list[float]]:
        bins = [b for b in metrics[who]["calibration"] if b["customers"]]
        return {"x": [b["predicted"] for b in bins], "y": [b["observed"] for b in bins]}

    overall = metrics.get("held_churn_rate") or 0.0
    return {
        "calibration": {"model": points("model")},
        "deciles": {
            "x": [str(i) for i in range(1, 11)],
            "model": metrics["model"]["deciles"],
            "baseline": metrics["baseline"]["deciles"],
            "overall": overall,
        },
        "labels": {
            "model": _("模型"),
            "baseline": _("基线（最近购买天数）"),
            "ideal": _("理想校准"),
            "observed": _("实际流失比例"),
            "rate": _("实际流失比例"),
            "overall": _("整体流失比例"),
        },
    }


def reason_text(reasons: list[dict[str, Any]]) -> list[str]:
    """The reasons in the page's language (they are stored in both)."""
    key = "en" if (get_language() or "").startswith("en") else "zh"
    return [r.get(key) or r.get("zh", "") for r in reasons]


def at_risk_rows(rows: list[AtRisk]) -> list[dict[str, Any]]:
    return [
        {
            "customer_key": r.customer_key,
            "name": r.name,
            "risk": _pct(r.risk),
            "reasons": reason_text(r.reasons),
        }
        for r in rows
    ]


def export_header() -> list[str]:
    return [_("客户编号"), _("姓名"), _("流失风险"), _("原因 1"), _("原因 2"), _("原因 3")]


def export_row(r: AtRisk) -> list[Any]:
    words = reason_text(r.reasons)
    return [r.customer_key, r.name, round(r.risk, 4), *[*words, "", "", ""][:3]]
