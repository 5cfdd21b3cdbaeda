"""What the basket page reads: the serving basket run, its rules (filtered and sorted here,
in Python: a run keeps at most ``top_rules`` rules, and JSON lookups differ between SQLite
and PostgreSQL) and the products' titles from the lake."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.insight.models import ModelRun, ProductRule, RunKind, RunState

SORTS = ("lift", "confidence", "support", "baskets")


def serving_run() -> ModelRun | None:
    return ModelRun.objects.filter(kind=RunKind.BASKET, serving=True, state=RunState.DONE).first()


@dataclass(frozen=True)
class RuleFilter:
    product: str = ""  # a product id or part of a title, on either side
    min_lift: float = 0.0
    min_confidence: float = 0.0
    sort: str = "lift"
    descending: bool = True


def rule_rows(run: ModelRun) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in ProductRule.objects.filter(run=run).values(
            "antecedent", "consequent", "baskets", "support", "confidence", "lift"
        )
    ]


def filtered(
    rows: list[dict[str, Any]], spec: RuleFilter, titles: dict[str, str]
) -> list[dict[str, Any]]:
    """The rules matching ``spec``, sorted by its column (ties: lift, then the products)."""
    needle = spec.product.strip().lower()

    def matches(row: dict[str, Any]) -> bool:
        if row["lift"] < spec.min_lift or row["confidence"] < spec.min_confidence:
            return False
        if not needle:
            return True
        products = [*row["antecedent"], *row["consequent"]]
        return any(needle in p.lower() or needle in titles.get(p, "").lower() for p in products)

    sort = spec.sort if spec.sort in SORTS else "lift"
    sign = -1 if spec.descending else 1
    found = [r for r in rows if matches(r)]
    found.sort(key=lambda r: (sign * r[sort], -r["lift"], r["antecedent"], r["consequent"]))
    return found


def product_titles() -> dict[str, str]:
    """product id → title, from the lake's products table (empty when there is none)."""
    from guanxi import lake

    table = lake.get().to_arrow("products")
    titles: dict[str, str] = {}
    for pid, title in zip(table["product_id"].to_pylist(), table["title"].to_pylist(), strict=True):
        if title and pid not in titles:
            titles[pid] = title
    return titles
