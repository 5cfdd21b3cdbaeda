"""The agent report (SPEC §2) in hand-written DuckDB SQL over the derived tables: the bar the
product's derived path (``metrics.agents.report_series`` on ``lake.derived.facts()``) must
meet within 1.3×.

It reads the derived tables' Parquet files directly (the current Delta version's files, as
views) and counts them the way one would by hand: one period, so a fact is in it when its
``day`` is between the period's first and last local day (the ``day`` columns are the
shop's local dates, computed once when the tables were built). Definitions are those of
``metrics.period_counts`` and ``metrics.platform_rules`` (read their docstrings):
- chat counts per agent from rounds (owner, answerer), agent sends, sessions and the agents
  who spoke in them;
- sales per agent from the attributed orders created in the period, return requests made
  in the period on attributed orders, and inquiries (pre-sale sessions in the period in
  which the agent spoke, joined to the customer's paid orders for conversion);
- the store's AOV parts from the raw orders;
- the platform rules (Pinduoduo's effective reply rate, Douyin's 3-minute rate).
Messages without an agent count for no agent (``facts.for_agents``).

``report`` returns the same ``AgentReport`` list as the product path (business-time figures
are left out: the bench passes no rotas to either).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bench.agent_reports import QUERY_LIMITS
from guanxi.core.timeutil import Period
from guanxi.lake.derived import DERIVED
from guanxi.lake.schema import spec
from guanxi.metrics.agents import AgentReport, assemble
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import ServiceRules
from guanxi.metrics.platform_rules import PlatformFigures, PlatformRules
from guanxi.metrics.ratios import ratio

SERVICE_RULES = ServiceRules()
ATTRIBUTION_RULES = AttributionRules()
PLATFORM_RULES = PlatformRules()

CHAT = """
WITH r AS (
    SELECT * FROM rounds WHERE owner IS NOT NULL AND day BETWEEN $d0 AND $d1
), owned AS (
    SELECT owner AS agent_id,
        count(DISTINCT customer_key) AS consulting_customers,
        count(*) AS rounds_owned,
        count(answered_by) AS rounds_answered,
        count(*) FILTER (WHERE local_seconds >= $quick_from AND local_seconds < $quick_to)
            AS quick_rounds,
        count(*) FILTER (WHERE local_seconds >= $quick_from AND local_seconds < $quick_to
                         AND answered_by IS NOT NULL AND response_seconds <= $quick_seconds)
            AS quick_answered
    FROM r GROUP BY owner
), answerer AS (
    SELECT answered_by AS agent_id,
        sum(response_seconds) AS response_seconds_sum,
        sum(customer_messages) AS questions,
        count(DISTINCT customer_key) FILTER (WHERE response_seconds > $slow_seconds)
            AS slow_customers
    FROM r WHERE answered_by IS NOT NULL GROUP BY answered_by
), sent AS (
    SELECT agent_id, sum(messages) AS agent_messages,
        count(DISTINCT customer_key) AS received_customers
    FROM agent_sends
    WHERE agent_id IS NOT NULL AND day BETWEEN $d0 AND $d1
    GROUP BY agent_id
), s AS (
    SELECT session_id, first_reply_by, first_response_seconds, length_seconds
    FROM sessions WHERE day BETWEEN $d0 AND $d1
), first AS (
    SELECT first_reply_by AS agent_id, count(*) AS first_reply_sessions,
        sum(first_response_seconds) AS first_response_seconds_sum
    FROM s WHERE first_reply_by IS NOT NULL GROUP BY first_reply_by
), lengths AS (
    SELECT a.agent_id, count(*) AS sessions, sum(s.length_seconds) AS session_seconds_sum
    FROM s JOIN session_agents a USING (session_id)
    WHERE a.agent_id IS NOT NULL GROUP BY a.agent_id
), agents AS (
    SELECT agent_id FROM sent UNION SELECT agent_id FROM owned
    UNION SELECT agent_id FROM answerer UNION SELECT agent_id FROM first
    UNION SELECT agent_id FROM lengths
)
SELECT agent_id,
    coalesce(agent_messages, 0) AS agent_messages,
    coalesce(received_customers, 0) AS received_customers,
    coalesce(consulting_customers, 0) AS consulting_customers,
    coalesce(rounds_owned, 0) AS rounds_owned,
    coalesce(rounds_answered, 0) AS rounds_answered,
    coalesce(quick_rounds, 0) AS quick_rounds,
    coalesce(quick_answered, 0) AS quick_answered,
    coalesce(response_seconds_sum, 0) AS response_seconds_sum,
    coalesce(questions, 0) AS questions,
    coalesce(slow_customers, 0) AS slow_customers,
    coalesce(first_reply_sessions, 0) AS first_reply_sessions,
    coalesce(first_response_seconds_sum, 0) AS first_response_seconds_sum,
    coalesce(sessions, 0) AS sessions,
    coalesce(session_seconds_sum, 0) AS session_seconds_sum
FROM agents LEFT JOIN sent USING (agent_id) LEFT JOIN owned USING (agent_id)
    LEFT JOIN answerer USING (agent_id) LEFT JOIN first USING (agent_id)
    LEFT JOIN lengths USING (agent_id)
ORDER BY agent_id
"""

SALES = """
WITH a AS (
    SELECT * FROM attribution WHERE agent_id IS NOT NULL
), sales AS (
    SELECT agent_id,
        count(*) AS attributed_orders,
        count(paid_at) AS attributed_paid,
        count(*) FILTER (WHERE paid_at IS NULL AND status = 'closed') AS attributed_lost,
        sum(amount) FILTER (WHERE paid_at IS NOT NULL) AS sales_amount,
        sum(item_count) FILTER (WHERE paid_at IS NOT NULL) AS sales_units,
        count(DISTINCT customer_key) FILTER (WHERE paid_at IS NOT NULL) AS buyers
    FROM a WHERE day BETWEEN $d0 AND $d1 GROUP BY agent_id
), asked AS (
    SELECT platform, order_id, count(*) AS requests FROM refunds
    WHERE kind = 'return_refund' AND requested_at >= $t0 AND requested_at < $t1
    GROUP BY platform, order_id
), returns AS (
    SELECT a.agent_id, sum(asked.requests) AS returns
    FROM asked JOIN a USING (platform, order_id) GROUP BY a.agent_id
), pairs AS (
    SELECT s.customer_key, p.agent_id, min(s.first_customer_at) AS began_at,
        min(s.customer_day) AS day
    FROM sessions s JOIN session_agents p USING (session_id)
    WHERE s.stage = 'pre_sale' AND s.customer_day BETWEEN $d0 AND $d1
        AND p.agent_id IS NOT NULL
    GROUP BY s.customer_key, p.agent_id
), windows AS (
    SELECT *,
        timezone($tz, (day + $next_days)::timestamp) AS next_end,
        timezone($tz, (day + $final_days)::timestamp) AS final_end
    FROM pairs
), inquiry AS (
    SELECT q.customer_key, q.agent_id,
        coalesce(bool_or(o.paid_at < q.next_end), false) AS next_day,
        coalesce(bool_or(o.paid_at < q.final_end), false) AS final
    FROM windows q LEFT JOIN orders o
      ON o.customer_key = q.customer_key AND o.paid_at IS NOT NULL
         AND o.created_at >= $t0 AND o.created_at > q.began_at
    GROUP BY q.customer_key, q.agent_id, q.began_at, q.day
), inquirers AS (
    SELECT agent_id, count(DISTINCT customer_key) AS inquirers,
        count(DISTINCT customer_key) FILTER (WHERE next_day) AS converted_next_day,
        count(DISTINCT customer_key) FILTER (WHERE final) AS converted_final
    FROM inquiry GROUP BY agent_id
), agents AS (
    SELECT agent_id FROM sales UNION SELECT agent_id FROM returns
    UNION SELECT agent_id FROM inquirers
)
SELECT agent_id,
    coalesce(attributed_orders, 0) AS attributed_orders,
    coalesce(attributed_paid, 0) AS attributed_paid,
    coalesce(attributed_lost, 0) AS attributed_lost,
    coalesce(sales_amount, 0) AS sales_amount,
    coalesce(sales_units, 0) AS sales_units,
    coalesce(buyers, 0) AS buyers,
    coalesce(returns, 0) AS returns,
    coalesce(inquirers, 0) AS inquirers,
    coalesce(converted_next_day, 0) AS converted_next_day,
    coalesce(converted_final, 0) AS converted_final
FROM agents LEFT JOIN sales USING (agent_id) LEFT JOIN returns USING (agent_id)
    LEFT JOIN inquirers USING (agent_id)
ORDER BY agent_id
"""

STORE = """
SELECT coalesce(sum(amount), 0) AS paid_amount, count(DISTINCT customer_key) AS payers
FROM orders
WHERE created_at >= $t0 AND created_at < $t1 AND paid_at IS NOT NULL
"""

PLATFORM = """
WITH pdd AS (
    SELECT owner AS agent_id, customer_key,
        bool_and(coalesce(answered_at IS NOT NULL AND response_seconds <= $pdd_seconds, false))
            AS good
    FROM rounds
    WHERE platform = 'pdd' AND owner IS NOT NULL AND day BETWEEN $d0 AND $d1
        AND local_seconds >= $pdd_from AND local_seconds < $pdd_to
    GROUP BY owner, customer_key
), pdd_counts AS (
    SELECT agent_id, count(*) AS pdd_customers, count(*) FILTER (WHERE good)
        AS pdd_good_customers
    FROM pdd GROUP BY agent_id
), douyin AS (
    SELECT r.owner AS agent_id, count(*) AS douyin_messages,
        count(*) FILTER (WHERE r.answered_at IS NOT NULL
            AND (epoch_us(r.answered_at) - epoch_us(w.sent_at)) / 1e6 <= $douyin_seconds)
            AS douyin_answered
    FROM douyin_waits w JOIN rounds r USING (session_id, round_key)
    WHERE w.day BETWEEN $d0 AND $d1 AND r.owner IS NOT NULL
        AND w.local_seconds >= $douyin_from AND w.local_seconds < $douyin_to
    GROUP BY r.owner
)
SELECT coalesce(p.agent_id, d.agent_id) AS agent_id,
    p.pdd_customers, p.pdd_good_customers, d.douyin_messages, d.douyin_answered
FROM pdd_counts p FULL JOIN douyin d USING (agent_id)
"""


def _views(con: Any, files: dict[str, list[str]]) -> None:
    """Views of the derived tables (by fact name) and of the raw orders and refunds."""
    schemas = {fact: spec_.schema for fact, spec_ in DERIVED.items()}
    schemas |= {name: spec(name).schema for name in ("orders", "refunds")}
    for name, schema in schemas.items():
        if files.get(name):
            # the files themselves, without the ``month`` of their folders' names
            con.read_parquet(files[name], hive_partitioning=False).to_view(name)
        else:  # a table never written: empty, with its columns
            empty = schema.empty_table()  # noqa: F841 (read by DuckDB by name)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM empty")


def report(
    files: dict[str, list[str]],
    period: Period,
    time_zone: str,
    service_rules: ServiceRules = SERVICE_RULES,
    rules: AttributionRules = ATTRIBUTION_RULES,
    platform_rules: PlatformRules = PLATFORM_RULES,
) -> list[AgentReport]:
    """Every agent's report for ``period`` from the derived tables' files (``files``: fact
    name or raw table name → Parquet files)."""
    import duckdb

    start, end = period.utc_bounds(time_zone)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    # The product's memory budget (GUANXI_QUERY_MEMORY's default), so both spill alike.
    con.execute(f"SET memory_limit = '{QUERY_LIMITS.memory}'")
    con.execute(f"SET temp_directory = '{QUERY_LIMITS.spill_dir}'")
    params: dict[str, Any] = {
        "d0": period.start,
        "d1": period.end,
        "t0": start,
        "t1": end,
        "tz": time_zone,
        "quick_from": service_rules.quick_from_hour * 3600,
        "quick_to": service_rules.quick_to_hour * 3600,
        "quick_seconds": service_rules.quick_seconds,
        "slow_seconds": service_rules.slow_seconds,
        "next_days": dt.timedelta(days=rules.next_day_days + 1),
        "final_days": dt.timedelta(days=rules.final_days + 1),
        "pdd_seconds": platform_rules.pdd_seconds,
        "pdd_from": platform_rules.pdd_from_hour * 3600,
        "pdd_to": platform_rules.pdd_to_hour * 3600,
        "douyin_seconds": platform_rules.douyin_seconds,
        "douyin_from": platform_rules.douyin_from_hour * 3600,
        "douyin_to": platform_rules.douyin_to_hour * 3600,
    }

    def rows(sql: str) -> list[dict[str, Any]]:
        used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
        return con.sql(sql, params=used).to_arrow_table().to_pylist()

    _views(con, files)
    chat = rows(CHAT)
    sales = rows(SALES)
    store = rows(STORE)[0]
    platform = {
        r["agent_id"]: PlatformFigures(
            ratio(r["pdd_good_customers"], r["pdd_customers"], 4),
            ratio(r["douyin_answered"], r["douyin_messages"], 4),
        )
        for r in rows(PLATFORM)
    }
    con.close()
    return assemble(chat, sales, store, {}, platform)


def derived_files(lake: Any) -> dict[str, list[str]]:
    """The Parquet files of the derived tables' current versions (by fact name) and of the
    raw orders and refunds."""
    derived = lake.derived
    files = {fact: derived.files(fact) for fact in DERIVED}
    return files | {name: lake.files(name) for name in ("orders", "refunds")}
