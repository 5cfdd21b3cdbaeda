"""The primitive issue 4's speed target was set from, on this machine: mean first response
time over 10M synthetic chat messages, DuckDB against pandas.

The issue quotes "DuckDB first-response 0.37 s vs pandas 1.9 s" (5.1×). Running the same
computation here, with DuckDB on one thread and on all cores, shows how much of that ratio
comes from the number of cores: pandas runs on one core whatever the machine.

First response of a session = its first agent message at or after its first customer
message, minus that customer message; the figure is the mean over sessions with one.
"""

from __future__ import annotations

from typing import Any

MESSAGES = 10_000_000
SESSIONS = 1_000_000

_data: dict[str, Any] = {}


def _frame() -> Any:
    import numpy as np
    import pandas as pd

    # Sessions start anywhere in 2025; their messages fall in the 30 minutes after the start.
    rng = np.random.default_rng(2026)
    year = np.datetime64("2025-01-01T00:00:00", "us").astype("int64")
    starts = year + rng.integers(0, 365 * 86_400 * 10**6, SESSIONS)
    session = rng.integers(0, SESSIONS, MESSAGES)
    at = starts[session] + rng.integers(0, 1_800 * 10**6, MESSAGES)
    return pd.DataFrame(
        {
            "session_id": session,
            "sent_at": pd.to_datetime(at, unit="us"),
            "sender": np.where(rng.random(MESSAGES) < 0.5, "customer", "agent"),
        }
    )


def setup_pandas() -> None:
    _data["frame"] = _frame()


def _setup_duckdb(threads: int) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    frame = _frame()
    con.register("frame", frame)
    con.execute("CREATE TABLE messages AS SELECT * FROM frame")
    con.unregister("frame")
    _data["con"] = con


def setup_duckdb_one_thread() -> None:
    _setup_duckdb(1)


def setup_duckdb_all_cores() -> None:
    import os

    _setup_duckdb(os.cpu_count() or 1)


def run_pandas() -> float:
    m = _data["frame"]
    first_customer = m[m.sender == "customer"].groupby("session_id").sent_at.min()
    agents = m[m.sender == "agent"][["session_id", "sent_at"]]
    agents = agents.merge(first_customer.rename("asked_at"), left_on="session_id", right_index=True)
    replies = agents[agents.sent_at >= agents.asked_at]
    first = replies.groupby("session_id").agg(reply=("sent_at", "min"), asked=("asked_at", "min"))
    waits = (first.reply - first.asked).to_numpy().astype("int64")
    return round(float(waits.mean()) / 1e6, 3)


def run_duckdb() -> float:
    row = (
        _data["con"]
        .execute(
            """
            WITH asked AS (
                SELECT session_id, min(sent_at) AS asked_at FROM messages
                WHERE sender = 'customer' GROUP BY session_id
            ), first AS (
                SELECT m.session_id, min(m.sent_at) AS reply, any_value(a.asked_at) AS asked
                FROM messages m JOIN asked a USING (session_id)
                WHERE m.sender = 'agent' AND m.sent_at >= a.asked_at
                GROUP BY m.session_id
            )
            SELECT avg(epoch_us(reply) - epoch_us(asked)) FROM first
            """
        )
        .fetchone()
    )
    assert row is not None
    return round(float(row[0]) / 1e6, 3)
