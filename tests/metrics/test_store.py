"""Store figures on hand-computed rows. Days are Asia/Shanghai days (UTC+8)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.store import store_daily, store_figures
from tests.factories import small_shop

TZ = "Asia/Shanghai"


def test_visit_depths_of_seed_004_table_2(lake: Lake) -> None:
    small_shop(lake)
    depths = []
    for day in (dt.date(2024, 6, 18), dt.date(2024, 6, 17), dt.date(2024, 6, 16)):
        figures = _figures(lake, Period(day, day))
        depths.append(figures.visit_depth)
    # 1427/610 = 2.339… → 2.34; 1045/553 = 1.889… → 1.89; 648/400 = 1.62
    assert depths == [Decimal("2.34"), Decimal("1.89"), Decimal("1.62")]


def _figures(lake: Lake, period: Period):
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
    small_shop(lake)
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
    small_shop(lake)
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
        (
            r["day"],
            r["pv"],
            r["uv"],
            r["consulting_customers"],
            r["paying_customers"],
            r["paid_amount"],
        )
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
        None,
        None,
        None,
        None,
        None,
    )
