"""The figure cache: a page's figures are counted once per state of the lake and of the
settings they depend on, read back after that, and counted again whenever either changes —
never a stale figure. Counting ahead after a refresh fills it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings
from django.test import override_settings

from guanxi.accounts.models import Agent
from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics import agents as agent_metrics
from guanxi.performance import figure_cache, figure_warmup, shop_settings
from guanxi.performance import selectors as agent_selectors
from guanxi.store import selectors as store_selectors
from tests.factories import chats_table, small_shop

DAY = Period(dt.date(2024, 6, 17), dt.date(2024, 6, 17))
pytestmark = pytest.mark.django_db


def _refresh(lake: Lake) -> None:
    lake.derived.refresh(settings.TIME_ZONE, shop_settings.attribution_rules())


@pytest.fixture
def shop(lake: Lake) -> Lake:
    small_shop(lake)
    _refresh(lake)
    return lake


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many periods the report code was asked to count (cache misses)."""
    calls: list[int] = []
    real = agent_metrics.report_series

    def counting(*args, **kwargs):
        calls.append(len(kwargs["periods"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(agent_selectors, "report_series", counting)
    return calls


def _entries() -> list[Path]:
    return sorted(figure_cache.root().rglob("*.pickle"))


def test_counted_once_then_read_back(shop: Lake, counted: list[int]) -> None:
    first = agent_selectors.unit_series([DAY], "agent")
    again = agent_selectors.unit_series([DAY], "agent")
    assert again == first and counted == [1]
    assert first[0][0].consulting_customers == 1  # c1 on the 17th (c3 only got a message)
    # A month and the day before it: the day is read, only the new period counted.
    before = Period(dt.date(2024, 6, 16), dt.date(2024, 6, 16))
    agent_selectors.unit_series([DAY, before], "agent")
    assert counted == [1, 1]
    assert len(_entries()) == 2


def test_an_import_is_a_new_state(shop: Lake, counted: list[int]) -> None:
    (before,) = agent_selectors.unit_series([DAY], "shop")
    later = chats_table([("s9", "c9", "customer", None, "2024-06-17 15:00:00")])
    shop.write("chat_messages", later.set_column(1, "message_id", pa.array(["m-late"])))
    _refresh(shop)
    (after,) = agent_selectors.unit_series([DAY], "shop")
    assert after[0].consulting_customers == before[0].consulting_customers + 1
    assert counted == [1, 1]
    # The entries of the earlier state are gone once the new state keeps its first one.
    assert len(list(figure_cache.root().iterdir())) == 1


def test_settings_the_figures_depend_on_are_part_of_the_key(shop: Lake, counted: list[int]) -> None:
    Agent.objects.create(agent_id="kf1", name="小美", team="售前")
    (teams,) = agent_selectors.unit_series([DAY], "team")
    assert [r.unit for r in teams] == ["售前"]
    Agent.objects.filter(agent_id="kf1").update(team="售后")
    (teams,) = agent_selectors.unit_series([DAY], "team")
    assert [r.unit for r in teams] == ["售后"]  # not the cached 售前
    current = shop_settings.current()
    current.slow_seconds = 10
    current.save()
    (agents,) = agent_selectors.unit_series([DAY], "agent")
    # kf1 answered c1 after 20 s: slow against 10 s, and counted anew (not the cached row).
    assert agents[0].slow_response_customers == 1
    assert counted == [1, 1, 1]


def test_raw_path_is_never_cached(shop: Lake, counted: list[int]) -> None:
    shop.write(
        "chat_messages",
        chats_table([("s8", "c8", "customer", None, "2024-06-17 16:00:00")]).set_column(
            1, "message_id", pa.array(["m-raw"])
        ),
    )  # no refresh: the derived tables are behind, the raw path counts
    agent_selectors.unit_series([DAY], "shop")
    assert counted == [] and _entries() == []


def test_store_figures_follow_the_lake(shop: Lake) -> None:
    first = store_selectors.store_period_figures(DAY)
    assert store_selectors.store_period_figures(DAY) == first
    assert len(_entries()) == 1
    shop.write(
        "traffic_daily",
        pa.table({"platform": ["taobao"], "date": [dt.date(2024, 6, 17)], "pv": [1], "uv": [1]}),
    )
    assert store_selectors.store_period_figures(DAY).uv == 1  # the row replaced: new state


def test_clear_and_disabled(shop: Lake, counted: list[int]) -> None:
    agent_selectors.unit_series([DAY], "agent")
    figure_cache.clear()
    assert _entries() == []
    with override_settings(GUANXI_FIGURE_CACHE=False):
        agent_selectors.unit_series([DAY], "agent")
        agent_selectors.unit_series([DAY], "agent")
    assert counted == [1, 1, 1] and _entries() == []


def test_an_unreadable_entry_is_counted_again(shop: Lake, counted: list[int]) -> None:
    (expected,) = agent_selectors.unit_series([DAY], "agent")
    (entry,) = _entries()
    entry.write_bytes(b"half a pickle")
    (again,) = agent_selectors.unit_series([DAY], "agent")
    assert again == expected and counted == [1, 1]


def test_warming_counts_the_usual_pages_ahead(shop: Lake, counted: list[int]) -> None:
    Agent.objects.create(agent_id="kf1", name="小美", team="售前")
    done = figure_warmup.warm(dt.date(2024, 6, 30))
    names = [name for name, _seconds in done]
    assert names[0].startswith("agents 2024-06-01") and any("agent kf1" in n for n in names)
    calls = len(counted)
    # The agents page of the latest month, its trend by day and the agent's figures are read.
    table = agent_selectors.agent_table(
        store_selectors.default_period(dt.date(2024, 6, 30)),
        with_previous=True,
        with_shop=True,
    )
    series = agent_selectors.period_series(
        Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), "day", "agent"
    )
    assert len(counted) == calls
    assert table.rows[0].unit == "kf1" and table.shop is not None
    # What was counted ahead is what counting now gives.
    with override_settings(GUANXI_FIGURE_CACHE=False):
        fresh = agent_selectors.period_series(
            Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), "day", "agent"
        )
    assert series == fresh
    june_17 = next(reports for part, reports in series if part == DAY)
    assert june_17[0].sales_amount == Decimal("150.50")  # o1 100.00 + o2 50.50, kf1's


def test_entries_hold_no_personal_text(shop: Lake) -> None:
    figure_warmup.warm(dt.date(2024, 6, 30))
    for entry in _entries():
        data = entry.read_bytes()
        assert "小美".encode() not in data


def test_the_refresh_task_counts_ahead_when_asked(lake: Lake) -> None:
    from guanxi.imports import tasks

    small_shop(lake)
    with override_settings(GUANXI_WARM_FIGURES=False):
        tasks.refresh_derived.call()
    assert _entries() == []
    later = chats_table([("s7", "c7", "customer", None, "2024-06-18 15:00:00")])
    lake.write("chat_messages", later.set_column(1, "message_id", pa.array(["m-7"])))
    with override_settings(GUANXI_WARM_FIGURES=True):
        tasks.refresh_derived.call()
    assert len(_entries()) > 10  # the month's tables, the store, the year's trends …
