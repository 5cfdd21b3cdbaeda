"""One definition per name: where the store overview and the agent page's shop row show a
figure under the same Chinese label, they show the same number (issue 12 item 11)."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi import demo
from guanxi.core.timeutil import Period, month_period
from guanxi.lake import Lake
from guanxi.metrics.agents import AGENT_METRICS
from guanxi.metrics.store import METRICS
from guanxi.performance import selectors as agent_selectors
from guanxi.store import selectors as store_selectors

pytestmark = pytest.mark.django_db


def test_the_shop_row_and_the_store_overview_agree_on_every_shared_label(lake: Lake) -> None:
    demo.build("small", 11, lake)
    store_names = {m.name_zh: m.key for m in METRICS}
    shared = {
        m.name_zh: (store_names[m.name_zh], m.key)
        for m in AGENT_METRICS
        if m.name_zh in store_names
    }
    # 客单价 is the store's (paid amount ÷ paying customers); the agents' is 客服客单价
    # (attributed sales ÷ their buyers), a different figure under its own name.
    assert set(shared) == {"咨询人数"}
    periods = [month_period(2025, month) for month in range(1, 13)]
    periods.append(Period(dt.date(2025, 11, 10), dt.date(2025, 11, 16)))
    series = agent_selectors.unit_series(periods, "shop")
    for period, (shop_row,) in zip(periods, series, strict=True):
        figures = store_selectors.store_period_figures(period)
        for label, (store_key, agent_key) in shared.items():
            store_value = getattr(figures, store_key)
            assert store_value > 0, (period, label)
            assert getattr(shop_row, agent_key) == store_value, (period, label)
