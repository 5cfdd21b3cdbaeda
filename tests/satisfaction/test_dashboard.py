"""Seed 001's model as arithmetic (satisfaction.dashboard): plain tests, no database."""

from __future__ import annotations

import pytest

from guanxi.satisfaction import dashboard as d


def test_normalise_each_scale() -> None:
    assert d.normalise(1, d.RATING5) == 0
    assert d.normalise(3, d.RATING5) == 50  # (3 − 1) ÷ 4 × 100
    assert d.normalise(4.8, d.RATING5) == pytest.approx(95)  # 3.8 ÷ 4 × 100
    assert d.normalise(7, d.RATING10) == 70
    assert d.normalise(0.92, d.SHARE) == pytest.approx(92)
    with pytest.raises(d.ScaleError):
        d.normalise(0, d.RATING5)
    with pytest.raises(d.ScaleError):
        d.normalise(11, d.RATING10)


def test_mixed_survey_answers_each_weigh_one() -> None:
    # rating5 answers 4, 5, 3 → 75, 100, 50 (sum 12: (12 − 3) ÷ 4 × 100 = 225)
    # rating10 answers 8, 6 → 80, 60 (sum 14 × 10 = 140); mean (225 + 140) ÷ 5 = 73
    mean, n = d.mean_of_tallies([d.Tally(d.RATING5, 3, 12), d.Tally(d.RATING10, 2, 14)])
    assert (mean, n) == (pytest.approx(73.0), 5)
    assert d.mean_of_tallies([]) == (None, 0)
    # SERVQUAL 7-point answers 7 and 4 → 100 and 50: ((11 − 2) ÷ 6 × 100) ÷ 2 = 75
    assert d.mean_of_tallies([d.Tally(d.LIKERT, 2, 11, top=7)]) == (pytest.approx(75.0), 2)


def _sources(expect_raw: float | None) -> list[d.Source]:
    return [
        # product side: survey 70.0 (n 10), DSR 描述 4.8 → 95.0, 好评率 0.9 → 90.0
        d.survey_source("survey_product", d.PRODUCT, [d.Tally(d.RATING10, 10, 70)]),
        d.source("dsr_description", d.PRODUCT, d.RATING5, 4.8, 200),
        d.source("good_rate", d.PRODUCT, d.SHARE, 0.9, 50),
        # service side: DSR 服务 4.6 → 90.0, 物流 4.2 → 80.0, CSAT mean 4.0 → 75.0,
        # survey service items: none (no data, left out — not a 0)
        d.source("dsr_service", d.SERVICE, d.RATING5, 4.6, 200),
        d.source("dsr_logistics", d.SERVICE, d.RATING5, 4.2, 200),
        d.source("csat", d.SERVICE, d.RATING5, 4.0, 12),
        d.survey_source("survey_service", d.SERVICE, []),
        # expectation: survey 0–10 mean; past purchases: 4.5 stars → 87.5
        d.survey_source(
            "survey_expectation",
            d.EXPECTATION,
            [] if expect_raw is None else [d.Tally(d.RATING10, 4, expect_raw * 4)],
        ),
        d.source("past_ratings", d.EXPECTATION, d.RATING5, 4.5, 30),
    ]


def test_balance_below_expectation_gives_levers() -> None:
    b = d.balance(_sources(9.5))
    # product = (70 + 95 + 90) ÷ 3 = 85.0; service = (90 + 80 + 75) ÷ 3 = 81.7 (81.666…)
    assert b.product == 85.0
    assert b.service == 81.7
    # perceived = (85.0 + 81.7) ÷ 2 = 83.35 → 83.3 or 83.4 (float); expectation =
    # (95.0 + 87.5) ÷ 2 = 91.25 → 91.2 (banker-safe either way); gap ≈ −7.9
    assert b.perceived == pytest.approx(83.35, abs=0.06)
    assert b.expectation == pytest.approx(91.25, abs=0.06)
    assert b.gap == pytest.approx(83.35 - 91.25, abs=0.11)
    assert b.verdict == "below"
    # service is the weaker side: its lever before the product's
    assert b.levers == ("detail_page", "packaging", "service_value", "product_value", "cost")
    assert not b.perceived_partial


def test_balance_satisfied_and_missing_sources() -> None:
    # expectation from the survey 6.0 → 60.0 and past 87.5 → 73.75 ≤ 83.35: satisfied
    b = d.balance(_sources(6.0))
    assert b.verdict == "satisfied" and b.levers == ()
    assert b.gap is not None and b.gap > 0
    # no survey_service answers → that source has no data, not 0
    empty = next(s for s in _sources(None) if s.key == "survey_service")
    assert empty.value is None and empty.n == 0 and not empty.available
    # without any expectation source: no verdict
    only_perceived = [s for s in _sources(None) if s.side != d.EXPECTATION]
    assert d.balance(only_perceived).verdict == "unknown"
    assert d.balance(only_perceived).gap is None
    # one side of perceived value alone: partial
    product_only = [s for s in _sources(9.5) if s.side != d.SERVICE]
    b2 = d.balance(product_only)
    assert b2.perceived == 85.0 and b2.perceived_partial
    # no service data: the unwatched service side counts as the weaker one → its lever first
    assert b2.levers == ("detail_page", "packaging", "service_value", "product_value", "cost")


def test_source_without_count_is_no_data() -> None:
    s = d.source("dsr_service", d.SERVICE, d.RATING5, None, 0)
    assert s.value is None and not s.available


def test_word_of_mouth_hand_computed() -> None:
    # 37 satisfied × 12 = 444; 5 unsatisfied × 20 = 100; reach 544; 100 ÷ 544 ≈ 18.4 %
    w = d.word_of_mouth(37, 5)
    assert (w.reach_satisfied, w.reach_unsatisfied, w.reach) == (444, 100, 544)
    assert w.unsatisfied_share == pytest.approx(100 / 544)
    assert d.word_of_mouth(0, 0).unsatisfied_share is None
    with pytest.raises(ValueError, match="negative"):
        d.word_of_mouth(-1, 0)


def test_churn_is_retention_complement() -> None:
    # 40 paid in the previous window, 10 paid again → retention 25 %, churn 30 ÷ 40 = 75 %
    assert d.churn_rate(40, 10) == 0.75
    assert d.churn_rate(0, 0) is None
