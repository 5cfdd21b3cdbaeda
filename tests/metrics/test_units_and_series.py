"""Team and shop figures, and reports by day, week or month (SPEC §2: "per agent, per team
and for the shop"), on hand-made chats and orders, Shanghai time.

Team 售前 is kf1 and kf2; kf3 is in no team.

Tuesday 2024-06-18:
- session a, c1: asks 10:00:00, kf1 answers 10:00:30 (30 s); asks 10:05:00, the chat was
  transferred and kf2 answers 10:06:00 (60 s).
- session b, c1: asks 15:00:00, kf2 answers 15:00:20 (20 s).
- session c, c2: asks 11:00:00, kf3 answers 11:02:00 (120 s).
- orders: c1 creates o1 at 16:00 and pays 100.00 (kf2 messaged c1 last, 15:00:20, in a
  pre-sale session: kf2's); c2 creates o2 at 12:00 and pays 50.00 (kf3's).
Monday 2024-06-24 (the next week):
- session d, c3: asks 09:00:00, kf1 answers 09:00:10 (10 s); asks 09:01:00 and gets no
  answer (the round belongs to kf1, who spoke last).

Team 售前 on the Tuesday — its own figures, not sums or averages of kf1's and kf2's:
  consulting customers = distinct {c1} = 1 (kf1 and kf2 each count c1: a sum would say 2);
  average response = (30 + 60 + 20) ÷ 3 = 36.67 s; first response: sessions a (30 s) and
  b (20 s) → 25.00 s; reply rate 3 ÷ 3 = 100 %; answer ratio = its 3 messages ÷ the 3
  customer messages of the rounds it answered = 1.00; sales 100.00, one buyer.
The shop on the Tuesday: consulting customers {c1, c2} = 2; average response
  (30 + 60 + 20 + 120) ÷ 4 = 57.50 s; first response (30 + 20 + 120) ÷ 3 = 56.67 s; sales
  150.00 from 2 buyers, AOV 75.00 = the store's AOV → AOV ratio 1.0000.
The shop by week, 2024-06-18 – 2024-06-24: the week to Sunday 06-23 (clipped at the
  Tuesday) as above; the week of Monday 06-24: c3, two rounds owned, one answered → reply
  rate 50 %, average response 10.00 s.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from guanxi.core.timeutil import Period, buckets, parse_day
from guanxi.lake import Lake
from guanxi.metrics.agents import NO_TEAM, SHOP, AgentReport, in_units
from tests.factories import chats_table, orders_table, report_series, reports_by_agent

TUE, MON = "2024-06-18", "2024-06-24"
CHATS: list[tuple[str, str, str, str | None, str]] = [
    ("a", "c1", "customer", None, f"{TUE} 10:00:00"),
    ("a", "c1", "agent", "kf1", f"{TUE} 10:00:30"),
    ("a", "c1", "customer", None, f"{TUE} 10:05:00"),
    ("a", "c1", "agent", "kf2", f"{TUE} 10:06:00"),
    ("b", "c1", "customer", None, f"{TUE} 15:00:00"),
    ("b", "c1", "agent", "kf2", f"{TUE} 15:00:20"),
    ("c", "c2", "customer", None, f"{TUE} 11:00:00"),
    ("c", "c2", "agent", "kf3", f"{TUE} 11:02:00"),
    ("d", "c3", "customer", None, f"{MON} 09:00:00"),
    ("d", "c3", "agent", "kf1", f"{MON} 09:00:10"),
    ("d", "c3", "customer", None, f"{MON} 09:01:00"),
]
ORDERS: list[tuple[str, str, str, str | None, str]] = [
    ("o1", "c1", f"{TUE} 16:00:00", f"{TUE} 16:05:00", "100.00"),
    ("o2", "c2", f"{TUE} 12:00:00", f"{TUE} 12:01:00", "50.00"),
]
TEAMS = {"kf1": "售前", "kf2": "售前"}
TUESDAY = Period(parse_day(TUE), parse_day(TUE))


@pytest.fixture
def shop(lake: Lake) -> Lake:
    lake.write("chat_messages", chats_table(CHATS))
    lake.write("orders", orders_table(ORDERS))
    return lake


def _units(lake: Lake, period: Period, units: dict[str, str], other: str) -> dict[str, AgentReport]:
    relabelled = in_units(lake.table("chat_messages"), units, other)
    (reports,) = report_series(lake, [period], chat_messages=relabelled)
    return {r.unit: r for r in reports}


def test_agents_count_the_shared_customer_each(shop: Lake) -> None:
    agents = reports_by_agent(shop, TUESDAY)
    assert agents["kf1"].consulting_customers == 1
    assert agents["kf2"].consulting_customers == 1
    assert agents["kf2"].sales_amount == Decimal("100.00")


def test_team_figures_are_the_teams_own(shop: Lake) -> None:
    teams = _units(shop, TUESDAY, TEAMS, NO_TEAM)
    assert set(teams) == {"售前", NO_TEAM}
    team = teams["售前"]
    assert team.consulting_customers == 1  # c1 once, though both agents served them
    assert team.avg_response_seconds == Decimal("36.67")  # (30 + 60 + 20) / 3
    assert team.first_response_seconds == Decimal("25.00")  # (30 + 20) / 2
    assert team.reply_rate == Decimal("1.0000")
    assert team.answer_ratio == Decimal("1.00")  # 3 / 3
    assert (team.sales_amount, team.buyers) == (Decimal("100.00"), 1)
    other = teams[NO_TEAM]
    assert (other.consulting_customers, other.avg_response_seconds) == (1, Decimal("120.00"))
    assert other.sales_amount == Decimal("50.00")
    assert team.first_response_business_seconds is None  # rotas are agents', not teams'


def test_shop_figures(shop: Lake) -> None:
    (whole,) = _units(shop, TUESDAY, {}, SHOP).values()
    assert whole.unit == SHOP
    assert whole.consulting_customers == 2
    assert whole.avg_response_seconds == Decimal("57.50")  # (30 + 60 + 20 + 120) / 4
    assert whole.first_response_seconds == Decimal("56.67")  # (30 + 20 + 120) / 3
    assert (whole.sales_amount, whole.buyers, whole.aov) == (
        Decimal("150.00"),
        2,
        Decimal("75.00"),
    )
    assert whole.aov_ratio == Decimal("1.0000")  # the shop's AOV is the store's


def test_shop_by_week(shop: Lake) -> None:
    weeks = buckets(Period(parse_day(TUE), parse_day(MON)), "week")
    assert weeks == [
        Period(dt.date(2024, 6, 18), dt.date(2024, 6, 23)),
        Period(dt.date(2024, 6, 24), dt.date(2024, 6, 24)),
    ]
    series = report_series(
        shop, weeks, chat_messages=in_units(shop.table("chat_messages"), {}, SHOP)
    )
    (first,), (second,) = series
    assert (first.consulting_customers, first.avg_response_seconds) == (2, Decimal("57.50"))
    assert second.consulting_customers == 1
    assert (second.reply_rate, second.avg_response_seconds) == (Decimal("0.5000"), Decimal("10.00"))
    assert second.sales_amount == Decimal("0.00")


def test_series_periods_match_single_reports(shop: Lake) -> None:
    """Each period of a series is exactly that period's own report."""
    days = buckets(Period(parse_day(TUE), parse_day(MON)), "day")
    assert len(days) == 7
    series = report_series(shop, days)
    # Spark (seconds a query): the first, a middle and the last day; DuckDB every day.
    checked = [0, 3, 6] if shop.engine_name == "pyspark" else range(7)
    for i in checked:
        assert {r.unit: r for r in series[i]} == reports_by_agent(shop, days[i])


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("day", 3),
        ("week", 2),  # Sat 2024-06-29 – Sun 06-30, then Mon 07-01
        ("month", 2),  # June's last two days, then July 1
    ],
)
def test_buckets_cover_the_period_exactly(by: str, expected: int) -> None:
    period = Period(dt.date(2024, 6, 29), dt.date(2024, 7, 1))
    parts = buckets(period, by)
    assert len(parts) == expected
    assert parts[0].start == period.start and parts[-1].end == period.end
    for before, after in itertools.pairwise(parts):
        assert after.start == before.end + dt.timedelta(days=1)


def test_buckets_reject_an_unknown_unit() -> None:
    with pytest.raises(ValueError, match="fortnight"):
        buckets(TUESDAY, "fortnight")
