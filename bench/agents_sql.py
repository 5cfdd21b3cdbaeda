"""The agent report (SPEC §2) in hand-written DuckDB SQL: the bar the product path must meet.

Same definitions as ``guanxi.metrics.chat`` / ``attribution`` (read their docstrings);
written the way one would by hand for DuckDB, on the Parquet files of the lake tables'
current versions (as views):
- only the sessions that can matter are read (those touching the period with the 72-hour
  attribution margin, and the sessions of customers whose orders got a return request in
  the period, back to those orders' attribution windows), each whole;
- one window pass over the messages gives each message its neighbours and its round (a
  round is identified by the number of agent messages before it in the session);
- rounds and sessions are aggregated once into temporary tables and reused;
- the local hour and day come from DuckDB's time-zone functions;
- time-zone-aware arithmetic (``timestamptz - INTERVAL``, slow: it goes through ICU's
  calendar) is done once per order or session, never per joined row.

``counts`` returns the same per-agent counts as the Ibis functions (``agent_counts``,
``agent_sales``, ``store_aov_parts``) so that ``guanxi.metrics.agents.assemble`` turns them
into reports exactly as the product does.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bench.agent_reports import QUERY_LIMITS
from guanxi.core.timeutil import Period
from guanxi.lake.schema import spec
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.chat import ServiceRules

SERVICE_RULES = ServiceRules()
ATTRIBUTION_RULES = AttributionRules()

SCRIPT = """
CREATE OR REPLACE TEMP TABLE returned AS
SELECT o.customer_key, min(o.created_at) - $margin AS since
FROM refunds r JOIN orders o USING (platform, order_id)
WHERE r.requested_at >= $t0 AND r.requested_at < $t1
GROUP BY o.customer_key;

CREATE OR REPLACE TEMP TABLE msg AS
WITH chats AS (
    SELECT session_id, message_id, customer_key, agent_id, sender, sent_at
    FROM chat_messages
), touched AS (
    SELECT session_id FROM chats WHERE sent_at >= $since AND sent_at < $until
    UNION
    SELECT c.session_id FROM chats c JOIN returned r USING (customer_key)
    WHERE c.sent_at >= r.since AND c.sent_at < $until
)
SELECT *,
    lag(sender) OVER s AS prev_sender,
    lag(agent_id) OVER s AS prev_agent,
    lead(sender) OVER s AS next_sender,
    lead(agent_id) OVER s AS next_agent,
    lead(sent_at) OVER s AS next_at,
    count(*) FILTER (WHERE sender = 'agent') OVER s AS agents_before
FROM chats
WHERE sender <> 'system' AND session_id IN (SELECT session_id FROM touched)
WINDOW s AS (PARTITION BY session_id ORDER BY sent_at, message_id);

CREATE OR REPLACE TEMP TABLE sess AS
SELECT session_id,
    max(customer_key) AS customer_key,
    min(sent_at) AS first_at,
    max(sent_at) AS last_at,
    min(sent_at) FILTER (WHERE sender = 'customer') AS first_customer_at,
    count(*) FILTER (WHERE sender = 'agent') AS agent_messages
FROM msg GROUP BY session_id;

CREATE OR REPLACE TEMP TABLE first_reply AS
SELECT m.session_id,
    arg_min_null(m.agent_id, (m.sent_at, m.message_id)) AS first_reply_by,
    min(m.sent_at) AS first_reply_at
FROM msg m JOIN sess s USING (session_id)
WHERE m.sender = 'agent' AND m.sent_at >= s.first_customer_at
GROUP BY m.session_id;

CREATE OR REPLACE TEMP TABLE spoke AS
SELECT DISTINCT session_id, agent_id FROM msg
WHERE sender = 'agent' AND agent_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE rnd AS
SELECT session_id,
    max(customer_key) FILTER (WHERE prev_sender IS DISTINCT FROM 'customer') AS customer_key,
    min(sent_at) AS started_at,
    count(*) AS customer_messages,
    max(CASE WHEN prev_sender = 'agent' THEN prev_agent END) AS before_agent,
    max(CASE WHEN next_sender = 'agent' THEN next_agent END) AS answered_by,
    max(CASE WHEN next_sender = 'agent' THEN next_at END) AS answered_at
FROM msg WHERE sender = 'customer'
GROUP BY session_id, agents_before
HAVING min(sent_at) >= $t0 AND min(sent_at) < $t1;

CREATE OR REPLACE TEMP TABLE stage AS
WITH s AS (
    SELECT session_id, customer_key, first_customer_at,
        first_customer_at - $after_sale AS signed_after
    FROM sess WHERE first_customer_at IS NOT NULL
)
SELECT s.session_id, s.customer_key, s.first_customer_at,
    CASE
      WHEN bool_or(o.shipped_at <= s.first_customer_at
                   AND (o.closed_at IS NULL OR o.closed_at > s.first_customer_at)
                   AND (o.signed_at IS NULL OR o.signed_at > s.first_customer_at
                        OR o.signed_at > s.signed_after))
        THEN 'after_sale'
      WHEN bool_or(o.paid_at <= s.first_customer_at
                   AND (o.shipped_at IS NULL OR o.shipped_at > s.first_customer_at))
        THEN 'in_sale'
      ELSE 'pre_sale'
    END AS stage
FROM s LEFT JOIN orders o USING (customer_key)
GROUP BY s.session_id, s.customer_key, s.first_customer_at;
"""

CHAT = """
WITH r AS (
    SELECT *, coalesce(answered_by, before_agent) AS owner,
        epoch(answered_at) - epoch(started_at) AS response_seconds,
        hour(timezone($tz, started_at)) AS local_hour
    FROM rnd
), owned AS (
    SELECT owner AS agent_id,
        count(DISTINCT customer_key) AS consulting_customers,
        count(*) AS rounds_owned,
        count(answered_by) AS rounds_answered,
        count(*) FILTER (WHERE local_hour >= $quick_from AND local_hour < $quick_to)
            AS quick_rounds,
        count(*) FILTER (WHERE local_hour >= $quick_from AND local_hour < $quick_to
                         AND answered_by IS NOT NULL AND response_seconds <= $quick_seconds)
            AS quick_answered
    FROM r WHERE owner IS NOT NULL GROUP BY owner
), answerer AS (
    SELECT answered_by AS agent_id,
        sum(response_seconds) AS response_seconds_sum,
        sum(customer_messages) AS questions,
        count(DISTINCT customer_key) FILTER (WHERE response_seconds > $slow_seconds)
            AS slow_customers
    FROM r WHERE answered_by IS NOT NULL GROUP BY answered_by
), sent AS (
    SELECT agent_id, count(*) AS agent_messages,
        count(DISTINCT customer_key) AS received_customers
    FROM msg WHERE sender = 'agent' AND agent_id IS NOT NULL
        AND sent_at >= $t0 AND sent_at < $t1
    GROUP BY agent_id
), period_sessions AS (
    SELECT * FROM sess LEFT JOIN first_reply USING (session_id)
    WHERE first_at >= $t0 AND first_at < $t1
), first AS (
    SELECT first_reply_by AS agent_id, count(*) AS first_reply_sessions,
        sum(epoch(first_reply_at) - epoch(first_customer_at)) AS first_response_seconds_sum
    FROM period_sessions WHERE first_reply_by IS NOT NULL GROUP BY first_reply_by
), lengths AS (
    SELECT agent_id, count(*) AS sessions,
        sum(epoch(last_at) - epoch(first_at)) AS session_seconds_sum
    FROM period_sessions JOIN spoke USING (session_id) GROUP BY agent_id
), agents AS (
    SELECT agent_id FROM sent UNION SELECT agent_id FROM owned
    UNION SELECT agent_id FROM first UNION SELECT agent_id FROM lengths
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
WITH pre_msg AS (
    SELECT m.customer_key, m.agent_id, m.message_id, m.sent_at AS msg_at
    FROM msg m JOIN stage s USING (session_id)
    WHERE s.stage = 'pre_sale' AND m.sender = 'agent' AND m.agent_id IS NOT NULL
), returns_ AS (
    SELECT platform, order_id, count(*) AS n FROM refunds
    WHERE kind = 'return_refund' AND requested_at >= $t0 AND requested_at < $t1
    GROUP BY ALL
), wanted AS (
    SELECT o.platform, o.order_id, o.customer_key, o.created_at, o.paid_at, o.status,
        o.amount, o.item_count, r.n AS returns_requested,
        o.created_at - $attribution AS window_start
    FROM orders o LEFT JOIN returns_ r USING (platform, order_id)
    WHERE (o.created_at >= $t0 AND o.created_at < $t1) OR r.n IS NOT NULL
), attributed AS (
    SELECT o.*, arg_max(m.agent_id, (m.msg_at, m.message_id)) AS agent_id
    FROM wanted o JOIN pre_msg m
      ON o.customer_key = m.customer_key AND m.msg_at <= o.created_at
         AND m.msg_at >= o.window_start
    GROUP BY ALL
), sales AS (
    SELECT agent_id,
        count(*) AS attributed_orders,
        count(paid_at) AS attributed_paid,
        count(*) FILTER (WHERE paid_at IS NULL AND status = 'closed') AS attributed_lost,
        sum(amount) FILTER (WHERE paid_at IS NOT NULL) AS sales_amount,
        sum(item_count) FILTER (WHERE paid_at IS NOT NULL) AS sales_units,
        count(DISTINCT customer_key) FILTER (WHERE paid_at IS NOT NULL) AS buyers
    FROM attributed WHERE created_at >= $t0 AND created_at < $t1 GROUP BY agent_id
), returns AS (
    SELECT agent_id, sum(returns_requested) AS returns FROM attributed
    WHERE returns_requested IS NOT NULL GROUP BY agent_id
), pairs AS (
    SELECT s.customer_key, p.agent_id, min(s.first_customer_at) AS began_at
    FROM stage s JOIN spoke p USING (session_id)
    WHERE s.stage = 'pre_sale' AND s.first_customer_at >= $t0 AND s.first_customer_at < $t1
    GROUP BY ALL
), windows AS (
    SELECT *,
        timezone($tz, date_trunc('day', timezone($tz, began_at)) + $next_day) AS next_end,
        timezone($tz, date_trunc('day', timezone($tz, began_at)) + $final) AS final_end
    FROM pairs
), inquiry AS (
    SELECT q.customer_key, q.agent_id,
        coalesce(bool_or(o.paid_at < q.next_end), false) AS next_day,
        coalesce(bool_or(o.paid_at < q.final_end), false) AS final
    FROM windows q LEFT JOIN orders o
      ON o.customer_key = q.customer_key AND o.paid_at IS NOT NULL
         AND o.created_at > q.began_at
    GROUP BY q.customer_key, q.agent_id
), asked AS (
    SELECT agent_id, count(DISTINCT customer_key) AS inquirers,
        count(DISTINCT customer_key) FILTER (WHERE next_day) AS converted_next_day,
        count(DISTINCT customer_key) FILTER (WHERE final) AS converted_final
    FROM inquiry GROUP BY agent_id
), agents AS (
    SELECT agent_id FROM sales UNION SELECT agent_id FROM returns
    UNION SELECT agent_id FROM asked
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
    LEFT JOIN asked USING (agent_id)
ORDER BY agent_id
"""

STORE = """
SELECT coalesce(sum(amount), 0) AS paid_amount, count(DISTINCT customer_key) AS payers
FROM orders
WHERE created_at >= $t0 AND created_at < $t1 AND paid_at IS NOT NULL
"""


def counts(
    files: dict[str, list[str]],
    period: Period,
    time_zone: str,
    service_rules: ServiceRules = SERVICE_RULES,
    rules: AttributionRules = ATTRIBUTION_RULES,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """(chat counts per agent, sales counts per agent, store AOV parts) for ``period``."""
    import duckdb

    start, end = period.utc_bounds(time_zone)
    margin = dt.timedelta(hours=rules.attribution_hours, days=1)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    # The product's memory budget (GUANXI_QUERY_MEMORY's default), so both spill alike.
    con.execute(f"SET memory_limit = '{QUERY_LIMITS.memory}'")
    con.execute(f"SET temp_directory = '{QUERY_LIMITS.spill_dir}'")
    params = {
        "t0": start,
        "t1": end,
        "tz": time_zone,
        "since": start - margin,
        "until": end + dt.timedelta(days=1),
        "margin": margin,
        "after_sale": dt.timedelta(days=rules.after_sale_days),
        "quick_from": service_rules.quick_from_hour,
        "quick_to": service_rules.quick_to_hour,
        "quick_seconds": service_rules.quick_seconds,
        "slow_seconds": service_rules.slow_seconds,
        "attribution": dt.timedelta(hours=rules.attribution_hours),
        "next_day": dt.timedelta(days=rules.next_day_days + 1),
        "final": dt.timedelta(days=rules.final_days + 1),
    }

    def run(sql: str) -> Any:
        used = {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}
        return con.sql(sql, params=used)

    for name in ("chat_messages", "orders", "refunds"):
        if files[name]:
            con.read_parquet(files[name]).to_view(name)
        else:  # a table never written: empty, with its columns
            empty = spec(name).schema.empty_table()  # noqa: F841 (read by DuckDB by name)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM empty")
    for statement in SCRIPT.split(";"):
        if statement.strip():
            run(statement)
    chat = run(CHAT).to_arrow_table().to_pylist()
    sales = run(SALES).to_arrow_table().to_pylist()
    store = run(STORE).to_arrow_table().to_pylist()[0]
    con.close()
    return chat, sales, store
