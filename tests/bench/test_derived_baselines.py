"""The derived-table benchmark's baselines do the product's work: the hand-written SQL over
the derived tables gives the report the product counts from them, and the hand-written SQL
build writes the rows ``Derived.rebuild`` writes — or the benchmark's ratios would compare
different work.

Checked on the hand-made rows of the metric tests (stages, attribution, returns; rounds,
transfers, system messages; the platform rules' Pinduoduo and Douyin chats) and on the
small demo shop.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bench import agents_derived_sql, derived, derived_build_sql
from guanxi import demo
from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.agents import report_series
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.facts import for_agents
from tests.factories import chats_table
from tests.metrics import test_attribution, test_chat, test_platform_rules

TZ = "Asia/Shanghai"


def _both(lake: Lake, period: Period) -> tuple[list[Any], list[Any]]:
    """The product's report from the derived tables, and the hand SQL's."""
    lake.derived.rebuild(TZ, AttributionRules())
    product = report_series(
        for_agents(lake.derived.facts()),
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        periods=[period],
        time_zone=TZ,
        arrow=lake.arrow,
    )[0]
    sql = agents_derived_sql.report(agents_derived_sql.derived_files(lake), period, TZ)
    return product, sql


def _same_build(lake: Lake, out: Path) -> dict[str, tuple[int, int]]:
    """The SQL build's tables equal the rebuild's (row counts and a hash of every row)."""
    lake.derived.rebuild(TZ, AttributionRules())
    files = {name: lake.files(name) for name in ("chat_messages", "orders")}
    counts = derived_build_sql.build(files, out, TZ)
    built = derived.derived_fingerprints(lake.root)
    assert derived.sql_fingerprints(out) == built
    assert counts == {fact: rows for fact, (rows, _) in built.items()}
    return built


shop = test_attribution.shop
chats = test_chat.chats

PERIODS = [
    Period(dt.date(2024, 6, 18), dt.date(2024, 6, 18)),
    Period(dt.date(2024, 6, 15), dt.date(2024, 6, 19)),
    Period(dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
]


@pytest.mark.parametrize("rows", ["shop", "chats"])
@pytest.mark.parametrize("period", PERIODS)
def test_report_sql_matches_on_hand_made_rows(
    request: pytest.FixtureRequest, rows: str, period: Period
) -> None:
    lake = request.getfixturevalue(rows)
    product, sql = _both(lake, period)
    assert product, "the hand-made rows give every period here some agent"
    assert sql == product


@pytest.mark.parametrize("platform", ["pdd", "douyin"])
def test_report_sql_counts_the_platform_rules(lake: Lake, platform: str) -> None:
    lake.write("chat_messages", chats_table(test_platform_rules.CHATS, platform=platform))
    product, sql = _both(lake, PERIODS[0])
    rates = [r.pdd_effective_reply_rate or r.douyin_three_minute_rate for r in product]
    assert all(rates) and len(rates) == 2  # kf1 and kf2 have a rate
    assert sql == product


@pytest.mark.parametrize("rows", ["shop", "chats"])
def test_sql_build_matches_on_hand_made_rows(
    request: pytest.FixtureRequest, rows: str, tmp_path: Path
) -> None:
    lake = request.getfixturevalue(rows)
    built = _same_build(lake, tmp_path / "sql")
    assert built["sessions"][0] and built["rounds"][0]


def test_sql_build_matches_douyin_waits(lake: Lake, tmp_path: Path) -> None:
    lake.write("chat_messages", chats_table(test_platform_rules.CHATS, platform="douyin"))
    assert _same_build(lake, tmp_path / "sql")["douyin_waits"][0] == 8  # every customer message


@pytest.fixture(scope="module")
def demo_lake(django_db_setup, django_db_blocker, tmp_path_factory) -> Lake:
    from guanxi.accounts.models import Agent
    from guanxi.customers.models import Customer, Tag

    with django_db_blocker.unblock():
        lake = Lake(Path(tmp_path_factory.mktemp("derived-demo")) / "lake")
        demo.build("small", 5, lake)
        Customer.objects.all().delete()
        Tag.objects.all().delete()
        Agent.objects.all().delete()  # the demo's roster, teams and rotas
    return lake


@pytest.mark.django_db  # the test database exists only for these; the demo writes customers
@pytest.mark.parametrize(
    "period",
    [
        Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
        Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_report_sql_matches_on_the_small_demo(demo_lake: Lake, period: Period) -> None:
    product, sql = _both(demo_lake, period)
    assert len(product) >= 3 and any(r.sales_amount for r in product)
    assert sql == product


@pytest.mark.django_db
def test_sql_build_matches_on_the_small_demo(demo_lake: Lake, tmp_path: Path) -> None:
    built = _same_build(demo_lake, tmp_path / "sql")
    assert built["attribution"][0] > 100
