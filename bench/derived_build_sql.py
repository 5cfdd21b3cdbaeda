"""The derived tables (``guanxi.lake.derived``) built by hand-written DuckDB SQL: the bar
``Derived.rebuild`` must meet within 1.3×.

From the raw tables' Parquet files (the current Delta versions' files, as views) to Delta
tables partitioned by ``month`` under ``<out>/``, with the same rows as the product's
(definitions: ``metrics.chat``, ``metrics.attribution``, ``metrics.facts``; read their
docstrings). Written the way one would by hand for DuckDB:
- one window pass over the messages (without system messages) gives each message its
  neighbours, its round (the number of agent messages up to it in its session), its
  session's first customer message, platform and first message (whose local month is
  every fact's partition), into a temporary table every fact is read from without
  joining back to sessions;
- sessions, rounds and stages are aggregated once into temporary tables and reused;
- local days and times of day are arithmetic on epoch microseconds when the zone keeps one
  UTC offset all through the data (all of China), DuckDB's time-zone functions otherwise;
- time-zone-aware interval arithmetic once per session or order, never per joined pair;
- each table streams from DuckDB (Arrow record batches) into one Delta commit.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from bench.agent_reports import QUERY_LIMITS
from guanxi.core.timeutil import Period
from guanxi.lake.derived import DERIVED
from guanxi.lake.schema import spec
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.calendar import fixed_offset

ATTRIBUTION_RULES = AttributionRules()

PREPARE = """
CREATE OR REPLACE TEMP TABLE msg AS
SELECT platform, session_id, message_id, customer_key, agent_id, sender, sent_at,
    lag(sender) OVER s AS prev_sender,
    lag(agent_id) OVER s AS prev_agent,
    lead(sender) OVER s AS next_sender,
    lead(agent_id) OVER s AS next_agent,
    lead(sent_at) OVER s AS next_at,
    count(*) FILTER (WHERE sender <> 'customer') OVER s AS round_key,
    min(sent_at) FILTER (WHERE sender = 'customer') OVER w AS first_customer_at,
    -- the session's platform and first message (its month) on every message: no fact
    -- needs joining back to its session for them
    max(platform) OVER w AS session_platform,
    min(sent_at) OVER w AS session_first_at
FROM chat_messages
WHERE sender <> 'system'
WINDOW s AS (PARTITION BY session_id ORDER BY sent_at, message_id
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
    w AS (PARTITION BY session_id);

CREATE OR REPLACE TEMP TABLE sess AS
SELECT session_id,
    any_value(session_platform) AS platform,
    max(customer_key) AS customer_key,
    min(sent_at) AS first_at,
    max(sent_at) AS last_at,
    min(first_customer_at) AS first_customer_at,
    arg_min_null(sender, (sent_at, message_id)) = 'customer' AS starts_with_customer,
    min(sent_at) FILTER (WHERE sender = 'agent' AND sent_at >= first_customer_at)
        AS first_reply_at,
    arg_min_null(agent_id, (sent_at, message_id))
        FILTER (WHERE sender = 'agent' AND sent_at >= first_customer_at) AS first_reply_by,
    count(*) FILTER (WHERE sender = 'agent') AS agent_messages
FROM msg GROUP BY session_id;

CREATE OR REPLACE TEMP TABLE stage AS
WITH s AS (
    SELECT session_id, customer_key, first_customer_at AS t,
        first_customer_at - $after_sale AS recent
    FROM sess WHERE first_customer_at IS NOT NULL
), flags AS (
    SELECT s.session_id,
        bool_or(o.shipped_at <= s.t
                AND (o.closed_at IS NULL OR o.closed_at > s.t)
                AND (o.signed_at IS NULL OR o.signed_at > s.t OR o.signed_at > s.recent))
            AS after,
        bool_or(o.paid_at <= s.t AND (o.shipped_at IS NULL OR o.shipped_at > s.t)) AS during
    FROM s JOIN orders o
      ON o.customer_key = s.customer_key
     AND (o.shipped_at <= s.t OR o.paid_at <= s.t)
    GROUP BY s.session_id
)
SELECT s.session_id,
    CASE WHEN f.after THEN 'after_sale' WHEN f.during THEN 'in_sale' ELSE 'pre_sale' END
        AS stage
FROM s LEFT JOIN flags f USING (session_id);

CREATE OR REPLACE TEMP TABLE sessions AS
SELECT s.session_id, s.platform, s.customer_key, s.first_at, s.last_at,
    s.first_customer_at, s.starts_with_customer, s.first_reply_at, s.first_reply_by,
    s.agent_messages,
    (epoch_us(s.first_reply_at) - epoch_us(s.first_customer_at)) / 1e6
        AS first_response_seconds,
    (epoch_us(s.last_at) - epoch_us(s.first_at)) / 1e6 AS length_seconds,
    g.stage,
    {day:s.first_at} AS day,
    {day:s.first_customer_at} AS customer_day,
    strftime({day:s.first_at}, '%Y-%m') AS month
FROM sess s LEFT JOIN stage g USING (session_id);
"""

ROUNDS = """
WITH r AS (
    SELECT session_id, round_key,
        max(customer_key) FILTER (WHERE prev_sender IS DISTINCT FROM 'customer')
            AS customer_key,
        min(sent_at) AS started_at,
        count(*) AS customer_messages,
        max(prev_agent) FILTER (WHERE prev_sender = 'agent') AS before_agent,
        max(next_at) FILTER (WHERE next_sender = 'agent') AS answered_at,
        max(next_agent) FILTER (WHERE next_sender = 'agent') AS answered_by,
        max(agent_id) AS unit,
        any_value(session_platform) AS platform,
        any_value(session_first_at) AS session_first_at
    FROM msg WHERE sender = 'customer'
    GROUP BY session_id, round_key
)
SELECT session_id, round_key,
    row_number() OVER (PARTITION BY session_id ORDER BY round_key) AS round_no,
    platform, customer_key, started_at, customer_messages, answered_at,
    answered_by, coalesce(answered_by, before_agent, unit) AS owner,
    (epoch_us(answered_at) - epoch_us(started_at)) / 1e6 AS response_seconds,
    {day:started_at} AS day,
    {seconds:started_at} AS local_seconds,
    strftime({day:session_first_at}, '%Y-%m') AS month
FROM r
"""

SESSION_AGENTS = """
WITH a AS (
    SELECT DISTINCT session_id, agent_id, session_first_at FROM msg WHERE sender = 'agent'
)
SELECT session_id, agent_id, strftime({day:session_first_at}, '%Y-%m') AS month FROM a
"""

AGENT_SENDS = """
WITH sends AS (
    SELECT session_id, agent_id, customer_key, {day:sent_at} AS day, session_first_at,
        count(*) AS messages
    FROM msg WHERE sender = 'agent'
    GROUP BY ALL
)
SELECT session_id, agent_id, customer_key, day, messages,
    strftime({day:session_first_at}, '%Y-%m') AS month
FROM sends
"""

DOUYIN_WAITS = """
SELECT session_id, round_key, sent_at, {day:sent_at} AS day,
    {seconds:sent_at} AS local_seconds, strftime({day:session_first_at}, '%Y-%m') AS month
FROM msg
WHERE sender = 'customer' AND platform = 'douyin'
"""

ATTRIBUTION = """
WITH pre AS (
    SELECT m.customer_key, m.agent_id, m.message_id, m.sent_at AS msg_at
    FROM msg m JOIN sessions s USING (session_id)
    WHERE m.sender = 'agent' AND s.stage = 'pre_sale'
), o AS (
    SELECT platform, order_id, customer_key, created_at, paid_at, closed_at, status, amount,
        item_count, created_at - $attribution AS since
    FROM orders
), a AS (
    SELECT o.platform, o.order_id, any_value(o.customer_key) AS customer_key,
        any_value(o.created_at) AS created_at, any_value(o.paid_at) AS paid_at,
        any_value(o.closed_at) AS closed_at, any_value(o.status) AS status,
        any_value(o.amount) AS amount, any_value(o.item_count) AS item_count,
        arg_max(m.agent_id, (m.msg_at, m.message_id)) FILTER (WHERE m.agent_id IS NOT NULL)
            AS agent_id
    FROM o JOIN pre m
      ON o.customer_key = m.customer_key AND m.msg_at <= o.created_at AND m.msg_at >= o.since
    GROUP BY o.platform, o.order_id
)
SELECT *, {day:created_at} AS day, strftime({day:created_at}, '%Y-%m') AS month FROM a
"""

TABLES = {
    "rounds": ROUNDS,
    "session_agents": SESSION_AGENTS,
    "agent_sends": AGENT_SENDS,
    "douyin_waits": DOUYIN_WAITS,
    "attribution": ATTRIBUTION,
}


def _clock(sql: str, offset: dt.timedelta | None, time_zone: str) -> str:
    """``{day:x}`` and ``{seconds:x}`` in ``sql`` as the local date of timestamp ``x`` and
    the seconds since that date's local midnight."""
    import re

    def day(m: re.Match[str]) -> str:
        x = m.group(1)
        if offset is None:
            return f"CAST(timezone('{time_zone}', {x}) AS DATE)"
        us = offset // dt.timedelta(microseconds=1)
        return f"(DATE '1970-01-01' + CAST((epoch_us({x}) + {us}) // 86400000000 AS INTEGER))"

    def seconds(m: re.Match[str]) -> str:
        x = m.group(1)
        if offset is None:  # elapsed since local midnight (a daylight-saving day too)
            midnight = f"timezone('{time_zone}', CAST(timezone('{time_zone}', {x}) AS DATE))"
            return f"((epoch_us({x}) - epoch_us({midnight})) / 1e6)"
        us = offset // dt.timedelta(microseconds=1)
        return f"(((epoch_us({x}) + {us}) % 86400000000) / 1e6)"

    sql = re.sub(r"\{day:([\w.]+)\}", day, sql)
    return re.sub(r"\{seconds:([\w.]+)\}", seconds, sql)


def _span(con: Any) -> Period:
    """The local days the data can fall on, as ``Derived._span`` takes them."""
    row = con.execute("SELECT min(sent_at), max(sent_at) FROM chat_messages").fetchone()
    today = dt.date.today()
    first = row[0].date() if row and row[0] else today
    last = max(row[1].date() if row and row[1] else today, today)
    return Period(first - dt.timedelta(days=400), last + dt.timedelta(days=2))


_STARTED = [0.0]


def _log(step: str) -> None:
    """With BENCH_STEPS=1: each step's seconds on stderr (where the time goes)."""
    import sys
    import time

    now = time.perf_counter()
    if os.environ.get("BENCH_STEPS") and _STARTED[0]:
        print(f"  {now - _STARTED[0]:7.1f} s  {step}", file=sys.stderr, flush=True)
    _STARTED[0] = now


def build(
    files: dict[str, list[str]],
    out: str | Path,
    time_zone: str,
    rules: AttributionRules = ATTRIBUTION_RULES,
) -> dict[str, int]:
    """Write every derived table under ``out`` (``<out>/<table name>``, Delta, partitioned by
    month) from the raw tables' files; returns each table's row count."""
    import duckdb
    import pyarrow as pa
    from deltalake import write_deltalake

    _STARTED[0] = 0.0
    _log("start")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{QUERY_LIMITS.memory}'")
    con.execute(f"SET temp_directory = '{QUERY_LIMITS.spill_dir}'")
    # Results stream out in batches; their order is the query's, as for any writer.
    con.execute("SET preserve_insertion_order = false")
    for name in ("chat_messages", "orders"):
        if files[name]:
            con.read_parquet(files[name]).to_view(name)
        else:
            empty = spec(name).schema.empty_table()  # noqa: F841 (read by DuckDB by name)
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM empty")
    offset = fixed_offset(_span(con), time_zone)
    params: dict[str, Any] = {
        "after_sale": dt.timedelta(days=rules.after_sale_days),
        "attribution": dt.timedelta(hours=rules.attribution_hours),
    }
    for statement in _clock(PREPARE, offset, time_zone).split(";"):
        if statement.strip():
            used = {k: v for k, v in params.items() if f"${k}" in statement}
            con.execute(statement, used)
            _log(statement.split(" AS")[0].strip())
    counts: dict[str, int] = {}
    queries = {"sessions": "SELECT * FROM sessions"} | TABLES
    for fact, sql in queries.items():
        table_spec = DERIVED[fact]
        query = _clock(sql, offset, time_zone)
        used = {k: v for k, v in params.items() if f"${k}" in query}
        columns = ", ".join(f'"{c}"' for c in table_spec.schema.names)
        reader = con.sql(f"SELECT {columns} FROM ({query})", params=used).to_arrow_reader(1_000_000)
        path = Path(out) / table_spec.name
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = 0

        def conformed(source: Any = reader, schema: Any = table_spec.schema) -> Any:
            nonlocal rows
            for batch in source:
                rows += batch.num_rows
                yield batch.cast(schema)

        write_deltalake(
            str(path),
            pa.RecordBatchReader.from_batches(table_spec.schema, conformed()),
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(table_spec.partition_by),
        )
        counts[fact] = rows
        _log(f"{fact}: {rows:,} rows written")
    con.close()
    return counts
