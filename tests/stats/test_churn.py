"""Churn risk's estimator and measures (``stats.churn``): hand-computed AUC, lift and
calibration, the recency baseline, and a simulate-and-recover check — features with a known
effect on churn are the ones the model ranks first, and it beats recency where it should."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.stats import churn
from guanxi.stats.churn import FEATURE_NAMES, ChurnModel


def test_auc_of_six_customers_by_hand() -> None:
    # Churners score 0.9, 0.8, 0.4; stayers 0.6, 0.3, 0.4. Of the 3 × 3 = 9 pairs the
    # churner scores higher in: 0.9 → 3, 0.8 → 3, 0.4 → 1 (over 0.3) + ½ (tie with 0.4) =
    # 1.5; total 7.5 ÷ 9 = 0.8333…
    y = [1, 1, 1, 0, 0, 0]
    s = [0.9, 0.8, 0.4, 0.6, 0.3, 0.4]
    assert churn.roc_auc(y, s) == pytest.approx(7.5 / 9)
    # Reversed scores give 1 − AUC; one class only is an error, not a number.
    assert churn.roc_auc(y, [-v for v in s]) == pytest.approx(1.5 / 9)
    with pytest.raises(ValueError, match="both"):
        churn.roc_auc([1, 1], [0.1, 0.2])


def test_top_decile_lift_by_hand() -> None:
    # 20 customers, 5 churners: overall rate 5/20 = 0.25. The top ⌈20/10⌉ = 2 by risk are
    # customers 0 (0.95, churned) and 1 (0.90, stayed): rate ½ → lift 0.5 ÷ 0.25 = 2.
    y = np.zeros(20, dtype=int)
    y[[0, 5, 6, 7, 8]] = 1
    risk = np.linspace(0.5, 0.0, 20)
    risk[0], risk[1] = 0.95, 0.90
    assert churn.top_decile_lift(y, risk) == pytest.approx(2.0)
    # Deciles of 2 customers each, highest risk first: [0, 1] → ½; [2, 3] → 0; [4, 5] → ½;
    # [6, 7] → 1; [8, 9] → ½; the rest 0.
    assert churn.decile_rates(y, risk) == pytest.approx([0.5, 0, 0.5, 1, 0.5, 0, 0, 0, 0, 0])


def test_calibration_bins_by_hand() -> None:
    # Bin [0.1, 0.2): 0.12, 0.18 → mean 0.15, churned 1 of 2 → 0.5. Bin [0.9, 1.0]: 0.95
    # and exactly 1.0 (kept in the last bin) → mean 0.975, both churned → 1.0.
    bins = churn.calibration_bins([0, 1, 1, 1], [0.12, 0.18, 0.95, 1.0])
    assert len(bins) == 10
    assert bins[1]["customers"] == 2
    assert bins[1]["predicted"] == pytest.approx(0.15)
    assert bins[1]["observed"] == pytest.approx(0.5)
    assert bins[9]["predicted"] == pytest.approx(0.975)
    assert bins[9]["observed"] == 1.0
    assert bins[0]["customers"] == 0 and bins[0]["predicted"] is None


def test_recency_baseline_is_the_percentile_rank() -> None:
    # Recencies 10, 40, 40, never paid (NaN = longest): ranks 1, 2.5, 2.5, 4 of 4.
    assert churn.recency_baseline([10, 40, 40, np.nan]) == pytest.approx([0.25, 0.625, 0.625, 1.0])


def _simulate(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Customers whose churn depends on recency (up), complaints (strongly up, and
    independent of recency, so recency alone cannot see it) and frequency (down); the other
    features are noise."""
    rng = np.random.default_rng(seed)
    cols = {name: rng.poisson(2, n).astype(float) for name in FEATURE_NAMES}
    cols["recency_days"] = rng.uniform(0, 365, n)
    cols["frequency"] = rng.poisson(3, n).astype(float)
    cols["complaints"] = rng.binomial(1, 0.2, n) * rng.integers(1, 4, n).astype(float)
    cols["mean_rating"] = np.where(rng.random(n) < 0.3, np.nan, rng.uniform(1, 5, n))
    logit = (
        -1.5 + 0.008 * cols["recency_days"] + 1.4 * cols["complaints"] - 0.35 * cols["frequency"]
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return churn.as_matrix(cols), y


def test_simulate_and_recover() -> None:
    x, y = _simulate(2400, seed=1)
    xt, yt = _simulate(1200, seed=2)
    model = ChurnModel(max_iter=80, random_state=0).fit(x, y)
    risk = model.predict_proba(xt)
    auc = churn.roc_auc(yt, risk)
    base = churn.roc_auc(yt, churn.recency_baseline(xt[:, FEATURE_NAMES.index("recency_days")]))
    # Recency explains part of the churn; complaints and frequency the rest: the model must
    # see them and beat recency clearly.
    assert auc > base + 0.05, (auc, base)
    # The three features with an effect carry the largest mean |contribution|.
    weight = np.abs(model.contributions(xt[:300])).mean(axis=0)
    top3 = {FEATURE_NAMES[j] for j in np.argsort(-weight)[:3]}
    assert top3 == {"recency_days", "complaints", "frequency"}, weight
    # The same data and seed give the same model.
    again = ChurnModel(max_iter=80, random_state=0).fit(x, y).predict_proba(xt)
    assert np.array_equal(risk, again)


def test_reasons_name_what_raises_the_risk_in_both_languages() -> None:
    x, y = _simulate(1500, seed=3)
    model = ChurnModel(max_iter=60).fit(x, y)
    # A customer with 3 complaints and otherwise median figures: complaints first.
    row = model.medians_.copy()
    row[FEATURE_NAMES.index("complaints")] = 3
    contribution = model.contributions(row[None, :])[0]
    reasons = churn.top_reasons(row, contribution, model.medians_)
    assert reasons[0]["feature"] == "complaints"
    assert reasons[0]["zh"] == "近一年投诉 3 次（中位数 0 次）"
    assert reasons[0]["en"] == "complaints in the past year: 3 (median 0)"
    # Only features that raise the risk are reasons: at the medians there are none.
    none = churn.top_reasons(
        model.medians_, model.contributions(model.medians_[None, :])[0], model.medians_
    )
    assert none == []


def test_one_class_only_is_refused() -> None:
    with pytest.raises(ValueError, match="one class"):
        ChurnModel().fit(np.zeros((10, len(FEATURE_NAMES))), np.zeros(10))
