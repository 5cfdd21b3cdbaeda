"""Customer analytics (seed 002 §2.3 用户画像 and §8.1.1 描述性分析, SPEC §9): who the
customers are and how they buy — gender and age band, regions, spend distribution, category
trends, the cohort triangle with 客户保持度, loyalty and share of wallet.

Read-only selectors. The master's figures (gender, region) and the standing's (age band,
spend, loyalty) are grouped in the app database: one query each, never a row per customer
in Python. The lake's figures (category months, cohorts, retention) are counted by
``metrics.retention`` and kept in the figure cache for this state of the lake, so only
the first view after an import counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, FloatField, Max, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from guanxi.customers import rules as customer_rules
from guanxi.customers.models import Customer, CustomerStanding
from guanxi.customers.standing import AGE_BANDS, local_today
from guanxi.metrics.loyalty import COMPONENTS
from guanxi.metrics.retention import CohortRow

TOP_CATEGORIES = 8  # the rest are one "other" line
TOP_CITIES = 15
COHORT_MONTHS = 12
CATEGORY_MONTHS = 12
COMPONENT_LEVELS = ("high", "medium", "low", "unknown")


@dataclass(frozen=True)
class Bar:
    """One bar: a label's key, its customers and (where it applies) their 12-month spend."""

    key: str
    customers: int
    spend: Decimal = Decimal(0)
    share: float = 0.0  # of the chart's customers


@dataclass(frozen=True)
class SpendBand:
    low: Decimal
    high: Decimal | None  # None: and above
    customers: int
    spend: Decimal
    share: float


@dataclass(frozen=True)
class CategoryTrend:
    months: list[str]
    categories: list[str]  # the top ones by amount, then "" (uncategorised) / "other" last
    amounts: dict[str, list[Decimal]]  # per category, per month
    totals: list[Decimal]  # per month


@dataclass(frozen=True)
class Retention:
    """客户保持度 over windows of ``months`` (``metrics.retention.customer_retention``) and
    the repeat-purchase rate of the current window's buyers (≥ 2 paid orders in it)."""

    months: int
    previous_buyers: int
    retained: int
    current_buyers: int
    new_buyers: int
    rate: float | None
    buyers: int
    repeat_buyers: int

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_buyers / self.buyers if self.buyers else None


@dataclass(frozen=True)
class LoyaltyLevel:
    level: str  # high | medium | low | "" (not known: never bought)
    customers: int
    share: float
    # per component: customers at each component level, and the mean figure
    components: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Analytics:
    as_of: dt.date
    computed: bool  # a standing exists (recompute has run)
    customers: int  # in the master (merged ones left out)
    standing_customers: int
    trailing_months: int
    gender: list[Bar]
    age: list[Bar]
    provinces: list[Bar]
    cities: list[Bar]
    spend_bands: list[SpendBand]
    buyers: int
    spend_total: Decimal
    categories: CategoryTrend
    cohorts: list[CohortRow]
    retention: Retention | None
    loyalty: list[LoyaltyLevel]


def _shares(rows: list[Bar]) -> list[Bar]:
    total = sum(r.customers for r in rows)
    return [Bar(r.key, r.customers, r.spend, r.customers / total if total else 0.0) for r in rows]


def gender_counts() -> list[Bar]:
    """Customers of the master per gender (unknown last)."""
    rows = (
        Customer.objects.filter(merged_into__isnull=True)
        .values("gender")
        .annotate(n=Count("pk"), spend=Sum("standing__trailing_paid_amount"))
    )
    found = {r["gender"]: r for r in rows}
    order = ["female", "male", ""]
    return _shares(
        [
            Bar(key, found[key]["n"], found[key]["spend"] or Decimal(0))
            for key in order
            if key in found
        ]
    )


def age_counts() -> list[Bar]:
    """Customers with a standing per age band at the standing's date (no birth date last)."""
    rows = CustomerStanding.objects.values("age_band").annotate(
        n=Count("pk"), spend=Sum("trailing_paid_amount")
    )
    found = {r["age_band"]: r for r in rows}
    order = [name for _lowest, name in AGE_BANDS] + [""]
    return _shares(
        [
            Bar(key, found[key]["n"], found[key]["spend"] or Decimal(0))
            for key in order
            if key in found
        ]
    )


def region_counts(column: str, top: int | None = None) -> list[Bar]:
    """Customers of the master per ``province`` or ``city``, most customers first (ties by
    spend, then name); no region ("") last. ``top``: the first N named regions."""
    rows = (
        Customer.objects.filter(merged_into__isnull=True)
        .values(column)
        .annotate(n=Count("pk"), spend=Sum("standing__trailing_paid_amount"))
    )
    named = [Bar(r[column], r["n"], r["spend"] or Decimal(0)) for r in rows if r[column]]
    named.sort(key=lambda r: (-r.customers, -r.spend, r.key))
    blank = [Bar("", r["n"], r["spend"] or Decimal(0)) for r in rows if not r[column]]
    with_shares = _shares(named + blank)
    kept = with_shares[: len(named)][:top] if top else with_shares[: len(named)]
    return kept + with_shares[len(named) :]


def spend_edges(highest: Decimal) -> list[Decimal]:
    """Band edges in steps of 1-2-5 (0, 50, 100, 200, 500, 1000, …) up to the first edge
    above ``highest``: a ¥30 shop and a ¥30,000 one both get readable bands."""
    edges = [Decimal(0), Decimal(50)]
    step = 0
    while edges[-1] <= highest:
        edges.append(edges[-1] * (Decimal("2.5") if step % 3 == 2 else 2))
        step += 1
    return edges


def spend_distribution() -> tuple[list[SpendBand], int, Decimal]:
    """The buyers of the trailing window by their spend in it: per band [low, high) the
    customers and their spend; the last band is open ("≥ low"). Also the buyers and their
    total spend."""
    buyers = CustomerStanding.objects.filter(trailing_paid_orders__gt=0)
    top = buyers.aggregate(
        n=Count("pk"), total=Sum("trailing_paid_amount"), highest=Max("trailing_paid_amount")
    )
    if not top["n"]:
        return [], 0, Decimal(0)
    edges = spend_edges(top["highest"])
    # the last edge is above everyone: open the band before it instead
    bounds = list(zip(edges[:-1], [*edges[1:-1], None], strict=True))
    aggregates: dict[str, Any] = {}
    for i, (low, high) in enumerate(bounds):
        q = Q(trailing_paid_amount__gte=low)
        if high is not None:
            q &= Q(trailing_paid_amount__lt=high)
        aggregates[f"n{i}"] = Count("pk", filter=q)
        aggregates[f"s{i}"] = Sum("trailing_paid_amount", filter=q)
    counted = buyers.aggregate(**aggregates)
    n = top["n"]
    bands = [
        SpendBand(low, high, counted[f"n{i}"], counted[f"s{i}"] or Decimal(0), counted[f"n{i}"] / n)
        for i, (low, high) in enumerate(bounds)
    ]
    # leading empty bands say nothing
    while bands and bands[0].customers == 0:
        bands.pop(0)
    return bands, n, top["total"] or Decimal(0)


def loyalty_levels() -> list[LoyaltyLevel]:
    """Customers per loyalty level and, per level, each component's level counts and mean
    figure: one grouped pass over the stored components (by loyalty and the four component
    levels, at most a few hundred groups), summed up here."""
    levels = {f"l_{name}": KT(f"loyalty_components__{name}__level") for name in COMPONENTS}
    sums = {
        f"s_{name}": Sum(Cast(KT(f"loyalty_components__{name}__figure"), FloatField()))
        for name in COMPONENTS
    }
    rows = (
        CustomerStanding.objects.annotate(**levels)
        .values("loyalty", *levels)
        .annotate(n=Count("pk"), **sums)
        .order_by()
    )
    totals: dict[str, int] = {}
    per_level: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        totals[r["loyalty"]] = totals.get(r["loyalty"], 0) + r["n"]
        components = per_level.setdefault(r["loyalty"], {})
        for name in COMPONENTS:
            summary = components.setdefault(
                name, {"levels": dict.fromkeys(COMPONENT_LEVELS, 0), "sum": 0.0, "judged": 0}
            )
            level = r[f"l_{name}"] or "unknown"
            summary["levels"][level] = summary["levels"].get(level, 0) + r["n"]
            # the mean over the customers judged on it: an unknown component has no figure
            # (and a JSON null may read as 0 on SQLite)
            if level != "unknown" and r[f"s_{name}"] is not None:
                summary["sum"] += r[f"s_{name}"]
                summary["judged"] += r["n"]
    total = sum(totals.values())
    out = []
    for level in ("high", "medium", "low", ""):
        if level not in totals:
            continue
        components = {
            name: {
                "levels": summary["levels"],
                "mean": summary["sum"] / summary["judged"] if summary["judged"] else None,
            }
            for name, summary in per_level[level].items()
        }
        out.append(LoyaltyLevel(level, totals[level], totals[level] / total, components))
    return out


@dataclass(frozen=True)
class MasterFigures:
    """The app database's part of the page (master and standing), counted together."""

    gender: list[Bar]
    age: list[Bar]
    provinces: list[Bar]
    cities: list[Bar]
    spend_bands: list[SpendBand]
    buyers: int
    spend_total: Decimal
    loyalty: list[LoyaltyLevel]


def master_token() -> tuple[Any, ...]:
    """The state the master figures depend on: the last recompute (its time and rows) and
    the master (its latest change and its size: an edit, a merge or an erasure moves it)."""
    standing = CustomerStanding.objects.aggregate(at=Max("computed_at"), n=Count("pk"))
    master = Customer.objects.aggregate(at=Max("updated_at"), n=Count("pk"))
    return (standing["at"], standing["n"], master["at"], master["n"])


def master_figures() -> MasterFigures:
    """Counted once per ``master_token`` and kept in the figure cache (counts per group,
    never a name): on a large shop the grouped passes take seconds."""
    from guanxi.performance.figure_cache import cached

    def count() -> MasterFigures:
        bands, buyers, spend_total = spend_distribution()
        return MasterFigures(
            gender=gender_counts(),
            age=age_counts(),
            provinces=region_counts("province"),
            cities=region_counts("city", TOP_CITIES),
            spend_bands=bands,
            buyers=buyers,
            spend_total=spend_total,
            loyalty=loyalty_levels(),
        )

    return cached("customer_master_figures", (), count, depends=master_token())


# -- the lake's figures (cached per state of the lake) ---------------------------------------
def category_trend(as_of: dt.date, months: int = CATEGORY_MONTHS) -> CategoryTrend:
    from guanxi.performance.figure_cache import cached

    rows = cached(
        "customer_category_months",
        (as_of, months),
        lambda: _category_rows(as_of, months),
        depends=settings.TIME_ZONE,
    )
    return shape_categories(rows, as_of, months)


def _category_rows(as_of: dt.date, months: int) -> list[dict[str, Any]]:
    from guanxi import lake
    from guanxi.metrics.retention import category_months

    store = lake.get()
    if not all(store.exists(t) for t in ("orders", "order_items", "products")):
        return []
    expr = category_months(
        store.table("orders"),
        store.table("order_items"),
        store.table("products"),
        as_of=as_of,
        time_zone=settings.TIME_ZONE,
        months=months,
    )
    return list(store.arrow(expr).to_pylist())


def _month_keys(as_of: dt.date, months: int) -> list[str]:
    last = as_of.year * 12 + as_of.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(last - months, last + 1)]


def shape_categories(rows: list[dict[str, Any]], as_of: dt.date, months: int) -> CategoryTrend:
    """Months × categories: the ``TOP_CATEGORIES`` largest by amount over the months, the
    rest summed as "other" (key ``"*"``), uncategorised lines as ``""``; empty cells 0."""
    month_keys: list[str] = []
    if rows:
        first = min(r["month"] for r in rows)
        month_keys = [m for m in _month_keys(as_of, months) if m >= first]
    by_category: dict[str, Decimal] = {}
    for r in rows:
        by_category[r["category"]] = by_category.get(r["category"], Decimal(0)) + r["amount"]
    named = sorted((c for c in by_category if c), key=lambda c: (-by_category[c], c))
    top = named[:TOP_CATEGORIES]
    keys = [*top]
    if len(named) > TOP_CATEGORIES:
        keys.append("*")
    if "" in by_category:
        keys.append("")
    index = {m: i for i, m in enumerate(month_keys)}
    amounts = {k: [Decimal(0)] * len(month_keys) for k in keys}
    for r in rows:
        if r["month"] not in index:
            continue
        key = r["category"] if (r["category"] in top or r["category"] == "") else "*"
        amounts[key][index[r["month"]]] += r["amount"]
    totals = [sum((amounts[k][i] for k in keys), Decimal(0)) for i in range(len(month_keys))]
    return CategoryTrend(month_keys, keys, amounts, totals)


def cohorts(as_of: dt.date, months: int = COHORT_MONTHS) -> list[CohortRow]:
    from guanxi.metrics.retention import cohort_triangle
    from guanxi.performance.figure_cache import cached

    activity = cached(
        "customer_cohorts",
        (as_of, months),
        lambda: _lake_rows("cohorts", as_of, months),
        depends=settings.TIME_ZONE,
    )
    return cohort_triangle(activity, as_of=as_of, months=months)


def _lake_rows(kind: str, as_of: dt.date, months: int) -> list[dict[str, Any]]:
    from guanxi import lake
    from guanxi.metrics.retention import cohort_activity, customer_retention

    store = lake.get()
    if not store.exists("orders"):
        return []
    orders = store.table("orders")
    tz = settings.TIME_ZONE
    if kind == "cohorts":
        expr = cohort_activity(orders, as_of=as_of, time_zone=tz, months=months)
    else:
        expr = customer_retention(orders, as_of=as_of, time_zone=tz, months=months)
    return list(store.arrow(expr).to_pylist())


def retention(as_of: dt.date, months: int) -> Retention | None:
    from guanxi.performance.figure_cache import cached

    rows = cached(
        "customer_retention",
        (as_of, months),
        lambda: _lake_rows("retention", as_of, months),
        depends=settings.TIME_ZONE,
    )
    if not rows:
        return None
    r = rows[0]
    return Retention(
        months=months,
        previous_buyers=r["previous_buyers"],
        retained=r["retained"],
        current_buyers=r["current_buyers"],
        new_buyers=r["new_buyers"],
        rate=r["rate"],
        buyers=r["current_buyers"],
        repeat_buyers=r["repeat_buyers"],
    )


RETENTION_WINDOWS = (1, 3, 6, 12)


def amount_edges() -> dict[str, Any]:
    """The purchase amount's level edges as last counted (the same in every row)."""
    components = (
        CustomerStanding.objects.exclude(loyalty="")
        .values_list("loyalty_components", flat=True)
        .first()
    )
    amount = (components or {}).get("amount") or {}
    return {"high_at": amount.get("high_at"), "medium_at": amount.get("medium_at")}


def analytics(retention_months: int | None = None) -> Analytics:
    """Everything the page shows, at the standing's date (today before any recompute);
    retention over windows of ``retention_months`` (default: the classes' window)."""
    first = CustomerStanding.objects.order_by().values_list("as_of", flat=True).first()
    as_of = first or local_today()
    months = customer_rules.class_rules().trailing_months
    master = master_figures()
    return Analytics(
        as_of=as_of,
        computed=first is not None,
        customers=Customer.objects.filter(merged_into__isnull=True).count(),
        standing_customers=CustomerStanding.objects.count(),
        trailing_months=months,
        gender=master.gender,
        age=master.age,
        provinces=master.provinces,
        cities=master.cities,
        spend_bands=master.spend_bands,
        buyers=master.buyers,
        spend_total=master.spend_total,
        categories=category_trend(as_of),
        cohorts=cohorts(as_of),
        retention=retention(as_of, retention_months or months),
        loyalty=master.loyalty,
    )
