"""``guanxi setup``'s small demo fits each model once, as "run now" would; a family that
cannot fit leaves its run failed and the others done."""

from __future__ import annotations

import pytest

from guanxi.insight import runs
from guanxi.insight.job_api import FitFailed
from guanxi.insight.models import ModelRun, RunState
from guanxi.installation.demo_shop import demo_predictions_fit
from tests.insight.conftest import FakeJob

pytestmark = pytest.mark.django_db


def test_every_family_is_fitted_once_and_a_failure_is_counted_out() -> None:
    jobs = {kind: FakeJob() for kind in ("clv", "churn", "clusters", "basket")}
    jobs["churn"].fail = FitFailed("数据太少", "too little data")
    try:
        for kind, job in jobs.items():
            runs.register(kind, job)
        assert demo_predictions_fit() == 3
    finally:
        for kind in jobs:
            runs.register(kind, None)
    states = dict(ModelRun.objects.values_list("kind", "state"))
    assert states == {
        "clv": RunState.DONE,
        "churn": RunState.FAILED,
        "clusters": RunState.DONE,
        "basket": RunState.DONE,
    }
    assert all(len(job.seen) == 1 for job in jobs.values())
