"""What the insight pages, the API and the CLI read: the runs, the serving run of each kind
and one customer's predictions. No lake reads here — the runs stored what the pages show."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from guanxi.insight import runs
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind, RunState

HISTORY = 30


@dataclass(frozen=True)
class Family:
    kind: str
    label: str
    serving: ModelRun | None  # the run the pages read
    latest: ModelRun | None  # the newest run, whatever its state
    installed: bool
    params: tuple[runs.Param, ...]

    @property
    def busy(self) -> bool:
        return self.latest is not None and self.latest.state in (RunState.QUEUED, RunState.RUNNING)


def serving_run(kind: str) -> ModelRun | None:
    return ModelRun.objects.filter(kind=kind, serving=True).first()


def serving_runs() -> dict[str, ModelRun]:
    return {run.kind: run for run in ModelRun.objects.filter(serving=True)}


def families() -> list[Family]:
    """The four model families with their serving and newest runs (two queries)."""
    serving = serving_runs()
    latest: dict[str, ModelRun] = {}
    for kind in RunKind.values:
        found = ModelRun.objects.filter(kind=kind).order_by("-created_at", "-id").first()
        if found is not None:
            latest[kind] = found
    return [
        Family(
            kind=kind,
            label=str(label),
            serving=serving.get(kind),
            latest=latest.get(kind),
            installed=runs.available(kind),
            params=runs.params_of(kind),
        )
        for kind, label in RunKind.choices
    ]


def history(kind: str | None = None, limit: int = HISTORY) -> QuerySet[ModelRun]:
    found = ModelRun.objects.select_related("created_by")
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-created_at", "-id")[:limit]


def run_get(run_id: int) -> ModelRun | None:
    return ModelRun.objects.select_related("created_by").filter(pk=run_id).first()


def runs_by_id(ids: list[int]) -> QuerySet[ModelRun]:
    return ModelRun.objects.filter(pk__in=ids).order_by("-created_at", "-id")


def prediction_for(customer_key: str) -> CustomerPrediction | None:
    return CustomerPrediction.objects.filter(customer_key=customer_key).first()
