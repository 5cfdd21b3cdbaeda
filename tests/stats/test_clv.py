"""BG/NBD and Gamma-Gamma against the papers (Fader, Hardie & Lee 2005) on the CDNOW sample,
simulate-and-recover, the predictions' formulas by hand, and transactions → RFM by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from guanxi.stats import clv

DATA = Path(__file__).resolve().parents[1] / "data" / "cdnow"


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


@pytest.fixture(scope="module")
def cdnow() -> np.ndarray:
    # ID, x, t_x, T (weeks at the 39-week calibration end), zbar (mean repeat spend)
    return np.loadtxt(
        DATA / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1
    )


@pytest.fixture(scope="module")
def bgf(cdnow: np.ndarray) -> clv.BetaGeoFitter:
    return clv.BetaGeoFitter().fit(cdnow[:, 1], cdnow[:, 2], cdnow[:, 3])


def test_bgnbd_reproduces_the_paper(bgf: clv.BetaGeoFitter, cdnow: np.ndarray) -> None:
    # Fader, Hardie & Lee 2005, p. 280: r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4.
    assert len(cdnow) == 2357
    assert bgf.n_customers_ == 2357 and bgf.converged_
    assert [sig3(v) for v in (bgf.r_, bgf.alpha_, bgf.a_, bgf.b_)] == [0.243, 4.41, 0.793, 2.43]
    assert round(bgf.alpha_, 2) == 4.41 and round(bgf.b_, 2) == 2.43
    assert bgf.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)


def test_gamma_gamma_reproduces_the_paper(cdnow: np.ndarray) -> None:
    # "RFM and CLV" (2005): p 6.25, q 3.74, γ 15.44 on the 946 repeat customers' mean spend.
    ggf = clv.GammaGammaFitter().fit(cdnow[:, 1], cdnow[:, 4])
    assert ggf.n_customers_ == 946 and ggf.converged_
    assert [sig3(v) for v in (ggf.p_, ggf.q_, ggf.gamma_)] == [6.25, 3.74, 15.4]
    assert round(ggf.gamma_, 1) == 15.4
    # E[M | x, m̄] = p(γ + x m̄)/(px + q − 1): customer 1 (x 2, m̄ 22.35)
    p, q, g = ggf.p_, ggf.q_, ggf.gamma_
    expected = p * (g + 2 * 22.35) / (p * 2 + q - 1)
    assert ggf.conditional_expected_average_profit([2], [22.35])[0] == pytest.approx(expected)
    # A customer without repeats gets the population mean pγ/(q − 1) ≈ 6.25·15.44/2.74 ≈ 35.2
    assert ggf.conditional_expected_average_profit([0], [0.0])[0] == pytest.approx(p * g / (q - 1))


def test_transactions_reproduce_the_summary_and_the_paper() -> None:
    # CDNOW_sample.txt: 6,919 transactions → the 2,357 customers' (x, t_x, T, zbar) of the
    # summary, calibration end 1997-09-30 = day 272 after 1997-01-01, in weeks.
    raw = np.loadtxt(DATA / "CDNOW_sample.txt", dtype=str)
    dates = np.array([np.datetime64(f"{d[:4]}-{d[4:6]}-{d[6:]}") for d in raw[:, 2]])
    days = (dates - np.datetime64("1997-01-01")).astype(int)
    rfm = clv.summarise_transactions(raw[:, 0], days, raw[:, 4].astype(float), 272, 7.0)
    ref = np.loadtxt(
        DATA / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1
    )
    assert len(rfm.customers) == 2357
    # the summary is in another customer order: compare the sorted columns
    for got, want in ((rfm.frequency, ref[:, 1]), (rfm.recency, ref[:, 2]), (rfm.T, ref[:, 3])):
        np.testing.assert_allclose(np.sort(got), np.sort(want), atol=0.006)
    np.testing.assert_allclose(np.sort(rfm.monetary_value), np.sort(ref[:, 4]), atol=0.006)


def test_summarise_by_hand() -> None:
    # customer A: days 0, 0, 3, 10 (amounts 5+5, 20, 40) → one purchase per day: x 2,
    #   t_x = 10 − 0 = 10, T = 14 − 0 = 14, m̄ = (20 + 40)/2 = 30
    # customer B: day 7 only (amount 9) → x 0, t_x 0, T 7, m̄ 0
    # customer C: day 15 only → after the calibration end (14): left out
    rfm = clv.summarise_transactions(
        ["A", "A", "A", "A", "B", "C"], [0, 0, 3, 10, 7, 15], [5, 5, 20, 40, 9, 1], 14, 1.0
    )
    assert rfm.customers.tolist() == ["A", "B"]
    assert rfm.frequency.tolist() == [2, 0]
    assert rfm.recency.tolist() == [10, 0]
    assert rfm.T.tolist() == [14, 7]
    assert rfm.monetary_value.tolist() == [30, 0]
    # in weeks: T 14/7 = 2 and 7/7 = 1; t_x 10/7
    weeks = clv.summarise_transactions(["A", "A", "B"], [0, 10, 7], None, 14, 7.0)
    assert weeks.T.tolist() == [2, 1] and weeks.recency[0] == pytest.approx(10 / 7)


def test_predictions_by_hand(bgf: clv.BetaGeoFitter) -> None:
    r, al, a, b = bgf.r_, bgf.alpha_, bgf.a_, bgf.b_
    # P(alive) for x 2, t_x 30.43, T 38.86: 1/(1 + a/(b+1)·((α+T)/(α+t_x))^(r+2))
    odds = a / (b + 1) * ((al + 38.86) / (al + 30.43)) ** (r + 2)
    assert bgf.conditional_probability_alive([2], [30.43], [38.86])[0] == pytest.approx(
        1 / (1 + odds)
    )
    # no repeat purchase: alive for sure in BG/NBD
    assert bgf.conditional_probability_alive([0], [0], [38.86])[0] == 1.0
    # E[Y(t)] grows with t and starts at 0; it equals eq. 10 computed with math.
    assert bgf.conditional_expected_purchases(0.0, [2], [30.43], [38.86])[0] == pytest.approx(0)
    t = 39.0
    z = t / (al + 38.86 + t)
    from scipy.special import hyp2f1

    bracket = 1 - ((al + 38.86) / (al + 38.86 + t)) ** (r + 2) * hyp2f1(r + 2, b + 2, a + b + 1, z)
    want = (a + b + 1) / (a - 1) * bracket / (1 + odds)
    assert bgf.conditional_expected_purchases(t, [2], [30.43], [38.86])[0] == pytest.approx(want)
    # A new customer's expected purchases grow with time
    assert bgf.expected_purchases(78.0) > bgf.expected_purchases(39.0) > 0


def test_discounted_clv_by_hand(bgf: clv.BetaGeoFitter) -> None:
    # two months, value 100, margin 0.3, annual rate 12.68 % → monthly (1.1268)^(1/12) − 1 ≈ 1 %
    e1 = bgf.conditional_expected_purchases(30 / 7, [2], [30.43], [38.86])[0]
    e2 = bgf.conditional_expected_purchases(60 / 7, [2], [30.43], [38.86])[0]
    d = 1.1268 ** (1 / 12) - 1
    want = 0.3 * 100 * (e1 / (1 + d) + (e2 - e1) / (1 + d) ** 2)
    got = clv.discounted_clv(
        bgf, [100.0], [2], [30.43], [38.86], months=2, margin=0.3, annual_discount_rate=0.1268
    )
    assert got[0] == pytest.approx(want)
    with pytest.raises(ValueError, match="months"):
        clv.discounted_clv(bgf, [1.0], [0], [0], [1], months=0)


def test_simulate_and_recover() -> None:
    # 20,000 customers from the paper's parameters, ages 27–39 weeks as the CDNOW cohort.
    # Tolerance: 3 standard errors from the fit's own observed information — the sample
    # size sets the precision (about 1/√n), so a wrong estimator misses by many of them
    # while an honest one passes 99.7 % of seeds per parameter (this seed is fixed).
    truth = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    ages = 39 - np.random.default_rng(1).uniform(0, 12, 20_000)
    x, t_x = clv.simulate_bgnbd(0.243, 4.414, 0.793, 2.426, ages, seed=3)
    fit = clv.BetaGeoFitter().fit(x, t_x, ages)
    for name, value in truth.items():
        se = fit.standard_errors_[name]
        assert 0 < se < 0.2 * value  # informative: within 20 % at this size
        assert abs(fit.params_[name] - value) < 3 * se, (name, fit.params_[name], se)


def test_gamma_gamma_simulate_and_recover() -> None:
    # Spend: ν ~ Gamma(q, rate γ); each of x transactions ~ Gamma(p, rate ν); m̄ their mean.
    rng = np.random.default_rng(5)
    p, q, g, n = 6.25, 3.74, 15.44, 5_000
    x = rng.integers(1, 8, n).astype(float)
    nu = rng.gamma(q, 1 / g, n)
    m = rng.gamma(p * x, 1 / nu) / x  # sum of x Gamma(p, ν) is Gamma(px, ν)
    fit = clv.GammaGammaFitter().fit(x, m)
    for name, value in {"p": p, "q": q, "gamma": g}.items():
        se = fit.standard_errors_[name]
        assert abs(fit.params_[name] - value) < 3 * se, (name, fit.params_[name], se)


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="recency <= T"):
        clv.BetaGeoFitter().fit([1], [5], [3])
    with pytest.raises(ValueError, match="no customers"):
        clv.BetaGeoFitter().fit([], [], [])
    with pytest.raises(ValueError, match="two repeat customers"):
        clv.GammaGammaFitter().fit([0, 1], [0, 3])
    assert math.isfinite(
        clv.BetaGeoFitter.individual_log_likelihood([1, 1, 1, 1], [0], [0], [1])[0]
    )
