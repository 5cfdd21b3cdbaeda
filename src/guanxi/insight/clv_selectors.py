"""What the CLV page reads: the serving CLV run, the distribution of its customers' CLV
and the customers with the highest CLV (pseudonymous keys; names are masked by the
presenter)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from guanxi.customers.models import Customer
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind

# CLV bands in yuan: round amounts a shop reads at a glance (the last is open-ended).
BANDS: tuple[Decimal, ...] = tuple(
    Decimal(v) for v in ("0", "50", "100", "200", "500", "1000", "2000", "5000", "10000")
)
TOP = 20


@dataclass(frozen=True)
class Band:
    low: Decimal
    high: Decimal | None  # None: and above
    customers: int
    clv: Decimal


def serving_run() -> ModelRun | None:
    return ModelRun.objects.filter(kind=RunKind.CLV, serving=True).first()


def predictions(run: ModelRun) -> QuerySet[CustomerPrediction]:
    return CustomerPrediction.objects.filter(clv_run=run, clv__isnull=False)


def distribution(run: ModelRun) -> list[Band]:
    """Customers and their CLV per band, counted in one query."""
    edges = [*BANDS, None]
    aggregates: dict[str, Count | Sum] = {}
    for i, low in enumerate(BANDS):
        high = edges[i + 1]
        where = Q(clv__gte=low) if high is None else Q(clv__gte=low, clv__lt=high)
        if i == 0:  # a CLV below 0 cannot happen; keep it in the first band all the same
            where = Q(clv__lt=high)
        aggregates[f"n{i}"] = Count("id", filter=where)
        aggregates[f"s{i}"] = Sum("clv", filter=where)
    got = predictions(run).aggregate(**aggregates)
    return [
        Band(low, edges[i + 1], got[f"n{i}"], got[f"s{i}"] or Decimal(0))
        for i, low in enumerate(BANDS)
    ]


def top_customers(
    run: ModelRun, limit: int = TOP
) -> list[tuple[CustomerPrediction, Customer | None]]:
    rows = list(predictions(run).order_by("-clv", "customer_key")[:limit])
    people = Customer.objects.filter(customer_key__in=[r.customer_key for r in rows]).in_bulk(
        field_name="customer_key"
    )
    return [(r, people.get(r.customer_key)) for r in rows]


def all_predictions(run: ModelRun) -> QuerySet[CustomerPrediction]:
    """Every customer of the run, highest CLV first (for the exports)."""
    return predictions(run).order_by("-clv", "customer_key")
