"""Churn risk on the small demo shop (1 500 customers, 12 months): the job runs end to end
and its figures are reported; the model's AUC is measured beside the recency baseline's."""

from __future__ import annotations

import json

import pytest

from guanxi import demo
from guanxi.insight import job_churn


@pytest.mark.django_db
def test_demo_shop_fit(lake) -> None:
    demo.build("small", 7, lake)
    steps: list[str] = []
    result = job_churn.fit({}, lambda f, s: steps.append(s))
    m = result.metrics
    print(json.dumps({k: v for k, v in m.items() if k not in ("model", "baseline")}, indent=1))
    for who in ("model", "baseline"):
        print(who, m[who]["auc"], m[who]["lift_top_decile"], m[who]["deciles"])
    print(m["model"]["calibration"])
    reasons = [c for c in result.customers.values() if c["churn_reasons"]]
    print(len(result.customers), len(reasons), reasons[:2])
    assert 0.5 < m["model"]["auc"] <= 1
