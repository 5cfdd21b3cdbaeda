"""The benchmark's baselines compute the product's agent report: same figures, or the
benchmark's ratios would compare different work.

The pandas and hand-written SQL implementations in ``bench/`` run against
``guanxi.metrics.agents.agent_reports`` on the hand-made rows of the metric tests (whose
figures are checked by hand there) and on the small demo shop.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bench import agents_pandas, agents_sql
from guanxi import demo
from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.metrics.agents import PLATFORM_KEYS, agent_reports, assemble
from tests.metrics import test_attribution, test_chat

TZ = "Asia/Shanghai"


def _all_three(lake: Lake, period: Period) -> tuple[list[Any], list[Any], list[Any]]:
    reports = agent_reports(
        chat_messages=lake.table("chat_messages"),
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        period=period,
        time_zone=TZ,
        arrow=lake.arrow,
    )
    # The baselines leave out the platform reply rules (tested in test_platform_rules.py).
    assert PLATFORM_KEYS == ("pdd_effective_reply_rate", "douyin_three_minute_rate")
    reports = [
        dataclasses.replace(r, pdd_effective_reply_rate=None, douyin_three_minute_rate=None)
        for r in reports
    ]
    files = {name: lake.files(name) for name in ("chat_messages", "orders", "refunds")}
    pandas = assemble(*agents_pandas.counts(files, period, TZ))
    sql = assemble(*agents_sql.counts(files, period, TZ))
    return reports, pandas, sql


# The metric tests' fixtures, used here by name: ``shop`` (stages, attribution, returns)
# and ``chats`` (rounds, transfers, system messages, a session opened by an agent).
shop = test_attribution.shop
chats = test_chat.chats


@pytest.mark.parametrize("rows", ["shop", "chats"])
@pytest.mark.parametrize(
    "period",
    [
        Period(dt.date(2024, 6, 18), dt.date(2024, 6, 18)),
        Period(dt.date(2024, 6, 15), dt.date(2024, 6, 19)),
        Period(dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
    ],
)
def test_baselines_match_on_hand_made_rows(
    request: pytest.FixtureRequest, rows: str, period: Period
) -> None:
    lake = request.getfixturevalue(rows)
    reports, pandas, sql = _all_three(lake, period)
    assert reports, "the hand-made rows give every period here some agent"
    assert pandas == reports
    assert sql == reports


@pytest.fixture(scope="module")
def demo_lake(django_db_setup, django_db_blocker, tmp_path_factory) -> Lake:
    from guanxi.accounts.models import Agent
    from guanxi.customers.models import Customer, Tag

    with django_db_blocker.unblock():
        lake = Lake(Path(tmp_path_factory.mktemp("agents-demo")) / "lake")
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
def test_baselines_match_on_the_small_demo(demo_lake: Lake, period: Period) -> None:
    reports, pandas, sql = _all_three(demo_lake, period)
    assert len(reports) >= 3 and any(r.sales_amount for r in reports)
    assert pandas == reports
    assert sql == reports
