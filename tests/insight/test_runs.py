"""The run machinery (insight.runs) with a fake family: states, progress, input versions,
stored values, the serving switch and what a failure leaves in place."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from guanxi.core.errors import UserInputError
from guanxi.customers.models import Customer
from guanxi.insight import runs
from guanxi.insight.job_api import FitFailed, JobResult
from guanxi.insight.models import CustomerPrediction, ModelRun, ProductRule, RunState
from tests.factories import orders_table
from tests.insight.conftest import FakeJob

CLV_ROW = {
    "p_alive": 0.8,
    "expected_30": 0.25,
    "expected_90": 0.7,
    "expected_365": 2.5,
    "expected_value": 101.234,
    "clv": 250.005,
}


# -- parameters (no database) ---------------------------------------------------------------
def test_params_are_filled_in_and_checked() -> None:
    # the family's defaults; as_of (default: the latest day) is sent only when given
    assert runs.clean_params("clv", {}) == {
        "margin": 0.3,
        "annual_discount_rate": 0.1,
        "months": 12,
        "holdout_days": 90,
        "unit": "week",
    }
    given = runs.clean_params("clv", {"margin": "0.25", "months": " 6", "as_of": "2025-06-30"})
    assert (given["margin"], given["months"], given["as_of"]) == (0.25, 6, "2025-06-30")
    with pytest.raises(UserInputError, match=r"^unit: 'month'; give week or day"):
        runs.clean_params("clv", {"unit": "month"})
    with pytest.raises(UserInputError, match=r"^as_of: '2025-13-01' is not a date"):
        runs.clean_params("clv", {"as_of": "2025-13-01"})
    assert runs.clean_params("basket", {"exclude_bought": "false"})["exclude_bought"] is False
    with pytest.raises(UserInputError, match=r"^exclude_bought: 'maybe' is not true or false"):
        runs.clean_params("basket", {"exclude_bought": "maybe"})
    with pytest.raises(UserInputError, match=r"^margin: must be at most 1\.0"):
        runs.clean_params("clv", {"margin": "1.5"})
    with pytest.raises(UserInputError, match=r"^months: 'six' is not a whole number"):
        runs.clean_params("clv", {"months": "six"})
    with pytest.raises(UserInputError, match=r"^alpha: not a parameter of clv \(known: margin"):
        runs.clean_params("clv", {"alpha": "1"})
    with pytest.raises(UserInputError, match=r"^annual_discount_rate: must be a finite number"):
        runs.clean_params("clv", {"annual_discount_rate": "nan"})
    with pytest.raises(UserInputError, match=r"^kind: unknown model 'ltv'"):
        runs.check_kind("ltv")
    assert runs.parse_pairs(["seed=3", "k_max = 5"]) == {"seed": "3", "k_max": " 5"}
    with pytest.raises(UserInputError, match=r"^--param: 'seed' is not name=value"):
        runs.parse_pairs(["seed"])


def test_messages_keep_both_languages() -> None:
    message = runs.join_message("数据太少：只有 3 位客户", "too little data:\n only 3 customers")
    assert message == "数据太少：只有 3 位客户\ntoo little data: only 3 customers"
    assert runs.message_in(message, "zh-hans") == "数据太少：只有 3 位客户"
    assert runs.message_in(message, "en") == "too little data: only 3 customers"


def test_progress_is_throttled(monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[tuple[int, str]] = []

    class Rows:  # stands in for ModelRun.objects.filter(pk=…): records the UPDATE
        def update(self, progress: int, step: str) -> None:
            writes.append((progress, step))

    monkeypatch.setattr(runs.ModelRun.objects, "filter", lambda **kw: Rows())
    clock = iter([0.0, 0.3, 1.2, 1.3])
    throttled = runs._Throttled(1, clock=lambda: next(clock))
    throttled(0.0, "读取订单")  # t=0.0: written
    throttled(0.5, "拟合")  # t=0.3: within a second of the last write, skipped
    throttled(0.6, "拟合")  # t=1.2: written
    throttled(1.0, "完成")  # t=1.3: skipped; never 100 before the run is stored
    assert writes == [(0, "读取订单"), (60, "拟合")]


# -- the state machine ----------------------------------------------------------------------
@pytest.mark.django_db
def test_a_run_goes_queued_running_done_and_serves(fake_clv: FakeJob, lake) -> None:
    lake.write("orders", orders_table([("o1", "k1", "2026-01-02 10:00", "2026-01-02 10:05", "99")]))
    Customer.objects.create(customer_key="k1", name="王芳")
    fake_clv.customers = {"k1": CLV_ROW, "k2": CLV_ROW | {"clv": None}}
    fake_clv.metrics = {"customers": 2, "r": 0.243, "ll": float("nan")}
    seen_states: list[str] = []
    real_fit = fake_clv.__call__

    def watching(params, progress):  # the run is RUNNING while its fit works
        seen_states.append(ModelRun.objects.get().state)
        return real_fit(params, progress)

    runs.register("clv", watching)
    run = runs.create_run("clv", {"margin": "0.5"})
    assert (run.state, run.progress, run.serving) == (RunState.QUEUED, 0, False)
    run = runs.execute(run.pk)
    assert seen_states == [RunState.RUNNING]
    assert (run.state, run.progress, run.serving, run.message) == (RunState.DONE, 100, True, "")
    assert run.started_at is not None and run.finished_at is not None
    assert run.params["margin"] == 0.5
    assert run.metrics == {"customers": 2, "r": 0.243, "ll": None}  # NaN stored as null
    assert run.input_versions == {"orders": 0}  # the first commit of the orders table
    k1 = CustomerPrediction.objects.get(customer_key="k1")
    assert k1.customer is not None and k1.customer.customer_key == "k1"
    assert (k1.p_alive, k1.expected_365, k1.clv_run_id) == (0.8, 2.5, run.pk)
    assert k1.expected_value == Decimal("101.23") and k1.clv == Decimal("250.01")  # 2 places
    k2 = CustomerPrediction.objects.get(customer_key="k2")
    assert k2.customer is None and k2.clv is None  # not (yet) in the master: kept by key


@pytest.mark.django_db
def test_a_failed_fit_keeps_the_serving_run_and_its_values(fake_clv: FakeJob) -> None:
    fake_clv.customers = {"k1": CLV_ROW}
    good = runs.execute(runs.create_run("clv", {}).pk)
    fake_clv.fail = FitFailed("数据太少：只有 3 位客户有复购", "too little data: 3 repeat buyers")
    bad = runs.execute(runs.create_run("clv", {}).pk)
    assert bad.state == RunState.FAILED and not bad.serving
    assert bad.message == "数据太少：只有 3 位客户有复购\ntoo little data: 3 repeat buyers"
    good.refresh_from_db()
    assert good.serving
    assert CustomerPrediction.objects.get().clv_run_id == good.pk


@pytest.mark.django_db
def test_a_bug_is_logged_and_shown_as_internal_error(fake_clv: FakeJob, caplog) -> None:
    fake_clv.fail = ZeroDivisionError("division by zero")
    run = runs.execute(runs.create_run("clv", {}).pk)
    assert run.state == RunState.FAILED
    assert run.message == "内部错误\ninternal error"  # no traceback for the page
    assert "ZeroDivisionError" in caplog.text  # the log has it


@pytest.mark.django_db
def test_progress_is_written_while_running(fake_clv: FakeJob, monkeypatch) -> None:
    monkeypatch.setattr(runs, "PROGRESS_EVERY", 0.0)
    progress: list[tuple[int, str]] = []

    def fit(params, report):
        for fraction, step in [(0.25, "读取"), (0.5, "拟合"), (0.999, "打分")]:
            report(fraction, step)
            run = ModelRun.objects.get()
            progress.append((run.progress, run.step))
        return JobResult(metrics={})

    runs.register("clv", fit)
    run = runs.execute(runs.create_run("clv", {}).pk)
    # 0.999 → 99: the bar reaches 100 only when the results are stored
    assert progress == [(25, "读取"), (50, "拟合"), (99, "打分")]
    assert (run.progress, run.step) == (100, "")


@pytest.mark.django_db
def test_a_new_run_replaces_values_and_clears_those_it_lacks(fake_clv: FakeJob) -> None:
    fake_clv.customers = {"k1": CLV_ROW, "k2": CLV_ROW}
    first = runs.execute(runs.create_run("clv", {}).pk)
    # k2 also has a churn value from another family: the clv run must leave it alone
    CustomerPrediction.objects.filter(customer_key="k2").update(churn_risk=0.4, churn_run=first)
    fake_clv.customers = {"k1": CLV_ROW | {"p_alive": 0.1}}
    second = runs.execute(runs.create_run("clv", {}).pk)
    first.refresh_from_db()
    assert (first.serving, second.serving) == (False, True)
    k1 = CustomerPrediction.objects.get(customer_key="k1")
    assert (k1.p_alive, k1.clv_run_id) == (0.1, second.pk)
    k2 = CustomerPrediction.objects.get(customer_key="k2")
    assert (k2.p_alive, k2.clv, k2.clv_run_id, k2.churn_risk) == (None, None, None, 0.4)
    # a row no family fills any more goes
    fake_clv.customers = {}
    CustomerPrediction.objects.filter(customer_key="k2").update(churn_run=None)
    runs.execute(runs.create_run("clv", {}).pk)
    assert not CustomerPrediction.objects.exists()


@pytest.mark.django_db
def test_a_family_writes_only_its_own_fields(fake_clv: FakeJob) -> None:
    fake_clv.customers = {"k1": CLV_ROW | {"churn_risk": 0.9}}
    run = runs.execute(runs.create_run("clv", {}).pk)
    assert run.state == RunState.FAILED  # a job bug: internal error, nothing written
    assert not CustomerPrediction.objects.exists()


@pytest.mark.django_db
def test_basket_runs_store_rules_and_recommendations(register) -> None:
    rules = [
        {"antecedent": ["p1"], "consequent": ["p2"], "baskets": 2, "support": 2 / 6,
         "confidence": 2 / 3, "lift": 4 / 3},
    ]  # fmt: skip
    register(
        "basket", lambda p, r: JobResult({"rules": 1}, {"k1": {"recommendations": ["p2"]}}, rules)
    )
    run = runs.execute(runs.create_run("basket", {}).pk)
    rule = ProductRule.objects.get(run=run)
    assert (rule.antecedent, rule.consequent, rule.baskets) == (["p1"], ["p2"], 2)
    assert rule.lift == pytest.approx(4 / 3)
    assert CustomerPrediction.objects.get().recommendations == ["p2"]


@pytest.mark.django_db
def test_one_run_of_a_kind_at_a_time_and_one_serving(fake_clv: FakeJob) -> None:
    queued = runs.create_run("clv", {})
    with pytest.raises(UserInputError, match=rf"^kind: a clv run \(#{queued.pk}\) is already"):
        runs.create_run("clv", {})
    runs.execute(queued.pk)
    assert runs.execute(queued.pk).state == RunState.DONE  # a second execute does nothing
    other = ModelRun.objects.create(kind="clv", state=RunState.DONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelRun.objects.filter(pk=other.pk).update(serving=True)


@pytest.mark.django_db
def test_queue_runs_the_task(fake_clv: FakeJob) -> None:
    # tests use Django's immediate task backend: the task runs inside queue()
    run = runs.queue("clv", {"months": 3})
    assert run.state == RunState.DONE and fake_clv.seen == [run.params]


@pytest.mark.django_db
def test_a_missing_family_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "_job_module", lambda kind: None)
    with pytest.raises(UserInputError, match=r"^kind: the clusters model is not installed"):
        runs.create_run("clusters", {})


@pytest.mark.django_db
def test_a_run_whose_worker_is_gone_is_retired(fake_clv: FakeJob) -> None:
    import datetime as dt

    from django.utils import timezone

    lost = runs.create_run("clv", {})
    # started 7 hours ago and never finished (the worker restarted): > STALE_RUNNING (6 h)
    ModelRun.objects.filter(pk=lost.pk).update(
        state=RunState.RUNNING, started_at=timezone.now() - dt.timedelta(hours=7)
    )
    fresh = runs.create_run("clv", {})  # not refused as "already running"
    lost.refresh_from_db()
    assert lost.state == RunState.FAILED and lost.message.startswith("运行中断")
    assert fresh.state == RunState.QUEUED


def test_headline_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from guanxi.insight import presenters

    run = ModelRun(kind="clv", metrics={
        "as_of": "2025-06-30", "customers": 923, "bgnbd": {"r": 0.2431, "alpha": 4.414},
        "gamma_gamma": {"p": 6.25}, "curve": [1, 2],
    })  # fmt: skip
    monkeypatch.setattr(runs, "_job_module", lambda kind: None)
    # the family's named figures, in words: of clv's four, only "customers" is in these metrics
    assert [(r.label, r.value) for r in presenters.headline(run)] == [("客户数", "923")]
    monkeypatch.setattr(presenters, "HEADLINES", {})
    rows = [(r.label, r.value) for r in presenters.headline(run)]
    # none named: numbers only: top level first, then one level down; at most four
    assert rows == [("customers", "923"), ("bgnbd · r", "0.2431"), ("bgnbd · alpha", "4.414"),
                    ("gamma_gamma · p", "6.25")]  # fmt: skip
    family = SimpleNamespace(HEADLINE=("gamma_gamma.p", "missing.x", "customers"))
    monkeypatch.setattr(runs, "_job_module", lambda kind: family)
    assert [(r.label, r.value) for r in presenters.headline(run)] == [
        ("gamma_gamma · p", "6.25"), ("customers", "923"),
    ]  # fmt: skip
