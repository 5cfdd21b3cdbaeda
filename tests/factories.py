"""Small hand-made lake rows for tests. Times are given as Asia/Shanghai local text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.agents import AgentReport, agent_report_series

UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    """A Shanghai local time given as text, as a UTC datetime."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return local.astimezone(UTC)


def orders_table(rows: list[tuple[str, str, str, str | None, str]]) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "platform": ["taobao"] * n,
            "order_id": [r[0] for r in rows],
            "customer_key": [r[1] for r in rows],
            "created_at": [utc(r[2]) for r in rows],
            "paid_at": [utc(r[3]) if r[3] else None for r in rows],
            "shipped_at": [None] * n,
            "signed_at": [None] * n,
            "closed_at": [None] * n,
            "status": ["paid" if r[3] else "created" for r in rows],
            "amount": [Decimal(r[4]) for r in rows],
            "item_count": [1] * n,
        }
    )


def messages_table(rows: list[tuple[str, str, str]]) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "platform": ["taobao"] * n,
            "message_id": [f"m{i}" for i in range(n)],
            "session_id": [f"s-{r[0]}" for r in rows],
            "customer_key": [r[0] for r in rows],
            "agent_id": [None if r[1] == "customer" else "kf1" for r in rows],
            "sender": [r[1] for r in rows],
            "sent_at": [utc(r[2]) for r in rows],
            "text": ["在吗"] * n,
        }
    )


def chats_table(
    rows: Sequence[tuple[str, str | None, str, str | None, str]],
    text: str = "…",
    platform: str = "taobao",
) -> pa.Table:
    """Chat messages from (session, customer, sender, agent, Shanghai time) rows; message ids
    m00, m01, … in row order."""
    n = len(rows)
    return pa.table(
        {
            "platform": [platform] * n,
            "message_id": [f"m{i:02d}" for i in range(n)],
            "session_id": [r[0] for r in rows],
            "customer_key": [r[1] for r in rows],
            "agent_id": [r[3] for r in rows],
            "sender": [r[2] for r in rows],
            "sent_at": [utc(r[4]) for r in rows],
            "text": [text] * n,
        }
    )


def refunds_table(rows: list[tuple[str, str]]) -> pa.Table:
    n = len(rows)
    return pa.table(
        {
            "platform": ["taobao"] * n,
            "refund_id": [f"r{i}" for i in range(n)],
            "order_id": [r[0] for r in rows],
            "customer_key": ["c1"] * n,
            "requested_at": [utc(r[1]) for r in rows],
            "completed_at": [None] * n,
            "kind": ["refund_only"] * n,
            "reason": ["不想要了"] * n,
            "quality_issue": [False] * n,
            "amount": [Decimal("10.00")] * n,
            "status": ["processing"] * n,
        }
    )


def small_shop(lake: Lake) -> None:
    # The three days of [004] table 2 as 2024-06-16..18 (上周同期, 昨日, 今日).
    lake.write(
        "traffic_daily",
        pa.table(
            {
                "platform": ["taobao"] * 3,
                "date": [dt.date(2024, 6, 16), dt.date(2024, 6, 17), dt.date(2024, 6, 18)],
                "pv": [648, 1045, 1427],
                "uv": [400, 553, 610],
            }
        ),
    )
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c1", "2024-06-17 10:00:00", "2024-06-17 10:05:00", "100.00"),
                ("o2", "c1", "2024-06-17 20:00:00", "2024-06-17 20:01:00", "50.50"),
                # paid 00:30 local on the 18th = 16:30 UTC on the 17th: counts on the 18th
                ("o3", "c2", "2024-06-17 23:50:00", "2024-06-18 00:30:00", "80.00"),
                ("o4", "c3", "2024-06-18 09:00:00", None, "60.00"),  # never paid
                ("o5", "c4", "2024-06-15 23:59:59", "2024-06-15 23:59:59", "999.00"),  # before
            ]
        ),
    )
    lake.write(
        "chat_messages",
        messages_table(
            [
                ("c1", "customer", "2024-06-17 09:00:00"),
                ("c1", "agent", "2024-06-17 09:00:20"),
                ("c1", "customer", "2024-06-17 09:01:00"),  # same customer again
                ("c2", "customer", "2024-06-18 00:10:00"),
                ("c3", "agent", "2024-06-17 12:00:00"),  # agent only: not consulting
                ("c5", "customer", "2024-06-16 08:00:00"),
                ("c6", "customer", "2024-06-19 00:00:00"),  # after the period
            ]
        ),
    )
    lake.write(
        "refunds", refunds_table([("o1", "2024-06-17 12:00:00"), ("o9", "2024-06-19 01:00:00")])
    )


def reports_by_agent(lake: Lake, period: Period, **options: Any) -> dict[str, AgentReport]:
    """The agent report of ``lake``'s tables for ``period`` (Shanghai days), by agent id;
    ``options`` go to ``agent_report_series`` (rules, schedules)."""
    (reports,) = report_series(lake, [period], **options)
    return {r.unit: r for r in reports}


def report_series(
    lake: Lake,
    periods: list[Period],
    chat_messages: ibis.Table | None = None,
    **options: Any,
) -> list[list[AgentReport]]:
    """The agent reports of ``lake``'s tables for each of ``periods`` (Shanghai days), on
    ``chat_messages`` when given (e.g. relabelled to teams)."""
    return agent_report_series(
        chat_messages=lake.table("chat_messages") if chat_messages is None else chat_messages,
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        periods=periods,
        time_zone="Asia/Shanghai",
        arrow=lake.arrow,
        **options,
    )


def login(
    client: Any,
    make_user: Any,
    role: str = "manager",
    agent_id: str = "",
    username: str | None = None,
) -> None:
    """Sign ``client`` in as a new user of ``role`` (an agent with ``agent_id``)."""
    user = make_user(role, username=username, agent_id=agent_id)
    assert client.login(username=user.username, password=user.password)
