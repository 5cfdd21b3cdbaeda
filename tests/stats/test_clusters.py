"""Customer clusters (issue 18 item 3): recover known groups, choose k by silhouette, stable
labels, matched ids across runs, profiles and the naming rule — plain tests, no database."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from guanxi.stats.clusters import (
    ClusterFitError,
    ClusterProfile,
    CustomerClusters,
    name_clusters,
    name_key,
    percentile_of,
)


def _blobs(seed: int = 3, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """Three groups with known centres in log space, well apart (4 standard units of 0.2):
    recency days ~ e^1, e^5, e^3; orders ~ e^2.5, e^0.3, e^1; money ~ e^8, e^4, e^6."""
    rng = np.random.default_rng(seed)
    centres = np.array([[1.0, 2.5, 8.0], [5.0, 0.3, 4.0], [3.0, 1.0, 6.0]])
    truth = np.repeat(np.arange(3), n)
    logged = centres[truth] + rng.normal(0, 0.2, size=(3 * n, 3))
    return np.expm1(np.clip(logged, 0, None)), truth


def test_known_groups_are_recovered_and_k_is_chosen_by_silhouette() -> None:
    x, truth = _blobs(n=150)
    model = CustomerClusters(k_range=(2, 5), random_state=7, n_init=4).fit(x)
    assert model.k_ == 3
    assert sorted(model.silhouettes_) == [2, 3, 4, 5]
    assert max(model.silhouettes_, key=lambda k: model.silhouettes_[k]) == 3
    assert adjusted_rand_score(truth, model.labels_) >= 0.9
    # The centres come back in the features' units, near the true ones (e^x − 1).
    found = np.array(sorted(np.log1p(model.centers_).tolist()))
    expected = [[1.0, 2.5, 8.0], [3.0, 1.0, 6.0], [5.0, 0.3, 4.0]]
    np.testing.assert_allclose(found, expected, atol=0.15)


def test_same_seed_same_labels_and_ids_follow_the_previous_centres() -> None:
    x, _ = _blobs(n=60)
    a = CustomerClusters(k_range=(2, 4), random_state=11, n_init=3).fit(x)
    b = CustomerClusters(k_range=(2, 4), random_state=11, n_init=3).fit(x)
    assert (a.labels_ == b.labels_).all()
    # Equal sizes: numbering by size falls back to the centres, still deterministic.
    # A rerun given the previous centres under permuted ids keeps those ids.
    previous = {9 - i: c for i, c in zip(a.cluster_ids_, a.centers_.tolist(), strict=True)}
    c = CustomerClusters(k_range=(2, 4), random_state=99, n_init=3).fit(
        x, reference_centers=previous
    )
    assert sorted(c.cluster_ids_) == sorted(previous)
    assert (c.labels_ == 9 - a.labels_).all()


def test_large_inputs_choose_k_on_a_sample() -> None:
    x, truth = _blobs(n=400)
    model = CustomerClusters(k_range=(2, 4), random_state=1, sample_size=300).fit(x)
    assert model.sampled_ is True
    assert model.k_ == 3 and len(model.labels_) == 1200
    assert adjusted_rand_score(truth, model.labels_) >= 0.9


@pytest.mark.parametrize(
    ("x", "words"),
    [
        ([[1, 2, 3]] * 10, "same features"),
        ([[1, 2], [2, 3]], "Only 2 distinct customers"),
        ([[1, -2], [2, 3], [4, 5]], "negative"),
        ([[1, float("nan")], [2, 3], [3, 3]], "missing"),
    ],
)
def test_a_fit_that_cannot_succeed_says_why(x: list, words: str) -> None:
    with pytest.raises(ClusterFitError) as caught:
        CustomerClusters(k_range=(2, 4)).fit(x)
    assert words in caught.value.en and caught.value.zh


def test_profile_sizes_shares_and_medians() -> None:
    # Two obvious groups: a = 3 customers (money 10, 20, 30), b = 2 (money 1000, 3000).
    x = [[100, 1, 10], [110, 1, 20], [90, 1, 30], [5, 9, 1000], [6, 11, 3000]]
    model = CustomerClusters(k_range=(2, 2), random_state=0).fit(x)
    profiles = model.profile(x, ["recency_days", "frequency", "monetary"], value_feature="monetary")
    a, b = profiles  # numbered by size: the three-customer group first
    assert (a.size, b.size) == (3, 2)
    assert a.share == pytest.approx(0.6)
    # revenue: 60 of 4060 and 4000 of 4060
    assert a.value_share == pytest.approx(60 / 4060)
    assert b.value_share == pytest.approx(4000 / 4060)
    assert a.medians == {"recency_days": 100.0, "frequency": 1.0, "monetary": 20.0}
    assert b.medians == {"recency_days": 5.5, "frequency": 10.0, "monetary": 2000.0}


def test_percentiles_and_the_naming_rule() -> None:
    # mid-rank: in [1, 2, 2, 3], 2 has 1 below and 2 equal → (1 + 0.5·2) / 4 = 0.5
    assert percentile_of([1, 2, 2, 3], 2) == 0.5
    assert name_key(0.2, 0.8, 0.7) == "loyal"  # recent, V 0.75
    assert name_key(0.5, 0.3, 0.4) == "potential"  # recent, V 0.35
    assert name_key(0.8, 0.6, 0.6) == "at_risk"  # gone, V 0.6
    assert name_key(0.9, 0.2, 0.3) == "low_value"  # gone, V 0.25
    assert name_key(0.6, 0.3, 0.3) == "ordinary"  # neither recent nor long gone

    population = {
        "recency_days": [1, 2, 3, 4, 100, 200, 300, 400],
        "frequency": [9, 8, 1, 1, 7, 6, 1, 1],
        "monetary": [900, 800, 10, 10, 700, 600, 10, 10],
    }

    def profile(r: float, f: float, m: float) -> ClusterProfile:
        return ClusterProfile(0, 2, 0.25, None, {"recency_days": r, "frequency": f, "monetary": m})

    names = name_clusters(
        [profile(1.5, 8.5, 850), profile(3.5, 1, 10), profile(150, 6.5, 650), profile(350, 1, 10)],
        population,
    )
    # R of 1.5: 1 below of 8 → 0.125; F 8.5: 7 below → 0.875; M 850: 7 below → 0.875
    assert [n.key for n in names] == ["loyal", "potential", "at_risk", "low_value"]
    assert names[0].recency_pct == 0.125 and names[0].frequency_pct == 0.875
    assert [n.zh for n in names] == ["忠诚高价值", "潜力", "流失风险", "低价值"]
    twice = name_clusters([profile(3.5, 1, 10), profile(2.5, 1, 10)], population)
    assert [n.zh for n in twice] == ["潜力", "潜力 2"]
