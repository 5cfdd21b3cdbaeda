"""The derived tables give every report exactly what the raw path gives — on each engine.

Each hand-made shop of the metric tests (and the seed's worked example) is written to the
lake, the derived tables are built, and every agent report (agents, teams, the shop; a
month, the one before, each day) and every agent-detail figure is computed both ways: from
the derived tables (``report_series`` over ``Derived.facts()``) and from the raw messages
(``agent_report_series``, the reference). They must be equal, figure for figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from guanxi.core.timeutil import Period, buckets, month_period
from guanxi.lake import Lake
from guanxi.metrics import agent_detail, agents
from guanxi.metrics.attribution import AttributionRules
from guanxi.metrics.facts import NO_TEAM, SHOP, ChatFacts, for_agents, in_units
from guanxi.metrics.period_counts import facts_from_raw
from tests.factories import chats_table, orders_table
from tests.metrics import test_agent_detail, test_platform_rules, test_seed_example
from tests.metrics import test_units_and_series as units_shop

TZ = "Asia/Shanghai"
RULES = AttributionRules()


def _units(lake: Lake) -> None:
    lake.write("chat_messages", chats_table(units_shop.CHATS))
    lake.write("orders", orders_table(units_shop.ORDERS))


def _pdd(lake: Lake) -> None:
    lake.write("chat_messages", chats_table(test_platform_rules.CHATS, platform="pdd"))


def _douyin(lake: Lake) -> None:
    lake.write("chat_messages", chats_table(test_platform_rules.CHATS, platform="douyin"))


UNNAMED = [  # agent messages without an agent: the shop's, never an agent's
    ("u1", "c1", "customer", None, "2024-06-18 09:00:00"),
    ("u1", "c1", "agent", None, "2024-06-18 09:00:30"),
    ("u1", "c1", "customer", None, "2024-06-18 09:05:00"),
    ("u1", "c1", "agent", "kf1", "2024-06-18 09:06:00"),
    ("u1", "c1", "customer", None, "2024-06-18 09:20:00"),
    ("u1", "c1", "agent", None, "2024-06-18 09:21:00"),
    ("u2", "c2", "customer", None, "2024-06-18 10:00:00"),
    ("u2", "c2", "agent", None, "2024-06-18 10:01:00"),
    ("u3", None, "customer", None, "2024-06-18 11:00:00"),
    ("u3", None, "agent", "kf2", "2024-06-18 11:00:05"),
]


def _unnamed(lake: Lake) -> None:
    lake.write("chat_messages", chats_table(UNNAMED))
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c1", "2024-06-18 12:00:00", "2024-06-18 12:05:00", "30.00"),
                ("o2", "c2", "2024-06-18 12:00:00", None, "10.00"),
            ]
        ),
    )


SHOPS: dict[str, Callable[[Lake], object]] = {
    "units": _units,
    "detail": test_agent_detail.write_shop,
    "seed": test_seed_example._write,
    "pdd": _pdd,
    "douyin": _douyin,
    "unnamed": _unnamed,
}


def periods_of(lake: Lake) -> list[Period]:
    """The month of the shop's chats, the month before, and each of its chat days."""
    m = lake.table("chat_messages")
    row = lake.arrow(m.aggregate(first=m.sent_at.min(), last=m.sent_at.max())).to_pylist()[0]
    first = (row["first"] + dt.timedelta(hours=8)).date()
    last = (row["last"] + dt.timedelta(hours=8)).date()
    month = month_period(first.year, first.month)
    return [month, month.previous(), *buckets(Period(first, last), "day")]


def assert_reports_equal(lake: Lake, derived: ChatFacts, teams: dict[str, str]) -> None:
    periods = periods_of(lake)
    common = {
        "orders": lake.table("orders"),
        "refunds": lake.table("refunds"),
        "periods": periods,
        "time_zone": TZ,
        "arrow": lake.arrow,
    }
    raw = lake.table("chat_messages")
    cases = {
        "agents": (for_agents(derived), raw),
        "teams": (in_units(derived, teams, NO_TEAM), agents.in_units(raw, teams, NO_TEAM)),
        "shop": (in_units(derived, {}, SHOP), agents.in_units(raw, {}, SHOP)),
    }
    for view, (facts, messages) in cases.items():
        got = agents.report_series(facts, **common)
        want = agents.agent_report_series(chat_messages=messages, **common)
        assert got == want, view
        assert any(got), view  # the shop has figures: the comparison is not vacuous


def assert_details_equal(lake: Lake, derived: ChatFacts) -> None:
    period = periods_of(lake)[0]
    mine, raw = (
        for_agents(derived),
        facts_from_raw(lake.table("chat_messages"), lake.table("orders"), period, TZ),
    )
    spoke = lake.arrow(mine.session_agents.select("agent_id").distinct()).to_pylist()
    for agent in sorted(r["agent_id"] for r in spoke):
        for facts_a, facts_b in [(mine, raw)]:
            days = [
                agent_detail.agent_days(
                    lake.arrow,
                    facts=f,
                    orders=lake.table("orders"),
                    period=period,
                    time_zone=TZ,
                    agent_id=agent,
                )
                for f in (facts_a, facts_b)
            ]
            assert days[0] == days[1], agent
            assert agent_detail.response_distribution(
                facts_a, period, agent, lake.arrow
            ) == agent_detail.response_distribution(facts_b, period, agent, lake.arrow)
            assert agent_detail.stage_mix(lake.arrow, facts_a, period, agent) == (
                agent_detail.stage_mix(lake.arrow, facts_b, period, agent)
            )
            slowest = [
                lake.arrow(agent_detail.slowest_rounds(f, period, agent, 50)).to_pylist()
                for f in (facts_a, facts_b)
            ]
            assert slowest[0] == slowest[1], agent


SPARK_SHOPS = ("detail", "unnamed")
"""The shops the Spark parity suite checks (every kind of fact; a Spark query takes seconds)."""


@pytest.mark.parametrize(
    ("engine", "name"),
    [("duckdb", name) for name in SHOPS]
    + [pytest.param("pyspark", name, marks=pytest.mark.spark) for name in SPARK_SHOPS],
)
def test_derived_tables_give_the_raw_figures(
    engine: str, name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if engine == "pyspark":
        request.getfixturevalue("spark_session")
    lake = Lake(tmp_path / "lake", engine=engine)
    SHOPS[name](lake)
    state = lake.derived.rebuild(TZ, RULES)
    assert lake.derived.is_fresh(TZ, RULES) and state.mode == "rebuild"
    derived = lake.derived.facts()
    assert_reports_equal(lake, derived, {"kf1": "A", "kf2": "A"})
    if engine == "duckdb":  # the same counts again, per day and agent: DuckDB suffices
        assert_details_equal(lake, derived)


def test_the_fill_state_follows_the_raw_tables(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    _units(lake)
    derived = lake.derived
    assert derived.freshness(TZ, RULES).reason == "missing"
    derived.rebuild(TZ, RULES)
    assert derived.is_fresh(TZ, RULES)
    assert derived.freshness("Asia/Tokyo", RULES).reason == "settings"
    later = AttributionRules(attribution_hours=48)
    assert derived.freshness(TZ, later).reason == "settings"
    # The inquiry windows are applied when counting: they leave the tables current.
    assert derived.is_fresh(TZ, AttributionRules(final_days=5))
    late = chats_table([("z", "c9", "customer", None, "2024-06-20 10:00:00")])
    lake.write("chat_messages", late.set_column(1, "message_id", pa.array(["late"])))
    assert derived.freshness(TZ, RULES).reason == "behind"
    state = derived.refresh(TZ, RULES)
    assert state.mode == "refresh" and state.touched_sessions == 1
    assert derived.is_fresh(TZ, RULES)


def test_an_empty_lake_builds_empty_tables(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    lake.derived.rebuild(TZ, RULES)
    facts = lake.derived.facts()
    assert lake.arrow(facts.sessions.count()).as_py() == 0
    day = Period(dt.date(2024, 6, 18), dt.date(2024, 6, 18))
    reports = agents.report_series(
        for_agents(facts),
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        periods=[day],
        time_zone=TZ,
        arrow=lake.arrow,
    )
    assert reports == [[]]


def test_the_demo_shop_gives_the_same_figures_both_ways(tmp_path: Path, db: None) -> None:
    """The small demo (47k messages, 4 platforms, a year): agents, teams and the shop for
    November, October and each day of a week; the agent detail of two agents. DuckDB only
    (the Spark parity runs use the hand-made shops above)."""
    from guanxi import demo

    lake = Lake(tmp_path / "lake")
    demo.build("small", 7, lake)
    lake.derived.rebuild(TZ, RULES)
    derived = lake.derived.facts()
    november = month_period(2025, 11)
    week = buckets(Period(dt.date(2025, 11, 10), dt.date(2025, 11, 16)), "day")
    common = {
        "orders": lake.table("orders"),
        "refunds": lake.table("refunds"),
        "periods": [november, november.previous(), *week],
        "time_zone": TZ,
        "arrow": lake.arrow,
    }
    raw = lake.table("chat_messages")
    teams = {"kf01": "售前", "kf02": "售前", "kf03": "售后"}
    cases = {
        "agents": (for_agents(derived), raw),
        "teams": (in_units(derived, teams, NO_TEAM), agents.in_units(raw, teams, NO_TEAM)),
        "shop": (in_units(derived, {}, SHOP), agents.in_units(raw, {}, SHOP)),
    }
    for view, (facts, messages) in cases.items():
        got = agents.report_series(facts, **common)
        assert got == agents.agent_report_series(chat_messages=messages, **common), view
        assert all(got), view
    raw_facts = facts_from_raw(raw, lake.table("orders"), november, TZ)
    for agent in ("kf01", "kf03"):
        both = [
            agent_detail.agent_days(
                lake.arrow,
                facts=f,
                orders=lake.table("orders"),
                period=november,
                time_zone=TZ,
                agent_id=agent,
            )
            for f in (for_agents(derived), raw_facts)
        ]
        assert both[0] == both[1] and any(d.has_activity for d in both[0])
