"""Staged rows + customer keys → the rows of a lake table (no personal data).

Runs in DuckDB over the staged Parquet file, so millions of rows need no Python loop. The
rules that fill what exports leave out are here, each stable so that importing the same
rows again produces the same keys (idempotency):
- orders: a closed order that was paid and has a refund amount is ``refunded``; a missing
  item count is 1.
- order lines: a missing line number is the row's position within its order in the file.
- chat messages: the message id is an MD5 of platform, session, time, sender, agent and text
  (the same message in two overlapping exports is one message); a missing session id is the
  customer's local day (one session per customer per day); an agent message's ``agent_id``
  is its agent (a nickname becomes the roster's agent id), other messages have none.
- reviews: a missing review id is an MD5 of order, product, time and text.
- free text (chat messages, reviews, refund reasons) is masked before it is stored: the
  values the master knows about the row's customer, then phone, ID-card, e-mail and street
  address patterns (``ingest.pii``). The ids above are computed from the text as written,
  so re-importing the same export still adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from guanxi.ingest.pii import (
    FOLD_SQL_DROP,
    FOLD_SQL_FROM,
    FOLD_SQL_TO,
    KnownValues,
    Rule,
    mask_known,
    mask_text,
    rules_for,
)
from guanxi.lake.schema import spec

KEYS = "__keys"  # the registered table of (buyer, customer_key)
AGENTS = "__agents"  # the registered table of (name, agent_id): the shop's roster
KNOWN = "__known"  # the registered table of (customer_key, needle): values the master knows
HIT = "__known_hit"  # the row's text holds one of its customer's known values
FREE_TEXT = {"chats": "text", "reviews": "text", "refunds": "reason"}


def _sql(kind: str, platform: str, time_zone: str) -> str:
    p = f"'{platform}'"
    key = f"(SELECT customer_key FROM {KEYS} k WHERE k.buyer = s.buyer)"
    if kind == "orders":
        return f"""
        SELECT {p} AS platform, order_id, {key} AS customer_key, created_at, paid_at,
               shipped_at, signed_at, closed_at,
               CASE WHEN status = 'closed' AND paid_at IS NOT NULL
                         AND coalesce(refund_amount, 0) > 0 THEN 'refunded'
                    ELSE status END AS status,
               amount, coalesce(item_count, 1)::INTEGER AS item_count, __row
        FROM staged s"""
    if kind == "order-items":
        return f"""
        SELECT {p} AS platform, order_id,
               coalesce(line_no, row_number() OVER (PARTITION BY order_id ORDER BY __row))
                   ::INTEGER AS line_no,
               product_id, quantity::INTEGER AS quantity, unit_price, amount, __row
        FROM staged s"""
    if kind == "refunds":
        return f"""
        SELECT {p} AS platform, refund_id, order_id, {key} AS customer_key, requested_at,
               completed_at, kind, reason, coalesce(quality_issue, false) AS quality_issue,
               amount, status, __row
        FROM staged s"""
    if kind == "chats":
        session = (
            f"coalesce(session_id, buyer_key || ':' || "
            f"strftime(timezone('{time_zone}', sent_at), '%Y-%m-%d'))"
        )
        return f"""
        WITH s AS (SELECT *, {key} AS buyer_key FROM staged s)
        SELECT {p} AS platform,
               md5(concat_ws('|', {p}, {session}, strftime(sent_at, '%Y-%m-%dT%H:%M:%S.%f'),
                             sender, coalesce(agent, ''), coalesce(text, ''))) AS message_id,
               {session} AS session_id, buyer_key AS customer_key,
               CASE WHEN sender = 'agent' THEN coalesce(
                   (SELECT agent_id FROM {AGENTS} a WHERE a.name = s.agent), agent) END
                   AS agent_id,
               sender, sent_at, text, __row
        FROM s"""
    if kind == "ratings":
        return f"""
        SELECT {p} AS platform, order_id, {key} AS customer_key, rated_at,
               description::TINYINT AS description, service::TINYINT AS service,
               logistics::TINYINT AS logistics, __row
        FROM staged s"""
    if kind == "reviews":
        return f"""
        SELECT {p} AS platform,
               coalesce(review_id, md5(concat_ws('|', coalesce(order_id, ''),
                   coalesce(product_id, ''), strftime(created_at, '%Y-%m-%dT%H:%M:%S'),
                   coalesce(text, '')))) AS review_id,
               order_id, product_id, {key} AS customer_key, created_at,
               rating::TINYINT AS rating, text, __row
        FROM staged s"""
    if kind == "traffic":
        return f'SELECT {p} AS platform, "date", pv, uv, __row FROM staged s'
    if kind == "products":
        return f"SELECT {p} AS platform, product_id, title, category, price, __row FROM staged s"
    raise ValueError(f"{kind} has no lake table")


BATCH_ROWS = 256_000


def build(
    kind: str,
    table: str,
    staged_path: Path,
    keys: pa.Table,
    platform: str,
    time_zone: str,
    agents: dict[str, str] | None = None,
    known: dict[str, KnownValues] | None = None,
) -> Iterator[pa.RecordBatch]:
    """The lake rows for ``table`` from the staged file, streamed in batches; ``keys`` maps
    buyer → customer_key, ``agents`` an agent's names (nickname, id) → agent id, ``known``
    a customer_key → what the master knows about that customer (masked in free text).

    A key that occurs twice in the file keeps its last row (the newest state), decided here
    in SQL so the rows can stream into the lake without being held in memory.
    """
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    # Imports must run in bounded memory whatever the file size: DuckDB spills beyond this.
    con.execute("SET memory_limit = '512MB'")
    con.execute("SET TimeZone = 'UTC'")
    con.register("staged", con.read_parquet(str(staged_path)))
    con.register(KEYS, keys)
    roster = agents or {}
    con.register(
        AGENTS,
        pa.table(
            {
                "name": pa.array(list(roster), pa.string()),
                "agent_id": pa.array(list(roster.values()), pa.string()),
            }
        ),
    )
    rules: dict[str, list[Rule]] = {}
    text_column = FREE_TEXT.get(kind)
    if text_column is not None:
        for key, values in (known or {}).items():
            if customer_rules := rules_for(values):
                rules[key] = customer_rules
        needles = [(key, r.needle) for key, found in rules.items() for r in found]
        con.register(
            KNOWN,
            pa.table(
                {
                    "customer_key": pa.array([k for k, _n in needles], pa.string()),
                    "needle": pa.array([n for _k, n in needles], pa.string()),
                }
            ),
        )
    natural = ", ".join(f'"{k}"' for k in spec(table).key)
    sql = (
        f"SELECT * EXCLUDE (__row) FROM ({_sql(kind, platform, time_zone)}) "
        f"QUALIFY row_number() OVER (PARTITION BY {natural} ORDER BY __row DESC) = 1"
    )
    if text_column is not None and rules:
        # A cheap test in the engine (folded text contains a folded value); only the rows
        # that pass it are masked value by value in Python.
        wide, narrow = (FOLD_SQL_FROM.replace("'", "''"), FOLD_SQL_TO.replace("'", "''"))
        folded = (
            f"lower(regexp_replace(translate(q.{text_column}, '{wide}', '{narrow}'), "
            f"'{FOLD_SQL_DROP}', '', 'g'))"
        )
        sql = (
            f"SELECT q.*, EXISTS (SELECT 1 FROM {KNOWN} k WHERE k.customer_key = q.customer_key "
            f"AND contains({folded}, k.needle)) AS {HIT} FROM ({sql}) q"
        )
    reader = con.sql(sql).fetch_record_batch(BATCH_ROWS)
    schema = spec(table).schema
    for batch in reader:
        if text_column is not None:
            batch = _mask_free_text(batch, text_column, rules)
        yield (
            pa.Table.from_batches([batch]).cast(schema).to_batches()[0] if batch.num_rows else batch
        )


def _mask_free_text(
    batch: pa.RecordBatch, column: str, rules: dict[str, list[Rule]]
) -> pa.RecordBatch:
    index = batch.schema.get_field_index(column)
    texts = batch.column(index)
    if HIT in batch.schema.names:
        hit = batch.column(batch.schema.get_field_index(HIT)).to_pylist()
        if any(hit):
            keys = batch.column(batch.schema.get_field_index("customer_key")).to_pylist()
            values = texts.to_pylist()
            for row, found in enumerate(hit):
                if found:
                    values[row] = mask_known(values[row], rules[keys[row]])
            texts = pa.array(values, pa.string())
        batch = batch.drop_columns([HIT])
    return batch.set_column(index, column, mask_text(texts))


def build_table(*args: Any, **kwargs: Any) -> pa.Table:
    """All of ``build``'s rows as one table (tests, small files)."""
    batches = list(build(*args, **kwargs))
    table = args[1] if len(args) > 1 else kwargs["table"]
    return pa.Table.from_batches(batches, schema=spec(table).schema)
