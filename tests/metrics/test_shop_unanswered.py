"""The shop's own 咨询人数 counts every customer who wrote, answered or not (issue 12 item 11:
the store overview said 339 and the agent page's shop row 330 under the same label).

Tuesday 2024-06-18, Shanghai time:
- session a, c1: asks 10:00:00, kf1 (team 售前) answers 10:00:30 (30 s).
- session e, c4: asks 20:00:00 and 20:00:05 (one round of two messages); nobody ever answers
  and no agent spoke before, so no agent and no team owns the round — the shop does.

By hand:
- kf1 and team 售前: consulting customers {c1} = 1, reply rate 1 ÷ 1 = 100 %.
- the shop: consulting customers {c1, c4} = 2 = the store overview's "distinct customers
  who sent a message"; received customers (the shop wrote to) {c1} = 1; reply rate
  1 answered ÷ 2 rounds = 50 %; average response 30 s (answered rounds only); answer ratio
  1 shop message ÷ 1 customer message of the answered round = 1.00.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.core.timeutil import Period, parse_day
from guanxi.lake import Lake
from guanxi.metrics.agents import SHOP, in_units
from tests.factories import chats_table, orders_table, report_series, reports_by_agent

TUE = "2024-06-18"
TUESDAY = Period(parse_day(TUE), parse_day(TUE))
CHATS: list[tuple[str, str, str, str | None, str]] = [
    ("a", "c1", "customer", None, f"{TUE} 10:00:00"),
    ("a", "c1", "agent", "kf1", f"{TUE} 10:00:30"),
    ("e", "c4", "customer", None, f"{TUE} 20:00:00"),
    ("e", "c4", "customer", None, f"{TUE} 20:00:05"),
]


@pytest.fixture
def shop(lake: Lake) -> Lake:
    lake.write("chat_messages", chats_table(CHATS))
    lake.write("orders", orders_table([]))
    return lake


def test_a_round_nobody_answered_is_the_shops_not_an_agents(shop: Lake) -> None:
    agents = reports_by_agent(shop, TUESDAY)
    assert set(agents) == {"kf1"}
    assert agents["kf1"].consulting_customers == 1
    assert agents["kf1"].reply_rate == Decimal(1)
    teams = in_units(shop.table("chat_messages"), {"kf1": "售前"}, "*none")
    (team_reports,) = report_series(shop, [TUESDAY], chat_messages=teams)
    assert [(r.unit, r.consulting_customers) for r in team_reports] == [("售前", 1)]

    whole = in_units(shop.table("chat_messages"), {}, SHOP)
    ((report,),) = report_series(shop, [TUESDAY], chat_messages=whole)
    assert report.unit == SHOP
    assert report.consulting_customers == 2
    assert report.received_customers == 1
    assert report.reply_rate == Decimal("0.5")
    assert report.avg_response_seconds == Decimal("30")
    assert report.answer_ratio == Decimal("1")
