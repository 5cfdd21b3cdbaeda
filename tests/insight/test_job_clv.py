"""job_clv without the lake: parameters checked by name, and the hold-out table by hand."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.insight import job_clv
from guanxi.insight.job_api import FitFailed


def test_parameters_default_and_bad_ones_are_named() -> None:
    assert job_clv.validate({}) == {
        "as_of": None, "unit": "week", "holdout_days": 90, "months": 12, "margin": 0.3,
        "annual_discount_rate": 0.1,
    }  # fmt: skip
    assert job_clv.validate({"as_of": "2025-06-30", "months": "24"})["months"] == 24
    for params, field in (
        ({"margin": 1.5}, "margin"),
        ({"months": 2.5}, "months"),
        ({"holdout_days": 7}, "holdout_days"),
        ({"unit": "month"}, "unit"),
        ({"as_of": "2025-02-30"}, "as_of"),
        ({"discount": 0.1}, "discount"),
    ):
        with pytest.raises(FitFailed) as err:
            job_clv.validate(params)
        assert f"Parameter {field}:" in err.value.en and f"参数 {field}" in err.value.zh


def test_holdout_table_by_hand() -> None:
    # frequency 0, 0, 1, 9, 7 → buckets 0 (2 customers), 1 (1), 7+ (2);
    # bucket 0: predicted (0.2 + 0.4)/2 = 0.3, actual (0 + 1)/2 = 0.5
    # bucket 7+: predicted (3 + 5)/2 = 4, actual (2 + 6)/2 = 4
    rows = job_clv.holdout_table(
        np.array([0, 0, 1, 9, 7.0]),
        np.array([0.2, 0.4, 1.0, 3.0, 5.0]),
        np.array([0, 1, 2, 2, 6.0]),
    )
    assert rows == [
        {"frequency": "0", "customers": 2, "predicted": 0.3, "actual": 0.5},
        {"frequency": "1", "customers": 1, "predicted": 1.0, "actual": 2.0},
        {"frequency": "7+", "customers": 2, "predicted": 4.0, "actual": 4.0},
    ]
