"""Store figures on hand-computed rows. Days are Asia/Shanghai days (UTC+8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.store import store_daily, store_figures

TZ = "Asia/Shanghai"
UTC = dt.UTC


def utc(text: str) -> dt.datetime:
    """A Shanghai local time given as text, as a UTC datetime."""
    local = dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return local.astimezone(UTC)


def _orders(rows: list[tuple[str, str, str, str | None, str]]) -> pa.Table:
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


def _messages(rows: list[tuple[str, str, str]]) -> pa.Table:
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


def _refunds(rows: list[tuple[str, str]]) -> pa.Table:
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


def _shop(lake: Lake) -> None:
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
        _orders(
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
        _messages(
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
    lake.write("refunds", _refunds([("o1", "2024-06-17 12:00:00"), ("o9", "2024-06-19 01:00:00")]))


def test_visit_depths_of_seed_004_table_2(lake: Lake) -> None:
    _shop(lake)
    depths = []
    for day in (dt.date(2024, 6, 18), dt.date(2024, 6, 17), dt.date(2024, 6, 16)):
        figures = _figures(lake, Period(day, day))
        depths.append(figures.visit_depth)
    # 1427/610 = 2.339… → 2.34; 1045/553 = 1.889… → 1.89; 648/400 = 1.62
    assert depths == [Decimal("2.34"), Decimal("1.89"), Decimal("1.62")]


def _figures(lake: Lake, period: Period):  # type: ignore[no-untyped-def]
    return store_figures(
        traffic=lake.table("traffic_daily"),
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        chat_messages=lake.table("chat_messages"),
        period=period,
        time_zone=TZ,
        arrow=lake.arrow,
    )


def test_store_figures_for_two_days(lake: Lake) -> None:
    _shop(lake)
    f = _figures(lake, Period(dt.date(2024, 6, 17), dt.date(2024, 6, 18)))
    # PV 1045 + 1427 = 2472; UV 553 + 610 = 1163; depth 2472/1163 = 2.1255… → 2.13
    assert (f.pv, f.uv, f.visit_depth) == (2472, 1163, Decimal("2.13"))
    # consulting: c1 (17th) and c2 (18th 00:10 local); c3 only received agent messages
    assert f.consulting_customers == 2
    assert f.consult_rate == Decimal("0.0017")  # 2/1163 = 0.00171…
    # paid in period: o1, o2 (c1) and o3 (c2, paid 00:30 local on the 18th)
    assert (f.orders_paid, f.paying_customers) == (3, 2)
    assert f.paid_amount == Decimal("230.50")  # 100.00 + 50.50 + 80.00
    assert f.aov == Decimal("115.25")  # 230.50 / 2
    assert f.conversion_rate == Decimal("0.0017")  # 2/1163
    # one refund requested on the 17th; the one on the 19th is outside
    assert f.refunds_requested == 1
    assert f.refund_rate == Decimal("0.3333")  # 1/3


def test_store_daily_puts_events_on_local_days(lake: Lake) -> None:
    _shop(lake)
    period = Period(dt.date(2024, 6, 16), dt.date(2024, 6, 18))
    daily = lake.arrow(
        store_daily(
            traffic=lake.table("traffic_daily"),
            orders=lake.table("orders"),
            chat_messages=lake.table("chat_messages"),
            period=period,
            time_zone=TZ,
        )
    )
    rows = [
        (r["day"], r["pv"], r["uv"], r["consulting_customers"], r["paying_customers"],
         r["paid_amount"])
        for r in daily.to_pylist()
    ]
    assert rows == [
        (dt.date(2024, 6, 16), 648, 400, 1, 0, Decimal("0")),
        (dt.date(2024, 6, 17), 1045, 553, 1, 1, Decimal("150.50")),
        (dt.date(2024, 6, 18), 1427, 610, 1, 1, Decimal("80.00")),
    ]


def test_period_without_data_says_so(lake: Lake) -> None:
    f = _figures(lake, Period(dt.date(2030, 1, 1), dt.date(2030, 1, 31)))
    assert not f.has_data
    assert (f.visit_depth, f.consult_rate, f.aov, f.conversion_rate, f.refund_rate) == (
        None, None, None, None, None)
