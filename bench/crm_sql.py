"""Every customer's standing (issue 15) in hand-written DuckDB SQL: the bar the product
(``metrics.customers`` through Ibis) must meet within 1.3×.

The same definitions as ``guanxi.metrics.customers`` (read its docstrings): the facts at an
as-of date with the trailing window (``customer_facts``), the classes with the VIP top-share
tie rule and the exact median (``customer_classes``), RFM values and rank-based quintile
scores 1 + ⌊5·b/n⌋ with the eight groups (``rfm_values``, ``rfm_scores``). It reads the
Parquet files of the tables' current versions and writes the SQL one would by hand:

- one grouped pass over the orders gives the order facts *and* the RFM values (F and M are
  the paid orders and amount by the as-of date, R the last payment's local day), where the
  product groups the orders twice;
- refunds, chats and reviews: the derived ``customer_months`` for the whole months, the raw
  rows for the days at the ends of each range (the all-time range and the trailing window);
- local days by arithmetic on epoch microseconds (the shop's zone must keep one UTC offset
  over the lake's span: all of China does; asserted).

``standing`` returns an Arrow table with the product's columns (``bench.crm.COLUMNS``).
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import duckdb
import pyarrow as pa

from guanxi.core.timeutil import Period, local_midnight_utc
from guanxi.metrics.customers import EARLIEST, RFM_GROUPS, split_months, trailing_period
from guanxi.metrics.facts import fixed_offset
from guanxi.metrics.rules import ClassRules, RfmRules

DAY_US = 86_400_000_000


def _us(value: dt.datetime) -> int:
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _stamp(us: int) -> str:
    """A TIMESTAMPTZ literal of epoch microseconds."""
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)
    return f"TIMESTAMPTZ '{moment.isoformat()}'"


def _between(column: str, days: tuple[Period, ...], tz: str) -> str:
    """A SQL condition: ``column`` on one of the local ``days`` (FALSE when none)."""
    parts = []
    for period in days:
        start, end = period.utc_bounds(tz)
        parts.append(f"({column} >= {_stamp(_us(start))} AND {column} < {_stamp(_us(end))})")
    return " OR ".join(parts) or "FALSE"


def _events(name: str, first_month: str | None, last_month: str | None, edge: str) -> str:
    """Per customer the event counts of a range: whole months from ``customer_months``,
    the days at the ends (``edge``: a condition per raw table) from the raw rows."""
    months = ["FALSE"] if last_month is None else [f"month <= '{last_month}'"]
    if first_month is not None:
        months.append(f"month >= '{first_month}'")
    e = {
        t: edge.format(c=c)
        for t, c in (("r", "requested_at"), ("v", "created_at"), ("s", "first_at"))
    }
    return f"""
{name} AS (
    SELECT customer_key, sum(refunds) AS refunds, sum(refund_amount) AS refund_amount,
        sum(returns) AS returns, sum(sessions) AS sessions, sum(reviews) AS reviews,
        sum(rating_sum) AS rating_sum, max(last_chat_at) AS last_chat_at
    FROM (
        SELECT customer_key, refunds, refund_amount, returns, sessions, reviews, rating_sum,
            last_chat_at
        FROM customer_months WHERE {" AND ".join(months)}
        UNION ALL
        SELECT customer_key, 1, amount, (kind = 'return_refund')::INT, 0, 0, 0, NULL
        FROM refunds WHERE customer_key IS NOT NULL AND ({e["r"]})
        UNION ALL
        SELECT customer_key, 0, 0, 0, 1, 0, 0, first_at
        FROM sessions WHERE customer_key IS NOT NULL AND ({e["s"]})
        UNION ALL
        SELECT customer_key, 0, 0, 0, 0, 1, rating, NULL
        FROM reviews WHERE customer_key IS NOT NULL AND ({e["v"]})
    )
    GROUP BY customer_key
)"""


def query(
    as_of: dt.date,
    tz: str,
    class_rules: ClassRules = ClassRules(),
    rfm_rules: RfmRules = RfmRules(),
) -> str:
    if rfm_rules.deduct_refunds:
        raise NotImplementedError("the bench measures the default RFM (refunds not deducted)")
    offset = fixed_offset(Period(EARLIEST, as_of + dt.timedelta(days=1)), tz)
    if offset is None:
        raise NotImplementedError("the hand SQL assumes one UTC offset (all of China)")
    shift = offset // dt.timedelta(microseconds=1)
    end = _us(local_midnight_utc(as_of + dt.timedelta(days=1), tz))
    window = trailing_period(as_of, class_rules.trailing_months)
    start = _us(local_midnight_utc(window.start, tz))
    every = split_months(None, as_of)
    recent = split_months(window.start, as_of)
    share = Fraction(class_rules.vip_top_share)
    high = rfm_rules.high_score
    groups = "\n".join(
        f"        WHEN (r_score >= {high}) = {g.recency_high} AND (f_score >= {high}) = "
        f"{g.frequency_high} AND (m_score >= {high}) = {g.monetary_high} THEN '{g.key}'"
        for g in RFM_GROUPS
    )

    at_end, at_start = _stamp(end), _stamp(start)

    def day(column: str) -> str:  # the local date of a timestamp column
        return f"DATE '1970-01-01' + ((epoch_us({column}) + {shift}) // {DAY_US})::INT"

    return f"""
WITH o AS (
    SELECT customer_key, created_at, paid_at, amount, item_count,
        created_at < {at_end} AS created,
        coalesce(paid_at < {at_end}, FALSE) AS paid
    FROM orders
    WHERE customer_key IS NOT NULL
      AND (created_at < {at_end} OR paid_at < {at_end})
), grouped AS (
    SELECT customer_key,
        count(*) FILTER (created) AS orders,
        min(created_at) FILTER (created) AS first_order_at,
        max(created_at) FILTER (created) AS last_order_at,
        count(*) FILTER (created AND paid) AS paid_orders,
        coalesce(sum(amount) FILTER (created AND paid), 0)::DECIMAL(38, 2) AS paid_amount,
        coalesce(sum(item_count) FILTER (created AND paid), 0)::BIGINT AS paid_items,
        min(paid_at) FILTER (created AND paid) AS first_paid_at,
        max(paid_at) FILTER (created AND paid) AS last_paid_at,
        count(*) FILTER (created AND created_at >= {at_start}) AS trailing_orders,
        count(*) FILTER (created AND paid AND paid_at >= {at_start})
            AS trailing_paid_orders,
        coalesce(sum(amount) FILTER (created AND paid AND paid_at >= {at_start}),
            0)::DECIMAL(38, 2) AS trailing_paid_amount,
        count(*) FILTER (created AND created_at >= {at_start} AND NOT paid)
            AS trailing_unpaid_orders,
        -- RFM: every order paid by the as-of date, whenever created
        max(paid_at) FILTER (paid) AS rfm_last_paid_at,
        count(*) FILTER (paid) AS frequency,
        sum(amount) FILTER (paid)::DECIMAL(38, 2) AS monetary
    FROM o GROUP BY customer_key
), bought AS (
    SELECT * EXCLUDE (rfm_last_paid_at, frequency, monetary),
        {day("first_paid_at")} AS first_paid_day,
        {day("last_paid_at")} AS last_paid_day
    FROM grouped WHERE orders > 0
),{_events("ever", None, every.last_month, _between("{c}", every.days, tz))},
{_events("recent", recent.first_month, recent.last_month, _between("{c}", recent.days, tz))},
facts AS (
    SELECT k.customer_key, b.first_order_at, b.last_order_at, b.first_paid_at,
        b.last_paid_at, b.first_paid_day, b.last_paid_day,
        coalesce(b.orders, 0) AS orders, coalesce(b.paid_orders, 0) AS paid_orders,
        coalesce(b.paid_amount, 0)::DECIMAL(38, 2) AS paid_amount,
        coalesce(b.paid_items, 0)::BIGINT AS paid_items,
        coalesce(b.trailing_orders, 0) AS trailing_orders,
        coalesce(b.trailing_paid_orders, 0) AS trailing_paid_orders,
        coalesce(b.trailing_paid_amount, 0)::DECIMAL(38, 2) AS trailing_paid_amount,
        coalesce(b.trailing_unpaid_orders, 0) AS trailing_unpaid_orders,
        CASE WHEN b.paid_orders >= 2
            THEN (b.last_paid_day - b.first_paid_day)::DOUBLE / (b.paid_orders - 1) END
            AS mean_days_between_paid_orders,
        coalesce(e.refunds, 0)::BIGINT AS refunds,
        coalesce(e.refund_amount, 0)::DECIMAL(38, 2) AS refund_amount,
        coalesce(e.returns, 0)::BIGINT AS returns,
        coalesce(e.sessions, 0)::BIGINT AS sessions,
        coalesce(e.reviews, 0)::BIGINT AS reviews,
        coalesce(e.rating_sum, 0)::BIGINT AS rating_sum,
        e.last_chat_at,
        CASE WHEN e.reviews > 0 THEN e.rating_sum::DOUBLE / e.reviews END AS mean_rating,
        coalesce(r.sessions, 0)::BIGINT AS trailing_sessions
    FROM (SELECT customer_key FROM bought UNION SELECT customer_key FROM ever
          UNION SELECT customer_key FROM recent) k
    LEFT JOIN bought b USING (customer_key)
    LEFT JOIN ever e USING (customer_key)
    LEFT JOIN recent r USING (customer_key)
), buyers AS (
    SELECT customer_key, trailing_paid_amount AS amount,
        rank() OVER (ORDER BY trailing_paid_amount DESC) - 1 AS above,
        row_number() OVER (ORDER BY trailing_paid_amount) - 1 AS position,
        count(*) OVER () AS n
    FROM facts WHERE trailing_paid_orders > 0
), vips AS (
    SELECT *, above * {share.denominator} < n * {share.numerator} AS vip FROM buyers
), limits AS (
    SELECT count(*) AS buyers,
        min(amount) FILTER (vip) AS vip_threshold,
        ((sum(amount) FILTER (position = (n - 1) // 2)
          + sum(amount) FILTER (position = n // 2))::DECIMAL(38, 3) * 0.5)::DECIMAL(38, 3)
            AS median_amount
    FROM vips
), ruled AS (
    SELECT f.*, l.vip_threshold, l.median_amount,
        CASE
            WHEN coalesce(v.vip, FALSE) THEN 'vip_top_share'
            WHEN f.trailing_paid_orders >= {class_rules.core_min_paid_orders}
                 AND coalesce(f.trailing_paid_amount::DECIMAL(38, 3) > l.median_amount, FALSE)
                THEN 'core_orders_and_spend'
            WHEN {class_rules.potential_by_chat} AND f.paid_orders = 0
                 AND f.trailing_sessions > 0 THEN 'potential_chat'
            WHEN {class_rules.potential_by_unpaid_order} AND f.paid_orders = 0
                 AND f.trailing_unpaid_orders > 0 THEN 'potential_unpaid_order'
            ELSE 'ordinary'
        END AS rule
    FROM facts f LEFT JOIN vips v USING (customer_key) CROSS JOIN limits l
), rfm AS (
    SELECT customer_key, recency_days, frequency, monetary,
        1 + (rank() OVER (ORDER BY recency_days DESC) - 1) * 5 // count(*) OVER () AS r_score,
        1 + (rank() OVER (ORDER BY frequency) - 1) * 5 // count(*) OVER () AS f_score,
        1 + (rank() OVER (ORDER BY monetary) - 1) * 5 // count(*) OVER () AS m_score
    FROM (
        SELECT customer_key, frequency, monetary,
            DATE '{as_of.isoformat()}' - ({day("rfm_last_paid_at")}) AS recency_days
        FROM grouped WHERE frequency > 0
    )
)
SELECT ruled.* EXCLUDE (rule, vip_threshold, median_amount),
    CASE rule WHEN 'vip_top_share' THEN 'vip' WHEN 'core_orders_and_spend' THEN 'core'
        WHEN 'potential_chat' THEN 'potential' WHEN 'potential_unpaid_order' THEN 'potential'
        ELSE 'ordinary' END AS customer_class,
    rule,
    CASE rule WHEN 'potential_chat' THEN trailing_sessions::DECIMAL(38, 3)
        WHEN 'potential_unpaid_order' THEN trailing_unpaid_orders::DECIMAL(38, 3)
        ELSE trailing_paid_amount::DECIMAL(38, 3) END AS figure,
    CASE rule WHEN 'vip_top_share' THEN vip_threshold::DECIMAL(38, 3)
        WHEN 'core_orders_and_spend' THEN median_amount END AS threshold,
    rfm.recency_days::BIGINT AS recency_days, rfm.frequency, rfm.monetary,
    rfm.r_score::BIGINT AS r_score, rfm.f_score::BIGINT AS f_score,
    rfm.m_score::BIGINT AS m_score,
    CASE
{groups}
    END AS group_key
FROM ruled LEFT JOIN rfm USING (customer_key)
"""


def loyalty_query(base: str, as_of: dt.date, tz: str, rules: Any) -> str:
    """``base`` (the standing rows) with ``loyalty`` and ``loyalty_components`` as
    ``metrics.loyalty.with_loyalty`` defines them (after-sales judged by the ratings given
    after the first refund, no survey yet: recommend unknown)."""
    end = _stamp(_us(local_midnight_utc(as_of + dt.timedelta(days=1), tz)))

    def share(value: object) -> Fraction:
        return Fraction(str(value))

    hs, ms = share(rules.amount_high_share), share(rules.amount_medium_share)
    sh, sm = share(rules.satisfaction_high), share(rules.satisfaction_medium)
    ph, pm = share(rules.high_points), share(rules.medium_points)

    def points(level: str) -> str:
        return f"CASE {level} WHEN 'high' THEN 2 WHEN 'medium' THEN 1 WHEN 'low' THEN 0 END"

    def component(figure: str, level: str, high: str, medium: str, basis: str, n: str) -> str:
        return (
            f"{{'figure': ({figure})::DOUBLE, 'level': {level}, 'high_at': ({high})::DOUBLE, "
            f"'medium_at': ({medium})::DOUBLE, 'basis': ({basis})::VARCHAR, "
            f"'count': ({n})::BIGINT}}"
        )

    levels = ("fl", "al", "rl", "sl")
    total = " + ".join(f"coalesce({points(x)}, 0)" for x in levels)
    known = " + ".join(f"({points(x)} IS NOT NULL)::INT" for x in levels)
    return f"""
WITH s AS ({base}),
first_refund AS (
    SELECT customer_key, min(requested_at) AS first_refund_at FROM refunds
    WHERE customer_key IS NOT NULL AND requested_at < {end} GROUP BY customer_key
), after_sale AS (
    SELECT f.customer_key, count(v.customer_key) AS n, coalesce(sum(v.rating), 0) AS total
    FROM first_refund f LEFT JOIN reviews v
        ON v.customer_key = f.customer_key AND v.created_at < {end}
        AND v.created_at >= f.first_refund_at
    GROUP BY f.customer_key
), ranked AS (
    SELECT customer_key, trailing_paid_amount AS amount,
        rank() OVER (ORDER BY trailing_paid_amount DESC) - 1 AS above, count(*) OVER () AS n
    FROM s WHERE trailing_paid_orders > 0
), amounts AS (
    SELECT customer_key, amount,
        CASE WHEN above * {hs.denominator} < n * {hs.numerator} THEN 'high'
             WHEN above * {ms.denominator} < n * {ms.numerator} THEN 'medium'
             ELSE 'low' END AS level
    FROM ranked
), edges AS (
    SELECT min(amount) FILTER (level = 'high') AS high_at,
        coalesce(min(amount) FILTER (level = 'medium'), min(amount) FILTER (level = 'high'))
            AS medium_at
    FROM amounts
), judged AS (
    SELECT s.*, e.high_at, e.medium_at, s.paid_orders > 0 AS bought,
        coalesce(a.n, 0) > 0 AS after_refund,
        CASE WHEN coalesce(a.n, 0) > 0 THEN a.n ELSE s.reviews END AS rc,
        CASE WHEN coalesce(a.n, 0) > 0 THEN a.total ELSE s.rating_sum END AS rs,
        m.level AS amount_level
    FROM s LEFT JOIN after_sale a USING (customer_key)
        LEFT JOIN amounts m USING (customer_key) CROSS JOIN edges e
), levelled AS (
    SELECT *,
        CASE WHEN NOT bought THEN 'unknown'
             WHEN trailing_paid_orders >= {rules.frequency_high} THEN 'high'
             WHEN trailing_paid_orders >= {rules.frequency_medium} THEN 'medium'
             ELSE 'low' END AS fl,
        CASE WHEN NOT bought THEN 'unknown' ELSE coalesce(amount_level, 'low') END AS al,
        'unknown' AS rl,
        CASE WHEN rc = 0 THEN 'unknown'
             WHEN rs * {sh.denominator} >= rc * {sh.numerator} THEN 'high'
             WHEN rs * {sm.denominator} >= rc * {sm.numerator} THEN 'medium'
             ELSE 'low' END AS sl
    FROM judged
), pointed AS (
    SELECT *, {total} AS total, {known} AS known,
        'low' IN (fl, al, rl, sl) AS any_low
    FROM levelled
)
SELECT * EXCLUDE (high_at, medium_at, bought, after_refund, rc, rs, amount_level, fl, al, rl,
                  sl, total, known, any_low),
    CASE WHEN NOT bought OR known = 0 THEN NULL
         WHEN total * {ph.denominator} >= known * {ph.numerator} AND NOT any_low THEN 'high'
         WHEN total * {pm.denominator} >= known * {pm.numerator} THEN 'medium'
         ELSE 'low' END AS loyalty,
    {{'frequency': {
        component(
            "trailing_paid_orders",
            "fl",
            str(rules.frequency_high),
            str(rules.frequency_medium),
            "'window'",
            "NULL",
        )
    },
      'amount': {
        component("trailing_paid_amount", "al", "high_at", "medium_at", "'window'", "NULL")
    },
      'recommend': {
        component(
            "NULL", "rl", str(rules.recommend_high), str(rules.recommend_medium), "''", "NULL"
        )
    },
      'after_sales': {
        component(
            "CASE WHEN rc > 0 THEN rs::DOUBLE / rc END",
            "sl",
            str(float(rules.satisfaction_high)),
            str(float(rules.satisfaction_medium)),
            "CASE WHEN after_refund THEN 'after_refund' WHEN rc > 0 THEN 'reviews' ELSE '' END",
            "rc",
        )
    },
      'points': CASE WHEN known > 0 THEN total::DOUBLE / known END}} AS loyalty_components
FROM pointed
"""


def connect(files: dict[str, list[str]], memory: str | None = "3GB") -> Any:
    """A DuckDB connection with the tables as views over their Parquet files."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    if memory:
        con.execute(f"SET memory_limit = '{memory}'")
    for name, paths in files.items():
        hive = name in ("customer_months", "sessions")
        con.execute(
            f"CREATE VIEW {name} AS SELECT * FROM read_parquet({paths!r}, "
            f"hive_partitioning = {str(hive).lower()})"
        )
    return con


def standing(
    files: dict[str, list[str]],
    as_of: dt.date,
    tz: str,
    class_rules: ClassRules = ClassRules(),
    rfm_rules: RfmRules = RfmRules(),
    loyalty_rules: Any = None,
) -> pa.Table:
    """The standing rows; with ``loyalty_rules`` (``metrics.rules.LoyaltyRules``) also
    loyalty and its components, in the same query."""
    con = connect(files)
    sql = query(as_of, tz, class_rules, rfm_rules)
    if loyalty_rules is not None:
        sql = loyalty_query(sql, as_of, tz, loyalty_rules)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()
