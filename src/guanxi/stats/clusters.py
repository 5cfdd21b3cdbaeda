"""Customer clusters (客户聚类, SPEC §9; seed 002 ch.8: loyal / potential / churned customers):
k-means on standardised log features, k chosen by silhouette, each cluster profiled and
named in words.

scikit-learn conventions: ``__init__`` stores the hyperparameters, ``fit(x)`` returns the
estimator, fitted attributes end in ``_``. No Django: this runs in scripts and workers.

How a fit goes:

1. ``log1p`` of every feature (counts, money and days are right-skewed: one customer with
   300 orders would otherwise be a cluster of their own), then standardise each column to
   mean 0, standard deviation 1 (a constant column stays 0 and weighs nothing).
2. For each k in ``k_range`` (inclusive), k-means (k-means++, ``n_init`` starts, the fixed
   ``random_state``) and the silhouette score. With more than ``sample_size`` customers both
   are computed on one fixed-seed sample of ``sample_size`` rows (silhouette is quadratic in
   the rows; 20,000 rows keep a fit to seconds). The best score wins; a tie goes to the
   smaller k (fewer groups are easier to act on).
3. The chosen k is fitted on every customer and each customer labelled.
4. Labels are made independent of k-means' arbitrary numbering: clusters are numbered by
   size (largest first). When the previous run's centres are given (``reference_centers``),
   clusters are instead matched to them by the closest centres (Hungarian assignment on the
   standardised centres) and keep the previous ids, so a cluster and its name do not jump
   between runs; a new cluster (k grew) takes the lowest unused id. Ids are then not
   always 0..k−1: ``cluster_ids_`` lists them.

Naming (``name_clusters``) is a deterministic rule on where each cluster's medians stand in
the whole population, see ``NAMING_RULE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


class ClusterFitError(ValueError):
    """A fit that cannot succeed with these data, said in both languages."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


class CustomerClusters:
    def __init__(
        self,
        k_range: tuple[int, int] = (2, 8),
        *,
        random_state: int = 0,
        sample_size: int = 20_000,
        n_init: int = 10,
    ) -> None:
        self.k_range = k_range
        self.random_state = random_state
        self.sample_size = sample_size
        self.n_init = n_init

    # -- transform ------------------------------------------------------------------------
    def _check(self, x: ArrayLike) -> FloatArray:
        data = np.asarray(x, dtype=np.float64)
        if data.ndim != 2 or data.shape[1] == 0:
            raise ClusterFitError(
                "聚类需要每位客户一行、每个特征一列的数据。",
                "Clustering needs one row per customer and one column per feature.",
            )
        if not np.isfinite(data).all():
            raise ClusterFitError(
                "特征中有空值或无穷大，请先补齐缺失值。",
                "Some feature values are missing or infinite; fill them in first.",
            )
        if (data < 0).any():
            raise ClusterFitError(
                "特征不能为负数（取对数前要求 ≥ 0）。",
                "Features must not be negative (log1p needs values ≥ 0).",
            )
        return data

    def transform(self, x: ArrayLike) -> FloatArray:
        """Rows in the fitted space: log1p, then standardised with the fitted mean and scale."""
        data = self._check(x)
        return np.asarray((np.log1p(data) - self.mean_) / self.scale_, dtype=np.float64)

    def _to_features(self, z: FloatArray) -> FloatArray:
        return np.asarray(np.expm1(z * self.scale_ + self.mean_), dtype=np.float64)

    # -- fit -------------------------------------------------------------------------------
    def fit(
        self, x: ArrayLike, reference_centers: Mapping[int, Sequence[float]] | None = None
    ) -> CustomerClusters:
        """Fit on ``x`` (customers × features, values ≥ 0). ``reference_centers``: the
        previous run's centres by cluster id (``dict(zip(cluster_ids_, centers_))``, same
        features, original units) so that matched clusters keep their ids."""
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score

        data = self._check(x)
        low, high = self.k_range
        if low < 2 or high < low:
            raise ClusterFitError(
                f"k 的范围 {low}–{high} 无效：最小值至少为 2，且不大于最大值。",
                f"The k range {low}–{high} is invalid: the lowest must be at least 2 and "
                "not above the highest.",
            )
        logged = np.log1p(data)
        self.mean_ = logged.mean(axis=0)
        scale = logged.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        z = (logged - self.mean_) / self.scale_
        distinct = len(np.unique(z, axis=0))
        if distinct < 2:
            raise ClusterFitError(
                "所有客户的特征完全相同，无法分组。",
                "Every customer has the same features: there is nothing to group.",
            )
        # Silhouette needs 2 ≤ k ≤ distinct points − 1.
        if distinct <= low:
            raise ClusterFitError(
                f"只有 {distinct} 种不同的客户，至少需要 {low + 1} 种才能分成 {low} 组并评估。",
                f"Only {distinct} distinct customers; at least {low + 1} are needed to form "
                f"and judge {low} clusters.",
            )
        high = min(high, distinct - 1)
        rng = np.random.default_rng(self.random_state)
        self.sampled_ = len(z) > self.sample_size
        sample = (
            z[np.sort(rng.choice(len(z), self.sample_size, replace=False))] if self.sampled_ else z
        )

        self.silhouettes_: dict[int, float] = {}
        for k in range(low, high + 1):
            model = KMeans(k, n_init=self.n_init, random_state=self.random_state).fit(sample)
            if len(set(model.labels_.tolist())) < 2:
                continue
            self.silhouettes_[k] = float(silhouette_score(sample, model.labels_))
        if not self.silhouettes_:
            raise ClusterFitError(
                "没有任何 k 能分出至少两组客户。", "No k in the range separates the customers."
            )
        best = max(self.silhouettes_.values())
        self.k_ = min(k for k, s in self.silhouettes_.items() if s >= best - 1e-12)

        model = KMeans(self.k_, n_init=self.n_init, random_state=self.random_state).fit(z)
        raw_labels = np.asarray(model.labels_)
        raw_centers = np.asarray(model.cluster_centers_, dtype=np.float64)
        number = self._numbering(raw_labels, raw_centers, reference_centers)
        self.labels_ = np.asarray(number[raw_labels], dtype=np.int64)
        self.cluster_ids_ = sorted(number.tolist())
        by_id = {int(n): raw_centers[c] for c, n in enumerate(number.tolist())}
        self.standard_centers_ = np.asarray([by_id[i] for i in self.cluster_ids_])
        # Centres in the features' units (the geometric-mean-like point of each cluster).
        self.centers_ = self._to_features(self.standard_centers_)
        self.n_features_in_ = data.shape[1]
        return self

    def _numbering(
        self,
        labels: NDArray[Any],
        centers: FloatArray,
        reference: Mapping[int, Sequence[float]] | None,
    ) -> NDArray[np.int64]:
        """``number[raw label]`` = the cluster's id."""
        k = len(centers)
        sizes = np.bincount(labels, minlength=k)
        # Largest first; a tie by the centre's coordinates (deterministic, seed-free).
        by_size = sorted(range(k), key=lambda c: (-sizes[c], tuple(np.round(centers[c], 9))))
        number = np.empty(k, dtype=np.int64)
        for n, c in enumerate(by_size):
            number[c] = n
        if not reference:
            return number
        from scipy.optimize import linear_sum_assignment

        ids = sorted(reference)
        previous = np.asarray([reference[i] for i in ids], dtype=np.float64)
        if previous.ndim != 2 or previous.shape[1] != centers.shape[1] or (previous < 0).any():
            return number  # another feature set: nothing to match against
        previous_z = (np.log1p(previous) - self.mean_) / self.scale_
        cost = ((centers[:, None, :] - previous_z[None, :, :]) ** 2).sum(axis=2)
        rows, cols = linear_sum_assignment(cost)
        matched = {int(r): ids[int(c)] for r, c in zip(rows, cols, strict=True)}
        # A cluster with no previous counterpart (k grew) takes the lowest unused id.
        used = set(matched.values())
        free = (n for n in range(k + len(ids)) if n not in used)
        for c in by_size:
            number[c] = matched[c] if c in matched else next(free)
        return number

    # -- profile ---------------------------------------------------------------------------
    def profile(
        self, x: ArrayLike, feature_names: Sequence[str], *, value_feature: str | None = None
    ) -> list[ClusterProfile]:
        """Per cluster: size, share of customers, share of ``value_feature``'s total (the
        revenue share) and the median of every feature, in cluster order."""
        data = self._check(x)
        total = (
            float(data[:, list(feature_names).index(value_feature)].sum()) if value_feature else 0.0
        )
        out = []
        for c in self.cluster_ids_:
            rows = data[self.labels_ == c]
            value_share = None
            if value_feature:
                value = float(rows[:, list(feature_names).index(value_feature)].sum())
                value_share = value / total if total > 0 else 0.0
            out.append(
                ClusterProfile(
                    cluster=c,
                    size=len(rows),
                    share=len(rows) / len(data),
                    value_share=value_share,
                    medians={
                        name: float(np.median(rows[:, j])) for j, name in enumerate(feature_names)
                    },
                )
            )
        return out


@dataclass
class ClusterProfile:
    cluster: int
    size: int
    share: float
    value_share: float | None
    medians: dict[str, float]


# -- naming -----------------------------------------------------------------------------------
NAMING_RULE = """\
Each cluster's median recency R, frequency F and monetary M are placed in the whole
population as mid-rank percentiles (share of customers below + half the share equal; 0–1).
Value V = (F + M) / 2. In this order, the first that holds names the cluster:
  1. R ≤ 0.5 and V ≥ 0.6  → 忠诚高价值 loyal, high value (recent, many orders, much spent)
  2. R ≤ 0.5              → 潜力 potential (recent, few orders yet)
  3. V ≥ 0.5              → 流失风险 at risk (long since the last purchase, had bought much)
  4. R > 0.65             → 低价值 low value (long gone, bought little)
  5. otherwise            → 一般 ordinary
Two clusters with the same name are told apart by a number (by higher V first)."""

NAMES: dict[str, tuple[str, str]] = {
    "loyal": ("忠诚高价值", "Loyal, high value"),
    "potential": ("潜力", "Potential"),
    "at_risk": ("流失风险", "At risk"),
    "low_value": ("低价值", "Low value"),
    "ordinary": ("一般", "Ordinary"),
}


def percentile_of(population: ArrayLike, value: float) -> float:
    """Mid-rank percentile of ``value`` in ``population``: share below + half the share equal."""
    p = np.asarray(population, dtype=np.float64)
    return float(((p < value).sum() + 0.5 * (p == value).sum()) / len(p))


def name_key(recency: float, frequency: float, monetary: float) -> str:
    """The rule's name key from the three percentiles (see ``NAMING_RULE``)."""
    value = (frequency + monetary) / 2
    if recency <= 0.5 and value >= 0.6:
        return "loyal"
    if recency <= 0.5:
        return "potential"
    if value >= 0.5:
        return "at_risk"
    if recency > 0.65:
        return "low_value"
    return "ordinary"


@dataclass
class ClusterName:
    key: str
    zh: str
    en: str
    recency_pct: float
    frequency_pct: float
    monetary_pct: float


def name_clusters(
    profiles: Sequence[ClusterProfile],
    population: Mapping[str, ArrayLike],
    *,
    recency: str = "recency_days",
    frequency: str = "frequency",
    monetary: str = "monetary",
) -> list[ClusterName]:
    """A name per profile (same order) by ``NAMING_RULE``; ``population``: every
    customer's value of the three features."""
    names = []
    for p in profiles:
        r = percentile_of(population[recency], p.medians[recency])
        f = percentile_of(population[frequency], p.medians[frequency])
        m = percentile_of(population[monetary], p.medians[monetary])
        key = name_key(r, f, m)
        zh, en = NAMES[key]
        names.append(ClusterName(key, zh, en, r, f, m))
    # Duplicates: numbered by value, highest first ("潜力", "潜力 2").
    for key in {n.key for n in names}:
        same = [n for n in names if n.key == key]
        if len(same) < 2:
            continue
        same.sort(key=lambda n: -(n.frequency_pct + n.monetary_pct))
        for i, n in enumerate(same[1:], start=2):
            n.zh = f"{n.zh} {i}"
            n.en = f"{n.en} {i}"
    return names
