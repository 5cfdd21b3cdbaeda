"""客户保持度 Retention, the monthly cohort triangle (复购率 by cohort) and 客户占有率 share of
wallet — the two sides of loyalty as behaviour (SPEC §7, §10; seed 000 项目四: 衡量客户忠诚度
主要有两方面, 即客户的保持度和客户的占有率).

Pure Ibis (DuckDB or PySpark) over the raw orders; every function takes the as-of date (a
local day of the shop, included) and the time zone. A paid order counts in the local month
and day of its payment, if paid by the end of the as-of date.

Definitions (the seeds name the figures without formulas; these fix them):

- **客户保持度 (retention)** over windows of N months (default 12): of the customers who paid
  in the previous window (the N months before the current one), the share who paid again
  in the current window (as-of − N months, as-of]. Seed 002 §4.1 lists what loyalty is
  judged by; seed 000 names retention (保持度) and share (占有率) as loyalty's two measures;
  seed 002 §9.3.1 calls retention (客户保有率) "the customers' buying frequency on the
  platform" — repeat buying, which is what this share counts. Example: 40 customers paid in
  2024-07 … 2025-06, 10 of them paid again in 2025-07 … 2026-06 → 10 ÷ 40 = 25 %.
- **Cohort triangle (复购率 by monthly cohort)**: a customer's cohort is the local month of
  their first paid order; for each later month (offset k = 1, 2, … up to the as-of month)
  ``active`` = the cohort's customers who paid in that month, ``rate`` = active ÷ the
  cohort's size, and ``repeated`` = those who paid again in any month 1…k (cumulative
  repeat-purchase rate = repeated ÷ size). Offset 0 is the first month: everyone.
- **客户占有率 (share of wallet)**: what the customer spends here ÷ what they spend on the
  same kind of goods everywhere. The lake only knows the spend *here*; the spend elsewhere
  is not in any order file. It can be estimated only from the customer's own answer (a
  survey question "how much did you spend on such goods elsewhere in the last 12 months?"),
  so ``share_of_wallet`` takes those answers as a table and the page says "cannot be
  estimated" while there are none. (The seeds give no estimate from category spend.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis

from guanxi.core.timeutil import Period, local_midnight_utc
from guanxi.metrics.customers import EARLIEST, trailing_period
from guanxi.metrics.facts import local_clock


def _paid_days(orders: ibis.Table, *, as_of: dt.date, time_zone: str) -> ibis.Table:
    """``customer_key, day, month_index`` of every order paid by the end of ``as_of``
    (month_index = year × 12 + month − 1, so months subtract)."""
    end = ibis.literal(local_midnight_utc(as_of + dt.timedelta(days=1), time_zone))
    o = orders.filter(orders.customer_key.notnull() & orders.paid_at.notnull())
    o = o.filter(o.paid_at < end).select("customer_key", "paid_at")
    o = local_clock(o, "paid_at", time_zone, Period(EARLIEST, as_of))
    return o.select(
        "customer_key",
        "day",
        month_index=(o.day.year() * 12 + o.day.month() - 1).cast("int64"),
    )


def month_label(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def cohort_activity(
    orders: ibis.Table, *, as_of: dt.date, time_zone: str, months: int = 12
) -> ibis.Table:
    """The cohort triangle's counts: ``cohort, offset, cohort_customers, active,
    first_repeats`` for the cohorts of the last ``months`` months (the as-of month
    included), one row per (cohort, offset) where someone paid; ``first_repeats`` = the
    cohort's customers whose first month of buying again is this one. ``cohort_triangle``
    fills the empty cells and the rates."""
    last = as_of.year * 12 + as_of.month - 1
    p = _paid_days(orders, as_of=as_of, time_zone=time_zone)
    per_month = p.select("customer_key", "month_index").distinct()
    first = per_month.group_by("customer_key").aggregate(cohort=per_month.month_index.min())
    first = first.filter(first.cohort > last - months)
    m = per_month.join(first, "customer_key")
    m = m.mutate(offset=m.month_index - m.cohort)
    repeat = m.filter(m.offset > 0).group_by("customer_key").aggregate(first_repeat=m.offset.min())
    m = m.left_join(repeat, "customer_key").drop("customer_key_right")
    sizes = first.group_by("cohort").aggregate(cohort_customers=first.count())
    cells = m.group_by(["cohort", "offset"]).aggregate(
        active=m.count(), first_repeats=m.count(where=m.first_repeat == m.offset)
    )
    out = cells.join(sizes, "cohort")
    return out.select(
        cohort=out.cohort.cast("int64"),
        offset=out.offset.cast("int64"),
        cohort_customers=out.cohort_customers.cast("int64"),
        active=out.active.cast("int64"),
        first_repeats=out.first_repeats.cast("int64"),
    )


@dataclass(frozen=True)
class CohortRow:
    """One cohort (first paid month) of the triangle; lists by offset 0, 1, … ."""

    cohort: str  # 'YYYY-MM'
    customers: int
    active: list[int]
    rates: list[float]  # active ÷ customers
    repeated: list[int]  # paid again in any month 1…k (0 at offset 0)
    repeat_rates: list[float]


def cohort_triangle(
    activity: list[dict[str, int]], *, as_of: dt.date, months: int = 12
) -> list[CohortRow]:
    """The triangle from ``cohort_activity``'s rows (collected): every cohort of the last
    ``months`` months that has customers, each with one cell per month from its first to
    the as-of month (empty cells 0)."""
    last = as_of.year * 12 + as_of.month - 1
    by_cohort: dict[int, dict[int, dict[str, int]]] = {}
    for row in activity:
        by_cohort.setdefault(row["cohort"], {})[row["offset"]] = row
    out = []
    for cohort in sorted(by_cohort):
        cells = by_cohort[cohort]
        size = next(iter(cells.values()))["cohort_customers"]
        active, repeated = [], []
        cumulative = 0
        for offset in range(last - cohort + 1):
            cell = cells.get(offset, {})
            active.append(cell.get("active", 0))
            if offset > 0:
                cumulative += cell.get("first_repeats", 0)
            repeated.append(cumulative)
        out.append(
            CohortRow(
                cohort=month_label(cohort),
                customers=size,
                active=active,
                rates=[a / size for a in active],
                repeated=repeated,
                repeat_rates=[r / size for r in repeated],
            )
        )
    return out


def customer_retention(
    orders: ibis.Table, *, as_of: dt.date, time_zone: str, months: int = 12
) -> ibis.Table:
    """客户保持度: one row ``previous_buyers, retained, current_buyers, new_buyers,
    repeat_buyers, rate``.

    Current window = the local days (as-of − ``months`` months, as-of]; previous window =
    the ``months`` months before it. previous_buyers paid in the previous window; retained
    = those of them who paid in the current one; rate = retained ÷ previous_buyers (null
    when nobody paid in the previous window); current_buyers paid in the current window and
    new_buyers of them never paid before it."""
    current = trailing_period(as_of, months)
    previous = trailing_period(current.start - dt.timedelta(days=1), months)
    p = _paid_days(orders, as_of=as_of, time_zone=time_zone)
    per = p.group_by("customer_key").aggregate(
        before=p.count(where=p.day < current.start) > 0,
        in_previous=p.count(where=(p.day >= previous.start) & (p.day < current.start)) > 0,
        current_orders=p.count(where=p.day >= current.start),
    )
    in_current = per.current_orders > 0
    out = per.aggregate(
        previous_buyers=per.count(where=per.in_previous),
        retained=per.count(where=per.in_previous & in_current),
        current_buyers=per.count(where=in_current),
        new_buyers=per.count(where=in_current & ~per.before),
        repeat_buyers=per.count(where=per.current_orders >= 2),
    )
    return out.mutate(
        rate=(out.previous_buyers > 0).ifelse(
            out.retained.cast("float64") / out.previous_buyers.cast("float64"),
            ibis.null("float64"),
        )
    )


def share_of_wallet(rows: ibis.Table, spend_elsewhere: ibis.Table) -> ibis.Table:
    """客户占有率 per customer who answered: ``customer_key, spend_here, spend_elsewhere,
    share`` = spend_here ÷ (spend_here + spend_elsewhere) (null when both are 0).

    ``rows``: ``customer_key, trailing_paid_amount`` (the spend here in the window);
    ``spend_elsewhere``: ``customer_key, spend_elsewhere`` — the customer's survey answer
    for the same window. Customers without an answer are left out: their share is not
    known, and guessing it from the spend here alone would always say 100 %."""
    here = rows.select("customer_key", spend_here=rows.trailing_paid_amount.cast("float64"))
    there = spend_elsewhere.select(
        "customer_key", spend_elsewhere=spend_elsewhere.spend_elsewhere.cast("float64")
    )
    out = there.left_join(here, "customer_key").drop("customer_key_right")
    out = out.mutate(spend_here=out.spend_here.fill_null(0.0))
    whole = out.spend_here + out.spend_elsewhere
    return out.mutate(share=(whole > 0).ifelse(out.spend_here / whole, ibis.null("float64")))


def category_months(
    orders: ibis.Table,
    order_items: ibis.Table,
    products: ibis.Table,
    *,
    as_of: dt.date,
    time_zone: str,
    months: int = 12,
) -> ibis.Table:
    """品类趋势: ``month, category, amount, orders`` — per local month of payment (the last
    ``months`` months to the as-of date) and product category, the paid order lines'
    amounts and the paid orders with such a line. Lines of a product with no category are
    '' (shown as "uncategorised")."""
    start = trailing_period(as_of, months).start.replace(day=1)
    lo = ibis.literal(local_midnight_utc(start, time_zone))
    hi = ibis.literal(local_midnight_utc(as_of + dt.timedelta(days=1), time_zone))
    o = orders.filter(orders.paid_at.notnull() & (orders.paid_at >= lo) & (orders.paid_at < hi))
    o = local_clock(
        o.select("platform", "order_id", "paid_at"), "paid_at", time_zone, Period(start, as_of)
    )
    o = o.mutate(month=o.day.strftime("%Y-%m"))
    lines = o.join(
        order_items.select("platform", "order_id", "product_id", line_amount="amount"),
        ["platform", "order_id"],
    )
    cats = products.select("platform", "product_id", "category")
    lines = lines.left_join(cats, ["platform", "product_id"])
    lines = lines.mutate(category=lines.category.fill_null(""))
    out = lines.group_by(["month", "category"]).aggregate(
        amount=lines.line_amount.sum().cast("decimal(38, 2)"),
        orders=(lines.platform + ":" + lines.order_id).nunique(),
    )
    return out
