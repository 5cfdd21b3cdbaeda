"""Reads for the RFM explorer, its exports, the CLI and the API (SPEC §9, seed 002 ch.8).

One row per customer who paid by the as-of date (``RfmRow``: numbers and codes, no personal
data). At the standing's as-of date the rows are the ``CustomerStanding`` table's (what the
last recompute stored, one query); at any other date they are counted from the lake with
``metrics.customers.rfm`` and kept in the figure cache, which is keyed by the state of the
lake and the RFM rules — so a month's comparison is counted once per import, not per click.

The explorer's figures (``Explorer``: the eight groups and the 5×5 R×F grid) are summed here
in Python over those rows: at most a few hundred thousand small tuples, one pass.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from guanxi.customers import rules as customer_rules
from guanxi.customers.models import CustomerStanding
from guanxi.metrics.rules import RfmRules

SCORES = (1, 2, 3, 4, 5)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class RfmRow:
    customer_key: str
    recency_days: int
    frequency: int
    monetary: Decimal
    r_score: int
    f_score: int
    m_score: int
    group: str  # a key of metrics.customers.RFM_GROUPS


# -- the rows ---------------------------------------------------------------------------------
def standing_as_of() -> dt.date | None:
    """The as-of date of the last recompute (None: never recomputed)."""
    value: dt.date | None = CustomerStanding.objects.aggregate(d=Max("as_of"))["d"]
    return value


def last_recompute() -> dt.datetime | None:
    value: dt.datetime | None = CustomerStanding.objects.aggregate(t=Max("computed_at"))["t"]
    return value


def month_before(day: dt.date) -> dt.date:
    """The same day a month earlier, the month's last day when it has no such day
    (31 March → 28 or 29 February)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rows_at(as_of: dt.date, *, from_standing: bool = True) -> list[RfmRow]:
    """Every scored customer at ``as_of``: the standing's rows when it was counted at that
    date under the present rules (and ``from_standing``), else counted from the lake
    (cached)."""
    if from_standing and as_of == standing_as_of():
        counted = last_recompute()
        if counted is not None and not _rules_changed_since(counted):
            return _standing_rows()
    return lake_rows(as_of)


def _standing_rows() -> list[RfmRow]:
    fields = (
        "customer__customer_key", "recency_days", "frequency", "monetary",
        "r_score", "f_score", "m_score", "rfm_group",
    )  # fmt: skip
    scored = CustomerStanding.objects.filter(r_score__isnull=False).exclude(rfm_group="")
    return [
        RfmRow(key, r, f, m, rs, fs, ms, g)
        for key, r, f, m, rs, fs, ms, g in scored.order_by("customer__customer_key").values_list(
            *fields
        )
    ]


def lake_rows(as_of: dt.date, rules: RfmRules | None = None) -> list[RfmRow]:
    """RFM at ``as_of`` counted from the lake (``metrics.customers.rfm``), kept in the figure
    cache under the lake's state and the rules; sorted by customer key."""
    from guanxi.performance import figure_cache

    rules = rules or customer_rules.rfm_rules()
    return figure_cache.cached(
        "customers.rfm", as_of.isoformat(), lambda: _count(as_of, rules), depends=repr(rules)
    )


def _count(as_of: dt.date, rules: RfmRules) -> list[RfmRow]:
    from guanxi import lake
    from guanxi.customers.standing import table_or_empty
    from guanxi.metrics import customers as m

    store = lake.get()
    if not store.exists("orders"):
        return []
    refunds = table_or_empty(store, "refunds") if rules.deduct_refunds else None
    expr = m.rfm(
        store.table("orders"),
        as_of=as_of,
        time_zone=settings.TIME_ZONE,
        refunds=refunds,
        rules=rules,
    ).select(
        "customer_key", "recency_days", "frequency", "monetary",
        "r_score", "f_score", "m_score", "group_key",
    )  # fmt: skip
    table = store.arrow(expr.order_by("customer_key"))
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [
        RfmRow(k, int(r), int(f), Decimal(mv).quantize(CENT), int(rs), int(fs), int(ms), g)
        for k, r, f, mv, rs, fs, ms, g in zip(*columns, strict=True)
    ]


def filtered(
    rows: Iterable[RfmRow],
    *,
    group: str = "",
    r_score: int | None = None,
    f_score: int | None = None,
) -> list[RfmRow]:
    return [
        row
        for row in rows
        if (not group or row.group == group)
        and (r_score is None or row.r_score == r_score)
        and (f_score is None or row.f_score == f_score)
    ]


# -- the explorer's figures -------------------------------------------------------------------
@dataclass(frozen=True)
class GroupFigures:
    key: str
    name_zh: str
    name_en: str
    recency_high: bool
    frequency_high: bool
    monetary_high: bool
    customers: int
    share: Decimal | None  # of the scored customers
    revenue: Decimal
    revenue_share: Decimal | None  # of the scored customers' M
    mean_recency: Decimal | None  # days, one decimal
    mean_frequency: Decimal | None  # orders, two decimals
    mean_monetary: Decimal | None  # yuan, two decimals
    previous_customers: int | None  # a month earlier (None: not counted)
    change: int | None


@dataclass(frozen=True)
class GridCell:
    r_score: int
    f_score: int
    customers: int
    mean_monetary: Decimal | None


@dataclass(frozen=True)
class Explorer:
    as_of: dt.date
    previous_as_of: dt.date
    customers: int
    revenue: Decimal
    groups: list[GroupFigures]
    grid: list[list[GridCell]]  # rows R 5 → 1 (most recent first), columns F 1 → 5
    high_score: int
    from_standing: bool = False
    notes: list[str] = field(default_factory=list)


def _mean(total: Decimal | int, n: int, places: str) -> Decimal | None:
    return (Decimal(total) / n).quantize(Decimal(places)) if n else None


def group_figures(
    rows: Sequence[RfmRow], previous: Sequence[RfmRow] | None = None
) -> list[GroupFigures]:
    """The eight groups in ``RFM_GROUPS`` order, empty ones included (0 customers); one
    pass over the rows."""
    from guanxi.metrics.customers import RFM_GROUPS

    total = len(rows)
    count: dict[str, int] = {}
    money: dict[str, Decimal] = {}
    days: dict[str, int] = {}
    orders: dict[str, int] = {}
    for r in rows:
        count[r.group] = count.get(r.group, 0) + 1
        money[r.group] = money.get(r.group, Decimal(0)) + r.monetary
        days[r.group] = days.get(r.group, 0) + r.recency_days
        orders[r.group] = orders.get(r.group, 0) + r.frequency
    revenue = sum(money.values(), Decimal(0))
    before: dict[str, int] = {}
    for row in previous or ():
        before[row.group] = before.get(row.group, 0) + 1
    out = []
    for g in RFM_GROUPS:
        n = count.get(g.key, 0)
        spent = money.get(g.key, Decimal(0))
        prior = None if previous is None else before.get(g.key, 0)
        out.append(
            GroupFigures(
                key=g.key,
                name_zh=g.name_zh,
                name_en=g.name_en,
                recency_high=g.recency_high,
                frequency_high=g.frequency_high,
                monetary_high=g.monetary_high,
                customers=n,
                share=_mean(n, total, "0.0001"),
                revenue=spent.quantize(CENT),
                revenue_share=(spent / revenue).quantize(Decimal("0.0001")) if revenue else None,
                mean_recency=_mean(days.get(g.key, 0), n, "0.1"),
                mean_frequency=_mean(orders.get(g.key, 0), n, "0.01"),
                mean_monetary=_mean(spent, n, "0.01"),
                previous_customers=prior,
                change=None if prior is None else n - prior,
            )
        )
    return out


def grid(rows: Sequence[RfmRow]) -> list[list[GridCell]]:
    """The 5×5 R×F grid: customers and mean M per cell, rows R 5 → 1, columns F 1 → 5."""
    counts: dict[tuple[int, int], int] = {}
    money: dict[tuple[int, int], Decimal] = {}
    for row in rows:
        cell = (row.r_score, row.f_score)
        counts[cell] = counts.get(cell, 0) + 1
        money[cell] = money.get(cell, Decimal(0)) + row.monetary
    return [[_cell(r, f, counts, money) for f in SCORES] for r in reversed(SCORES)]


def _cell(
    r: int, f: int, counts: dict[tuple[int, int], int], money: dict[tuple[int, int], Decimal]
) -> GridCell:
    n = counts.get((r, f), 0)
    return GridCell(r, f, n, _mean(money.get((r, f), Decimal(0)), n, "0.01"))


def explorer(as_of: dt.date | None = None) -> Explorer:
    """The explorer at ``as_of`` (default: the standing's date, else today), kept in the
    figure cache under the lake's state, the RFM rules and the last recompute's time (the
    standing's rows change only then): a large shop's page is summed once per change."""
    from guanxi.customers.standing import local_today
    from guanxi.performance import figure_cache

    standing = standing_as_of()
    as_of = as_of or standing or local_today()
    rules = customer_rules.rfm_rules()
    counted = last_recompute() if as_of == standing else None
    # Rules saved after the recompute: the stored groups follow the old rules, so the
    # figures are counted from the lake with the new ones until the next recompute.
    fresh = counted is not None and not _rules_changed_since(counted)
    return figure_cache.cached(
        "customers.rfm_explorer",
        as_of.isoformat(),
        lambda: _explorer(as_of, rules, from_standing=fresh),
        depends=(repr(rules), counted.isoformat() if fresh and counted else ""),
    )


def _rules_changed_since(moment: dt.datetime) -> bool:
    from guanxi.customers.models import CustomerRuleSet

    return CustomerRuleSet.objects.filter(updated_at__gt=moment).exists()


def _explorer(as_of: dt.date, rules: RfmRules, *, from_standing: bool) -> Explorer:
    rows = rows_at(as_of, from_standing=from_standing)
    previous_day = month_before(as_of)
    previous = lake_rows(previous_day, rules)
    return Explorer(
        as_of=as_of,
        previous_as_of=previous_day,
        customers=len(rows),
        revenue=sum((r.monetary for r in rows), Decimal(0)).quantize(CENT),
        groups=group_figures(rows, previous),
        grid=grid(rows),
        high_score=rules.high_score,
        from_standing=from_standing,
    )
