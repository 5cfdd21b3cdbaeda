"""What the clusters page shows, from the serving clusters run's metrics (no lake reads:
the run stored everything the page needs, so the page costs one row read)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from guanxi.insight.models import ModelRun, RunKind, RunState

# Feature names for people, in ``metrics.cluster_features.FEATURES`` order.
FEATURE_LABELS = {
    "recency_days": ("距上次购买（天）", "Days since last purchase"),
    "frequency": ("订单数", "Orders"),
    "monetary": ("消费额", "Spent"),
    "mean_order_value": ("客单价", "Per order"),
    "months_active": ("活跃月数", "Active months"),
    "refund_share": ("退款率", "Refund share"),
    "sessions": ("咨询次数", "Chat sessions"),
    "mean_rating": ("平均评分", "Mean rating"),
}
MONEY = {"monetary", "mean_order_value"}


def english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def feature_label(name: str) -> str:
    zh, en = FEATURE_LABELS.get(name, (name, name))
    return en if english() else zh


def fmt_feature(name: str, value: float, *, rated: bool = True) -> str:
    """A feature's value for people; ``rated`` False: nobody in the shop reviewed, so the
    mean rating (filled with 0 for the fit) is shown as unknown."""
    if name == "mean_rating" and not rated:
        return "—"
    if name in MONEY:
        return f"¥{value:,.2f}"
    if name == "refund_share":
        return f"{value:.1%}"
    if name == "mean_rating":
        return f"{value:.2f}"
    if name == "recency_days":
        return f"{value:,.0f}"  # a median between two customers' days: whole days suffice
    return f"{value:,.1f}".removesuffix(".0")


def anyone_rated(metrics: dict[str, Any]) -> bool:
    # Ratings are 1–5 stars: a median of 0 means the fit filled every one (nobody reviewed).
    return bool(metrics.get("population_medians", {}).get("mean_rating"))


def pct(value: float) -> str:
    return f"{value:.1%}"


@dataclass
class ClusterCard:
    id: int
    key: str
    name: str
    description: str
    size: str
    share: str
    revenue_share: str
    share_width: float  # 0–100 for the bar in the card
    medians: list[tuple[str, str]]  # (label, value)
    raw: dict[str, Any]


def serving_run() -> ModelRun | None:
    return ModelRun.objects.filter(kind=RunKind.CLUSTERS, serving=True).first()


def last_failure() -> ModelRun | None:
    """The latest clusters run, when it failed after (or without) the serving one."""
    latest = ModelRun.objects.filter(kind=RunKind.CLUSTERS).first()
    return latest if latest is not None and latest.state == RunState.FAILED else None


def cards(metrics: dict[str, Any]) -> list[ClusterCard]:
    en = english()
    rated = anyone_rated(metrics)
    out = []
    for c in metrics.get("clusters", []):
        out.append(
            ClusterCard(
                id=c["id"],
                key=c["key"],
                name=c["name_en"] if en else c["name_zh"],
                description=c["description_en"] if en else c["description_zh"],
                size=f"{c['size']:,}",
                share=pct(c["share"]),
                revenue_share=pct(c["revenue_share"]),
                share_width=round(100 * c["share"], 1),
                medians=[
                    (feature_label(n), fmt_feature(n, c["medians"][n], rated=rated))
                    for n in metrics["features"]
                ],
                raw=c,
            )
        )
    return out


def silhouette_chart(metrics: dict[str, Any]) -> dict[str, Any]:
    rows = metrics.get("silhouettes", [])
    return {
        "k": [r["k"] for r in rows],
        "score": [r["score"] for r in rows],
        "chosen": metrics.get("k"),
        "labels": {"x": _("聚类数 k"), "y": _("轮廓系数"), "chosen": _("选定")},
    }


def scatter_chart(metrics: dict[str, Any], clusters: list[ClusterCard]) -> dict[str, Any]:
    proj = metrics.get("projection") or {}
    names = {c.id: c.name for c in clusters}
    traces: dict[int, dict[str, list[float]]] = {}
    for x, y, c in proj.get("points", []):
        t = traces.setdefault(c, {"x": [], "y": []})
        t["x"].append(x)
        t["y"].append(y)
    return {
        "traces": [
            {"name": names.get(c, str(c)), "x": t["x"], "y": t["y"]}
            for c, t in sorted(traces.items())
        ],
        # Short axis titles (the legend sits under the plot); what each axis is made of
        # and how much it explains are written under the chart (``axis_terms``).
        "labels": {"x": _("主成分 %(n)s") % {"n": 1}, "y": _("主成分 %(n)s") % {"n": 2}},
    }


def axis_terms(metrics: dict[str, Any]) -> list[str]:
    """Each PCA axis in words: its three heaviest features with their signs."""
    proj = metrics.get("projection") or {}
    out = []
    explained = proj.get("explained", [])
    for i, comp in enumerate(proj.get("loadings", []), start=1):
        heavy = sorted(zip(metrics["features"], comp, strict=False), key=lambda p: -abs(p[1]))[:3]
        terms = ", ".join(f"{'+' if w >= 0 else '−'}{feature_label(n)}" for n, w in heavy)
        share = pct(explained[i - 1]) if i <= len(explained) else "?"
        out.append(
            _("主成分 %(n)s（解释 %(share)s 的差异）：%(terms)s")
            % {"n": i, "share": share, "terms": terms}
        )
    return out


def table_rows(metrics: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The profiles as a table (header and raw values) for the page's table and exports."""
    features = metrics.get("features", [])
    header = [
        _("编号"),
        _("名称"),
        _("客户数"),
        _("客户占比"),
        _("消费额占比"),
        *[_("%(feature)s 中位数") % {"feature": feature_label(n)} for n in features],
    ]
    en = english()
    rows = [
        [
            c["id"],
            c["name_en"] if en else c["name_zh"],
            c["size"],
            c["share"],
            c["revenue_share"],
            *[c["medians"][n] for n in features],
        ]
        for c in metrics.get("clusters", [])
    ]
    return header, rows


def mask_key(key: str) -> str:
    """A customer key shown in part: its first 4 and last 2 characters."""
    if len(key) <= 6:
        return key[:1] + "•" * (len(key) - 1)
    return f"{key[:4]}{'•' * 4}{key[-2:]}"


def cluster_name_label(stored: str) -> str:
    """A stored ``cluster_name`` ("潜力", "潜力 2") in the page's language, for the profile
    and the segments: the rule's name through gettext, the number kept."""
    from guanxi.stats.clusters import NAMES

    base, _space, number = stored.partition(" ")
    for zh, en in NAMES.values():
        if base == zh:
            name = en if english() else zh
            return f"{name} {number}".strip()
    return stored
