"""Churn risk's job (``insight.job_churn``): the time split never leaks, wrong parameters
and thin data fail in words, and on the small demo shop the model is measured against the
recency baseline on a later held-out period."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from guanxi.insight import job_churn
from guanxi.insight.job_api import FitFailed


@pytest.mark.parametrize("horizon", [30, 60, 90, 180])
@pytest.mark.parametrize(
    "last_day", [dt.date(2025, 12, 31), dt.date(2025, 6, 14), dt.date(2024, 3, 1)]
)
def test_the_time_split_never_leaks(last_day: dt.date, horizon: int) -> None:
    split = job_churn.plan(last_day, horizon, 3)
    data_end = last_day + dt.timedelta(days=1)
    # The held-out label period has ended by the data's end: every label is known.
    assert split.label_end(split.evaluate) <= data_end
    # No training label period reaches the held-out cutoff, so no training row looks at a
    # day of the held-out period (features read only before their own cutoff).
    for cutoff in split.train:
        assert cutoff.day == 1
        assert split.label_end(cutoff) <= split.evaluate
    assert list(split.train) == sorted(split.train) and len(split.train) == 3
    # The latest such cutoffs: one month later would not fit.
    later = job_churn._month_start(split.evaluate, 1)
    assert later + dt.timedelta(days=horizon) > data_end


def test_plan_by_hand() -> None:
    # Data to 2025-12-31, 90 days: 2025-10-01 + 90 = 12-30 ≤ 2026-01-01 → held-out 10-01;
    # training 07-01 + 90 = 09-29 ≤ 10-01 (08-01 + 90 = 10-30 would not be) → 05, 06, 07.
    # Scored at 2026-01-01 (the 31st is past mid-month).
    split = job_churn.plan(dt.date(2025, 12, 31), 90, 3)
    assert split.evaluate == dt.date(2025, 10, 1)
    assert split.train == (dt.date(2025, 5, 1), dt.date(2025, 6, 1), dt.date(2025, 7, 1))
    assert split.score == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"horizon_days": 3}, "horizon_days"),
        ({"at_risk": 1.5}, "at_risk"),
        ({"train_cutoffs": "2"}, "train_cutoffs"),
    ],
)
def test_bad_parameters_name_the_field(params: dict, field: str) -> None:
    with pytest.raises(FitFailed) as failed:
        job_churn.clean_params(params)
    assert field in failed.value.en and field in failed.value.zh


@pytest.mark.django_db
def test_no_orders_fails_in_words(lake) -> None:
    with pytest.raises(FitFailed, match="No orders"):
        job_churn.fit({}, lambda f, s: None)


def test_too_few_customers_or_one_outcome_fail_in_words() -> None:
    cutoff = dt.date(2025, 7, 1)
    with pytest.raises(FitFailed) as few:
        job_churn._check_period("训练期", "training", cutoff, np.array([0, 1] * 10), 50)
    assert "only 20 customers" in few.value.en and "少于 50 位" in few.value.zh
    with pytest.raises(FitFailed) as gone:
        job_churn._check_period("评估期", "held-out", cutoff, np.ones(60, dtype=int), 50)
    assert "all churned" in gone.value.en and "全部流失" in gone.value.zh
    with pytest.raises(FitFailed, match="none churned"):
        job_churn._check_period("评估期", "held-out", cutoff, np.zeros(60, dtype=int), 50)
    job_churn._check_period("评估期", "held-out", cutoff, np.array([0, 1] * 30), 50)  # fine
