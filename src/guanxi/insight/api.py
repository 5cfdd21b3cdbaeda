"""``/api/insight/…``: the model runs (list, detail, queue a new one), the serving run's
metrics per kind and one customer's predictions by key.

Reading needs ``insight.view_modelrun``; queueing a run ``insight.run_models``; anyone else
gets 403. Answers hold customer keys and figures only — never names, phones or addresses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from guanxi.core.errors import UserInputError
from guanxi.insight import runs, selectors
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind
from guanxi.web.api import ErrorOut

router = Router(tags=["insight"])
VIEW = "insight.view_modelrun"
RUN = "insight.run_models"


def _require(request: HttpRequest, permission: str, what: str) -> None:
    if not request.user.has_perm(permission):
        raise HttpError(403, f"needs the {permission} permission to {what}")


class RunOut(Schema):
    id: int
    kind: str
    state: str
    progress: int
    step: str
    serving: bool
    params: dict[str, Any]
    input_versions: dict[str, int]
    message: str  # Chinese line, then English line (failed runs)
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class RunDetailOut(RunOut):
    metrics: dict[str, Any]


class RunIn(Schema):
    kind: str
    params: dict[str, Any] = {}


class PredictionOut(Schema):
    customer_key: str
    p_alive: float | None
    expected_30: float | None
    expected_90: float | None
    expected_365: float | None
    expected_value: str | None
    clv: str | None
    churn_risk: float | None
    churn_reasons: list[Any]
    cluster: int | None
    cluster_name: str
    recommendations: list[Any]
    runs: dict[str, int | None]


def run_out(run: ModelRun, with_metrics: bool = False) -> dict[str, Any]:
    out = {
        "id": run.pk,
        "kind": run.kind,
        "state": run.state,
        "progress": run.progress,
        "step": run.step,
        "serving": run.serving,
        "params": run.params,
        "input_versions": run.input_versions,
        "message": run.message,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }
    if with_metrics:
        out["metrics"] = run.metrics
    return out


def prediction_out(p: CustomerPrediction) -> dict[str, Any]:
    return {
        "customer_key": p.customer_key,
        "p_alive": p.p_alive,
        "expected_30": p.expected_30,
        "expected_90": p.expected_90,
        "expected_365": p.expected_365,
        "expected_value": None if p.expected_value is None else str(p.expected_value),
        "clv": None if p.clv is None else str(p.clv),
        "churn_risk": p.churn_risk,
        "churn_reasons": p.churn_reasons,
        "cluster": p.cluster,
        "cluster_name": p.cluster_name,
        "recommendations": p.recommendations,
        "runs": {
            "clv": p.clv_run_id,
            "churn": p.churn_run_id,
            "clusters": p.cluster_run_id,
            "basket": p.recommend_run_id,
        },
    }


@router.get("/runs", response=list[RunOut], summary="模型运行: the newest runs, newest first")
def run_list(request: HttpRequest, kind: str | None = None, limit: int = 50) -> list[dict]:
    _require(request, VIEW, "read model runs")
    if kind is not None and kind not in RunKind.values:
        raise HttpError(400, f"kind: choose one of {', '.join(RunKind.values)}")
    if not 1 <= limit <= 500:
        raise HttpError(400, "limit must be 1–500")
    return [run_out(r) for r in selectors.history(kind, limit)]


@router.get("/runs/{run_id}", response={200: RunDetailOut, 404: ErrorOut}, summary="一次运行")
def run_detail(request: HttpRequest, run_id: int) -> dict[str, Any]:
    _require(request, VIEW, "read model runs")
    run = selectors.run_get(run_id)
    if run is None:
        raise HttpError(404, "no such run")
    return run_out(run, with_metrics=True)


@router.post(
    "/runs",
    response={202: RunOut, 400: ErrorOut},
    summary="Queue a run: {kind, params}; 400 names a bad parameter",
)
def run_queue(request: HttpRequest, payload: RunIn) -> Status:
    _require(request, RUN, "run the models")
    try:
        run = runs.queue(payload.kind, payload.params, request.user)
    except UserInputError as error:
        raise HttpError(400, str(error)) from None
    return Status(202, run_out(run))


@router.get(
    "/serving",
    response=dict[str, RunDetailOut],
    summary="The serving run of each kind with its metrics (kinds without one are absent)",
)
def serving(request: HttpRequest) -> dict[str, dict[str, Any]]:
    _require(request, VIEW, "read model runs")
    return {kind: run_out(run, True) for kind, run in selectors.serving_runs().items()}


@router.get(
    "/customers/{customer_key}",
    response={200: PredictionOut, 404: ErrorOut},
    summary="一位客户的预测 (by customer key; figures only, no personal data)",
)
def customer_prediction(request: HttpRequest, customer_key: str) -> dict[str, Any]:
    _require(request, VIEW, "read predictions")
    found = selectors.prediction_for(customer_key)
    if found is None:
        raise HttpError(404, "no prediction for this customer yet")
    return prediction_out(found)
