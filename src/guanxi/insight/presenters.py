"""How runs and predictions read on the pages: state words, the message in the user's
language, metrics JSON as label/value rows, churn reasons in words."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from guanxi.insight import runs
from guanxi.insight.models import CustomerPrediction, ModelRun, RunState

HEADLINE = 4  # figures shown per family on the overview


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    depth: int = 0


def message(run: ModelRun) -> str:
    """Why a run failed, in the page's language ("failed: internal error" for a bug)."""
    return runs.message_in(run.message, get_language())


def state_text(run: ModelRun) -> str:
    if run.state == RunState.FAILED:
        return _("失败：%(why)s") % {"why": message(run)} if run.message else _("失败")
    return str(RunState(run.state).label)


def number(value: Any) -> str:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.4g}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if value is None:
        return "—"
    return str(value)


# The figures a shop user reads first on each family's card, with their names (a family's
# job module may still name its own with ``HEADLINE``; these are the defaults).
HEADLINES: dict[str, tuple[tuple[str, Any], ...]] = {
    "clv": (
        ("customers", _lazy("客户数")),
        ("repeat_customers", _lazy("复购客户")),
        ("clv_total", _lazy("终身价值合计")),
        ("holdout.error", _lazy("留出期预测偏差")),
    ),
    "churn": (
        ("model.auc", _lazy("模型 AUC")),
        ("baseline.auc", _lazy("基线 AUC")),
        ("model.lift_top_decile", _lazy("前 10% 提升")),
        ("valuable_at_risk", _lazy("高价值高风险客户")),
    ),
    "clusters": (
        ("customers", _lazy("客户数")),
        ("k", _lazy("聚类数")),
    ),
    "basket": (
        ("baskets", _lazy("购物篮")),
        ("rules", _lazy("关联规则")),
        ("evaluation.model.hit_rate", _lazy("推荐命中率@10")),
        ("evaluation.baseline.hit_rate", _lazy("热门基线命中率@10")),
    ),
}


def headline(run: ModelRun | None) -> list[Row]:
    """A few figures of a run's metrics for the overview's card. A family may name them
    (``HEADLINE`` in its job module: metric paths like "bgnbd.r"); else the figures named
    in ``HEADLINES``, in words; otherwise its numbers —
    top-level ones first, then those one level down ("bgnbd · r")."""
    if run is None:
        return []
    named = runs.headline_paths(run.kind)
    if named:
        rows = []
        for path in named:
            value = _at(run.metrics, path)
            if value is not None:
                rows.append(Row(path.replace(".", " · "), number(value)))
        return rows[:HEADLINE]
    labelled = [
        Row(str(label), number(value))
        for path, label in HEADLINES.get(run.kind, ())
        if (value := _at(run.metrics, path)) is not None
    ]
    if labelled:
        return labelled[:HEADLINE]
    top = [
        Row(str(key), number(value))
        for key, value in run.metrics.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    nested = [
        Row(f"{key} · {inner}", number(value))
        for key, group in run.metrics.items()
        if isinstance(group, dict)
        for inner, value in group.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]
    return (top + nested)[:HEADLINE]


def _at(metrics: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(metrics, dict) or part not in metrics:
            return None
        metrics = metrics[part]
    return metrics if isinstance(metrics, int | float | str) else None


def metric_rows(metrics: Any, depth: int = 0, limit: int = 400) -> list[Row]:
    """A run's metrics JSON as indented label/value rows; long lists are cut (the JSON
    stays whole in the API and the download)."""
    rows: list[Row] = []
    if isinstance(metrics, dict):
        for key, value in metrics.items():
            if isinstance(value, dict | list) and value and not _flat_list(value):
                rows.append(Row(str(key), "", depth))
                rows.extend(metric_rows(value, depth + 1, limit))
            else:
                rows.append(Row(str(key), _leaf(value), depth))
    elif isinstance(metrics, list):
        for i, value in enumerate(metrics[:20]):
            if isinstance(value, dict | list) and not _flat_list(value):
                rows.append(Row(f"[{i + 1}]", "", depth))
                rows.extend(metric_rows(value, depth + 1, limit))
            else:
                rows.append(Row(f"[{i + 1}]", _leaf(value), depth))
        if len(metrics) > 20:
            rows.append(Row("…", _("另有 %(n)s 项") % {"n": len(metrics) - 20}, depth))
    return rows[:limit]


def _flat_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= 12
        and all(not isinstance(v, dict | list) for v in value)
    )


def _leaf(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(number(v) for v in value) if value else "[]"
    if isinstance(value, dict):
        return "{}"
    return number(value)


def pretty_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False)


def reason_text(reason: Any) -> str:
    """One churn reason in words: a sentence, {"zh": …, "en": …}, or {"text": …}."""
    if isinstance(reason, str):
        return reason
    if isinstance(reason, dict):
        english = (get_language() or "").startswith("en")
        for key in (("en", "text_en") if english else ("zh", "text_zh")) + ("text", "feature"):
            if reason.get(key):
                return str(reason[key])
    return str(reason)


@dataclass(frozen=True)
class Panel:
    """The profile's 预测 panel; None fields: that family has no serving value."""

    has_any: bool
    p_alive: float | None
    expected_30: float | None
    expected_90: float | None
    expected_365: float | None
    clv: Any
    churn_risk: float | None
    churn_reasons: list[str]
    cluster_name: str
    recommendations: list[str]


def panel(prediction: CustomerPrediction | None) -> Panel:
    if prediction is None:
        return Panel(False, None, None, None, None, None, None, [], "", [])
    return Panel(
        has_any=True,
        p_alive=prediction.p_alive,
        expected_30=prediction.expected_30,
        expected_90=prediction.expected_90,
        expected_365=prediction.expected_365,
        clv=prediction.clv,
        churn_risk=prediction.churn_risk,
        churn_reasons=[reason_text(r) for r in prediction.churn_reasons or []][:5],
        cluster_name=_(prediction.cluster_name) if prediction.cluster_name else "",
        recommendations=[str(p) for p in prediction.recommendations or []][:10],
    )
