"""``guanxi predict fit|score|report`` with a fake family."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from guanxi.insight.job_api import FitFailed
from guanxi.insight.models import ModelRun, RunState
from tests.insight.conftest import FakeJob

pytestmark = pytest.mark.django_db


def predict(*args: str) -> str:
    out = StringIO()
    call_command("predict", *args, stdout=out)
    return out.getvalue()


def test_fit_wait_then_report(fake_clv: FakeJob) -> None:
    fake_clv.metrics = {"customers": 3, "r": 0.243}
    text = predict("fit", "clv", "--param", "margin=0.5", "--wait")
    run = ModelRun.objects.get()
    assert f"run #{run.pk} (clv) done" in text
    assert (run.state, run.serving, run.params["margin"]) == (RunState.DONE, True, 0.5)
    answer = json.loads(predict("report", "clv", "--format", "json"))
    assert answer["serving"]["clv"]["metrics"] == {"customers": 3, "r": 0.243}
    assert [r["id"] for r in answer["runs"]] == [run.pk]
    table = predict("report")
    assert "clv" in table and "customers=3" in table and f"{run.pk}*" in table


def test_fit_queues_without_wait(fake_clv: FakeJob) -> None:
    # tests run tasks at once; a real worker would pick it up later
    assert "the task worker runs it" in predict("fit", "clv")
    assert ModelRun.objects.get().state == RunState.DONE


def test_a_failed_fit_says_why(fake_clv: FakeJob) -> None:
    fake_clv.fail = FitFailed("数据太少", "too little data: 2 customers")
    with pytest.raises(CommandError, match="failed: too little data: 2 customers") as caught:
        predict("fit", "clv", "--wait")
    assert caught.value.returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("fit", "clv", "--param", "margin"), "--param: 'margin' is not name=value"),
        (("fit", "clv", "--param", "margin=2"), "margin: must be at most 1.0"),
        (("fit", "clv", "--param", "beta=1"), "beta: not a parameter of clv"),
        (("score", "clv"), "kind: no clv run serves yet"),
        (("report", "--limit", "0"), "--limit: give 1–500"),
    ],
)
def test_bad_input_exits_2(fake_clv: FakeJob, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        predict(*args)
    assert message in str(caught.value) and caught.value.returncode == 2
    assert not ModelRun.objects.exists()


def test_score_says_when_the_family_cannot(fake_clv: FakeJob, monkeypatch) -> None:
    from guanxi.insight import runs

    predict("fit", "clv", "--wait")
    monkeypatch.setattr(runs, "_job_module", lambda kind: None)
    with pytest.raises(CommandError, match="cannot re-score without refitting"):
        predict("score", "clv")


def test_score_rewrites_values_with_the_serving_run(fake_clv: FakeJob, monkeypatch) -> None:
    from types import SimpleNamespace

    from guanxi.insight import runs
    from guanxi.insight.job_api import JobResult
    from guanxi.insight.models import CustomerPrediction

    fake_clv.customers = {"k1": {"p_alive": 0.5}}
    predict("fit", "clv", "--wait")
    run = ModelRun.objects.get()

    def rescore(params, metrics, progress):
        assert params == run.params and metrics == run.metrics  # the serving run's model
        return JobResult(metrics={}, customers={"k1": {"p_alive": 0.25}, "k2": {"p_alive": 0.9}})

    monkeypatch.setattr(runs, "_job_module", lambda kind: SimpleNamespace(score=rescore))
    assert f"2 customers re-scored with clv run #{run.pk}" in predict("score", "clv")
    rows = dict(CustomerPrediction.objects.values_list("customer_key", "p_alive"))
    assert rows == {"k1": 0.25, "k2": 0.9}
    assert set(CustomerPrediction.objects.values_list("clv_run", flat=True)) == {run.pk}
