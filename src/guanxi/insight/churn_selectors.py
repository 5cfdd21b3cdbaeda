"""What the churn page reads: the serving churn run and its valuable customers at risk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.core import pii
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind, RunState

AT_RISK_LIMIT = 200  # the page's list; the export has them all


@dataclass(frozen=True)
class AtRisk:
    customer_key: str
    name: str  # masked, always (this page and its export have no reveal)
    risk: float
    reasons: list[dict[str, Any]]


def serving_run() -> ModelRun | None:
    return ModelRun.objects.filter(kind=RunKind.CHURN, serving=True).first()


def latest_failed(after: ModelRun | None) -> ModelRun | None:
    """The newest churn run that failed after the serving one (its words go on the page)."""
    runs = ModelRun.objects.filter(kind=RunKind.CHURN, state=RunState.FAILED)
    if after is not None:
        runs = runs.filter(created_at__gt=after.created_at)
    return runs.order_by("-created_at", "-id").first()


def at_risk(run: ModelRun, limit: int | None = AT_RISK_LIMIT) -> list[AtRisk]:
    """The run's customers with reasons (the valuable ones at risk), riskiest first."""
    rows = (
        CustomerPrediction.objects.filter(churn_run=run)
        .exclude(churn_reasons=[])
        .select_related("customer")
        .order_by("-churn_risk", "customer_key")
    )
    if limit is not None:
        rows = rows[:limit]
    out = []
    for p in rows:
        name = pii.mask_name(p.customer.name) if p.customer and p.customer.name else ""
        out.append(AtRisk(p.customer_key, name, p.churn_risk or 0.0, list(p.churn_reasons)))
    return out
