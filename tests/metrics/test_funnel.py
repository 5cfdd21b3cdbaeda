"""The store funnel on the hand-made shop of ``tests.factories.small_shop`` (Shanghai days)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.funnel import store_funnel
from guanxi.metrics.store import store_figures
from tests.factories import small_shop

TZ = "Asia/Shanghai"


def _funnel(lake: Lake, period: Period):
    return store_funnel(
        traffic=lake.table("traffic_daily"),
        orders=lake.table("orders"),
        chat_messages=lake.table("chat_messages"),
        period=period,
        time_zone=TZ,
        arrow=lake.arrow,
    )


def test_funnel_of_two_days_by_hand(lake: Lake) -> None:
    small_shop(lake)
    period = Period(dt.date(2024, 6, 17), dt.date(2024, 6, 18))
    funnel = _funnel(lake, period)
    # UV 553 + 610 = 1163; consulting c1, c2; ordering (created 17th–18th) o1, o2 c1, o3 c2
    # (23:50 on the 17th), o4 c3 (never paid) → c1, c2, c3; paying o1, o2 c1 and o3 c2.
    assert [(s.key, s.count) for s in funnel.steps] == [
        ("uv", 1163),
        ("consulting_customers", 2),
        ("ordering_customers", 3),
        ("paying_customers", 2),
    ]
    # step: —, 2/1163 = 0.00171…, 3/2 (c3 ordered without asking: a silent buyer), 2/3
    assert [s.step_rate for s in funnel.steps] == [
        None,
        Decimal("0.0017"),
        Decimal("1.5000"),
        Decimal("0.6667"),
    ]
    # overall ÷ UV: 1, 2/1163, 3/1163 = 0.002579… → 0.0026, 2/1163
    assert [s.overall_rate for s in funnel.steps] == [
        Decimal("1.0000"),
        Decimal("0.0017"),
        Decimal("0.0026"),
        Decimal("0.0017"),
    ]
    # The funnel agrees with the store figures: 咨询率 and 成交转化率 are its overall rates.
    store = store_figures(
        traffic=lake.table("traffic_daily"),
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        chat_messages=lake.table("chat_messages"),
        period=period,
        time_zone=TZ,
        arrow=lake.arrow,
    )
    assert funnel.count("uv") == store.uv
    assert funnel.count("consulting_customers") == store.consulting_customers
    assert funnel.count("paying_customers") == store.paying_customers
    assert funnel.steps[1].overall_rate == store.consult_rate
    assert funnel.steps[3].overall_rate == store.conversion_rate


def test_one_day_puts_orders_on_their_local_day(lake: Lake) -> None:
    small_shop(lake)
    funnel = _funnel(lake, Period(dt.date(2024, 6, 18), dt.date(2024, 6, 18)))
    # 18th: UV 610; c2 asked at 00:10; only o4 (c3) was created that day (o3 at 23:50 on
    # the 17th); o3 was paid at 00:30 on the 18th → c2 pays.
    assert [s.count for s in funnel.steps] == [610, 1, 1, 1]
    assert [s.step_rate for s in funnel.steps] == [
        None,
        Decimal("0.0016"),
        Decimal("1.0000"),
        Decimal("1.0000"),
    ]


def test_empty_period_has_no_rates(lake: Lake) -> None:
    small_shop(lake)
    funnel = _funnel(lake, Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    assert not funnel.has_data
    assert [s.count for s in funnel.steps] == [0, 0, 0, 0]
    assert all(s.step_rate is None and s.overall_rate is None for s in funnel.steps)
