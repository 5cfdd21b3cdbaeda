"""Customer clusters as a model run (issue 18 item 3; the contract is ``job_api``).

Reads every paying customer's features at the as-of day (``metrics.cluster_features``),
fits ``stats.clusters.CustomerClusters`` (log1p, standardise, k by silhouette) and names
each cluster by the rule in ``stats.clusters.NAMING_RULE``. The previous serving run's
centres are handed to the fit so that a cluster keeps its id (and so its name) from run to
run when the customers have not moved much.

Parameters (all optional): ``k_min`` 2, ``k_max`` 8 (2 ≤ k_min ≤ k_max ≤ 12), ``seed`` 0,
``as_of`` (YYYY-MM-DD; default: today or the lake's last order day, as the standing uses).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from guanxi.insight.job_api import FitFailed, JobResult, Progress
from guanxi.metrics.cluster_features import FEATURES
from guanxi.stats.clusters import NAMING_RULE, ClusterFitError, CustomerClusters, name_clusters

K_LIMIT = 12
SAMPLE_SIZE = 20_000  # silhouette rows (quadratic cost); above it, a fixed-seed sample
POINTS = 1_500  # customers drawn for the page's 2-D chart
SOURCES = ("orders", "refunds", "reviews", "chat_messages")


def parse_params(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with their defaults; a bad one raises ``FitFailed`` naming it."""

    def whole(name: str, default: int) -> int:
        value = params.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | str):
            value = None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise FitFailed(
                f"参数 {name} 必须是整数（现为 {params.get(name)!r}）。",
                f"Parameter {name} must be a whole number (got {params.get(name)!r}).",
            ) from None

    k_min, k_max, seed = whole("k_min", 2), whole("k_max", 8), whole("seed", 0)
    if not 2 <= k_min <= k_max <= K_LIMIT:
        raise FitFailed(
            f"参数 k_min、k_max 须满足 2 ≤ k_min ≤ k_max ≤ {K_LIMIT}（现为 {k_min}、{k_max}）。",
            f"Parameters k_min and k_max must satisfy 2 ≤ k_min ≤ k_max ≤ {K_LIMIT} "
            f"(got {k_min} and {k_max}).",
        )
    as_of = params.get("as_of")
    if as_of not in (None, ""):
        try:
            as_of = dt.date.fromisoformat(str(as_of)).isoformat()
        except ValueError:
            raise FitFailed(
                f"参数 as_of 须为日期 YYYY-MM-DD（现为 {as_of!r}）。",
                f"Parameter as_of must be a date YYYY-MM-DD (got {as_of!r}).",
            ) from None
    return {"k_min": k_min, "k_max": k_max, "seed": seed, "as_of": as_of or None}


def read_features(as_of: dt.date) -> tuple[Any, dict[str, int]]:
    """The features (pyarrow, one row per paying customer) and the lake versions read."""
    from django.conf import settings

    from guanxi import lake
    from guanxi.customers import standing
    from guanxi.imports.derived import figures_from_derived
    from guanxi.metrics.cluster_features import cluster_features
    from guanxi.metrics.customers import customer_facts

    store = lake.get()
    versions = {n: v for n in SOURCES if (v := store.version(n)) is not None}
    if not store.exists("orders"):
        return None, versions
    tz = settings.TIME_ZONE
    orders = store.table("orders")
    # The standing's own way to the sessions and months: the derived tables when fresh, the
    # raw messages otherwise.
    sessions, months = standing.sessions_and_months(store, as_of, fresh=figures_from_derived())
    facts = customer_facts(
        orders=orders,
        refunds=standing.table_or_empty(store, "refunds"),
        reviews=standing.table_or_empty(store, "reviews"),
        sessions=sessions,
        months=months,
        as_of=as_of,
        time_zone=tz,
    )
    expr = cluster_features(facts, orders, as_of=as_of, time_zone=tz).order_by("customer_key")
    return store.arrow(expr), versions


def feature_matrix(rows: dict[str, list[Any]]) -> np.ndarray:
    """Features as a float matrix in ``FEATURES`` order. An empty mean rating (never
    reviewed) becomes the median of the ratings given — the shop's own middle, so not
    reviewing pulls a customer towards no cluster — or 0 when nobody reviewed."""
    columns = []
    for name in FEATURES:
        values = np.array([np.nan if v is None else float(v) for v in rows[name]])
        if np.isnan(values).any():
            given = values[~np.isnan(values)]
            values = np.where(
                np.isnan(values), float(np.median(given)) if len(given) else 0.0, values
            )
        columns.append(values)
    return np.column_stack(columns)


def previous_centers() -> dict[int, list[float]] | None:
    """The serving clusters run's centres by id, when it used the same features."""
    from guanxi.insight.models import ModelRun, RunKind

    run = ModelRun.objects.filter(kind=RunKind.CLUSTERS, serving=True).first()
    if run is None or run.metrics.get("features") != list(FEATURES):
        return None
    try:
        return {int(c["id"]): [float(x) for x in c["center"]] for c in run.metrics["clusters"]}
    except (KeyError, TypeError, ValueError):
        return None


def _describe(m: dict[str, float]) -> tuple[str, str]:
    zh = (
        f"中位客户 {m['recency_days']:.0f} 天前购买，共 {m['frequency']:.0f} 单、"
        f"¥{m['monetary']:,.0f}，客单价 ¥{m['mean_order_value']:,.0f}，"
        f"活跃 {m['months_active']:.0f} 个月"
    )
    en = (
        f"Median customer: last bought {m['recency_days']:.0f} days ago, "
        f"{m['frequency']:.0f} orders, ¥{m['monetary']:,.0f} in all, "
        f"¥{m['mean_order_value']:,.0f} per order, active {m['months_active']:.0f} months"
    )
    return zh, en


def projection(model: CustomerClusters, x: np.ndarray, seed: int) -> dict[str, Any]:
    """A 2-D PCA view of the standardised features, on a fixed-seed sample of customers."""
    from sklearn.decomposition import PCA

    z = model.transform(x)
    pca = PCA(n_components=2, svd_solver="full").fit(z)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(z), min(POINTS, len(z)), replace=False))
    xy = pca.transform(z[pick])
    return {
        "explained": [round(float(v), 4) for v in pca.explained_variance_ratio_],
        "points": [
            [round(float(x), 3), round(float(y), 3), int(c)]
            for (x, y), c in zip(xy, model.labels_[pick], strict=True)
        ],
        # What each axis is made of (the features' loadings), for the chart's caption.
        "loadings": [[round(float(v), 3) for v in comp] for comp in pca.components_],
    }


def fit(params: dict[str, Any], progress: Progress) -> JobResult:
    p = parse_params(params)
    from guanxi.customers.standing import default_as_of

    as_of = dt.date.fromisoformat(p["as_of"]) if p["as_of"] else default_as_of()
    progress(0.05, "读取客户特征")
    table, versions = read_features(as_of)
    if table is None or table.num_rows == 0:
        raise FitFailed(
            "还没有付款客户，无法聚类：请先导入订单。",
            "No paying customers yet, so nothing to cluster: import orders first.",
        )
    rows = table.to_pydict()
    keys: list[str] = rows["customer_key"]
    x = feature_matrix(rows)
    progress(0.3, "按轮廓系数选择 k")
    model = CustomerClusters(
        k_range=(p["k_min"], p["k_max"]), random_state=p["seed"], sample_size=SAMPLE_SIZE
    )
    try:
        model.fit(x, reference_centers=previous_centers())
    except ClusterFitError as exc:
        raise FitFailed(exc.zh, exc.en) from exc
    progress(0.8, "描述各个聚类")
    profiles = model.profile(x, FEATURES, value_feature="monetary")
    population = {name: x[:, j] for j, name in enumerate(FEATURES)}
    names = name_clusters(profiles, population)
    clusters = []
    for profile, name, center in zip(profiles, names, model.centers_, strict=True):
        zh, en = _describe(profile.medians)
        clusters.append(
            {
                "id": profile.cluster,
                "key": name.key,
                "name_zh": name.zh,
                "name_en": name.en,
                "description_zh": zh,
                "description_en": en,
                "size": profile.size,
                "share": round(profile.share, 6),
                "revenue_share": round(profile.value_share or 0.0, 6),
                "medians": {k: round(v, 4) for k, v in profile.medians.items()},
                "percentiles": {
                    "recency_days": round(name.recency_pct, 4),
                    "frequency": round(name.frequency_pct, 4),
                    "monetary": round(name.monetary_pct, 4),
                },
                "center": [round(float(v), 6) for v in center],
            }
        )
    name_of = {c["id"]: c["name_zh"] for c in clusters}
    customers = {
        key: {"cluster": int(label), "cluster_name": name_of[int(label)]}
        for key, label in zip(keys, model.labels_, strict=True)
    }
    metrics = {
        "as_of": as_of.isoformat(),
        "customers": len(keys),
        "features": list(FEATURES),
        "k": model.k_,
        "k_range": [p["k_min"], p["k_max"]],
        "seed": p["seed"],
        "silhouettes": [
            {"k": k, "score": round(s, 6)} for k, s in sorted(model.silhouettes_.items())
        ],
        "sampled": bool(model.sampled_),
        "sample_size": SAMPLE_SIZE,
        "population_medians": {
            name: round(float(np.median(x[:, j])), 4) for j, name in enumerate(FEATURES)
        },
        "clusters": clusters,
        "projection": projection(model, x, p["seed"]),
        "naming_rule": NAMING_RULE,
    }
    progress(1.0, "完成")
    return JobResult(metrics=metrics, customers=customers, input_versions=versions)
