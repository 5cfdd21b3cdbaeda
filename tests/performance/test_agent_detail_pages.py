"""The agent detail page, its XLSX export and the conversation page: figures, masking, and
who may see what (managers any agent and session; an agent their own; others nobody).

The shop is the hand-made one of tests/metrics/test_agent_detail.py (kf1 and kf2 on
2024-06-18..19); its figures are computed by hand there.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.test import Client

from guanxi.accounts.models import Agent
from guanxi.core.timeutil import Period
from guanxi.lake import Lake
from guanxi.performance.detail import selectors as detail_selectors
from tests.customers.helpers import customer
from tests.factories import login
from tests.metrics.test_agent_detail import detail_shop  # noqa: F401 — the hand-made shop

pytestmark = pytest.mark.django_db
Q = "?start=2024-06-18&end=2024-06-19"


def test_manager_sees_an_agents_detail(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    customer(customer_key="c2", name="王小明", mobile="13900001111")
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/kf1/{Q}").content.decode()
    # Key figures (the agent report's) with the previous period beside them.
    assert '<div class="card kpi" data-metric="sales_amount"' in page
    assert '<div class="value">¥149.61</div>' in page
    assert '<div class="value">84.2</div>' in page  # first response 505 ÷ 6 s
    # The daily table: the 18th and 19th, then the period's own figures.
    assert '<tr data-day="2024-06-18"><td>2024-06-18</td><td class="num">2</td>' in page
    assert '<td class="num">¥99.11</td></tr>' in page and '<td class="num">¥50.50</td></tr>' in page
    assert '<th class="num">6</th>' in page  # received over the period: distinct, not 2 + 5
    # Stages and the slowest rounds, each linking to its conversation at the round.
    pre_sale = '<td>售前</td><td class="num">3</td><td class="num">50.00%</td>'
    assert f'<tr data-stage="pre_sale">{pre_sale}' in page
    assert 'href="/performance/sessions/s2/?round=1#round-1"' in page
    assert "王**" in page and "王小明" not in page and "13900001111" not in page
    assert "2024-06-18 23:58:00" in page and "2024-06-19 00:02:00" in page
    # No rota for kf1 here: no business-time tiles, and the page says why.
    assert 'id="no-rota"' in page and "该客服未排班" in page
    assert "first_response_business_seconds" not in page


def _tile(page: str, metric: str) -> tuple[str, str]:
    """(value, previous value) of the tile of ``metric``."""
    found = re.search(
        rf'data-metric="{metric}".*?<div class="value">(.*?)</div>\s*'
        rf'<div class="prev">\S+ (\S+?)(?: ·|</div>)',
        page,
        re.S,
    )
    assert found, metric
    return found.group(1), found.group(2)


def test_the_tiles_give_business_time_for_an_agent_with_a_rota(
    client: Client,
    make_user,
    detail_shop: Lake,  # noqa: F811
) -> None:
    """kf1 works 09:00–18:00 on working days (the 18th and 19th are a Tuesday and a
    Wednesday); only the waits inside that shift count.

    - First response: s1 09:00:00 → 09:00:12 = 12 s, s2 23:58 → 00:02 = 0 (off duty), s3
      02:00 → 02:00:30 = 0, s4 10:00:00 → 10:03:20 = 200 s, s7 8 s, s8 15 s → 235 ÷ 6 =
      39.17 s (clock time: 505 ÷ 6 = 84.17 s).
    - Average response, kf1's answered rounds: 12, 45, 0 (s2 round 1), 0 (s2 round 3), 0
      (s3), 200, 8, 15 → 280 ÷ 8 = 35.00 s (clock time 575 ÷ 8 = 71.88 s).
    - Previous period (16th–17th): only s5's round, asked Monday 23:59:59 and answered at
      00:00:09 — both off duty → 0.00 s for both.
    """
    Agent.objects.create(agent_id="kf1", name="小美", workday_hours="09:00-18:00")
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/kf1/{Q}").content.decode()
    assert _tile(page, "first_response_business_seconds") == ("39.2", "0.0")
    assert _tile(page, "avg_response_business_seconds") == ("35.0", "0.0")
    assert _tile(page, "first_response_seconds") == ("84.2", "10.0")
    # Beside the clock-time response times, in that order.
    order = re.findall(r'data-metric="(\w+_seconds)"', page[: page.index("每日趋势")])
    assert order == [
        "first_response_seconds",
        "avg_response_seconds",
        "first_response_business_seconds",
        "avg_response_business_seconds",
    ]
    assert "只计该客服排班内的时间" in page and 'id="no-rota"' not in page
    # The same figures as the agent report's for the period.
    period = Period(dt.date(2024, 6, 18), dt.date(2024, 6, 19))
    report = detail_selectors.agent_report("kf1", period)
    assert report is not None
    assert report.first_response_business_seconds == Decimal("39.17")
    assert report.avg_response_business_seconds == Decimal("35.00")


def test_the_agents_table_links_each_agent(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/{Q}").content.decode()
    assert 'href="/performance/agents/kf1/?start=2024-06-18&amp;end=2024-06-19"' in page
    assert 'href="/performance/agents/kf2/?start=2024-06-18&amp;end=2024-06-19"' in page


def test_an_empty_period_says_so(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "manager")
    page = client.get("/performance/agents/kf1/?start=2024-07-01&end=2024-07-31").content.decode()
    assert "本期间该客服没有数据" in page
    assert 'class="card kpi"' not in page and "daily-table" not in page
    assert "plotly" not in page
    backwards = client.get("/performance/agents/kf1/?start=2024-06-19&end=2024-06-18")
    assert "晚于结束日期" in backwards.content.decode()  # the form says why; default period


def test_the_conversation_shows_waits_and_the_slow_round(
    client: Client,
    make_user,
    detail_shop: Lake,  # noqa: F811
) -> None:
    customer(customer_key="c2", name="王小明", mobile="13900001111")
    login(client, make_user, "manager")
    page = client.get("/performance/sessions/s2/?round=1").content.decode()
    # s2: 23:58:00 C (round 1), 00:02:00 kf1 replies after 240 s — slow and the target.
    assert 'class="msg customer slow target" id="round-1"' in page
    assert "回复第 1 轮，等待 240.0 秒" in page
    assert "回复第 2 轮，等待 20.0 秒" in page and "回复第 3 轮，等待 25.0 秒" in page
    assert "2024-06-18 23:58:00" in page  # local time, to the second
    assert "消息 6" in page  # the text as stored
    assert "王**" in page and "王小明" not in page and "13900001111" not in page
    assert "3 轮，已回复 3 轮，其中等待超过 60 秒的 1 轮" in page
    assert 'id="customer-key" href="/customers/c2/">c2</a>' in page  # the master record
    # s1's last round was never answered.
    s1 = client.get("/performance/sessions/s1/").content.decode()
    assert 'id="round-3"' in s1 and "未回复" in s1
    assert client.get("/performance/sessions/nope/").status_code == 404


def test_an_agent_sees_only_their_own_detail_and_sessions(
    client: Client,
    make_user,
    detail_shop: Lake,  # noqa: F811
) -> None:
    login(client, make_user, "agent", agent_id="kf2")
    assert client.get(f"/performance/agents/kf2/{Q}").status_code == 200
    assert client.get(f"/performance/agents/kf1/{Q}").status_code == 403
    assert client.get(f"/performance/agents/kf1/daily.xlsx{Q}").status_code == 403
    assert client.get("/performance/sessions/s2/").status_code == 200  # kf2 answered round 2
    assert client.get("/performance/sessions/s1/").status_code == 403  # kf1's alone
    page = client.get("/performance/sessions/s2/").content.decode()
    assert 'href="/performance/agents/kf2/"' in page
    assert 'href="/performance/agents/kf1/"' not in page  # named, not linked


def test_others_are_refused(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    login(client, make_user, "marketing")
    assert client.get(f"/performance/agents/kf1/{Q}").status_code == 403
    assert client.get("/performance/sessions/s2/").status_code == 403
    assert client.get("/performance/sessions/nope/").status_code == 403  # no existence leak
    client.logout()
    assert client.get(f"/performance/agents/kf1/{Q}").status_code == 302  # to the login


def test_the_daily_export(client: Client, make_user, detail_shop: Lake) -> None:  # noqa: F811
    from python_calamine import CalamineWorkbook

    login(client, make_user, "agent", agent_id="kf1")
    response = client.get(f"/performance/agents/kf1/daily.xlsx{Q}")
    assert response.status_code == 200
    assert "guanxi-agent-kf1-2024-06-18-2024-06-19.xlsx" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    data = rows.to_python()
    assert data[1][0] == "日期 Day" and str(data[1][7]).startswith("销售额")
    # Day, received, first response, average response, 3-minute rate, inquirers, conversion,
    # sales — as computed by hand in tests/metrics/test_agent_detail.py.
    assert data[2] == ["2024-06-18", 2.0, 126.0, 99.0, 0.5, 2.0, 1.0, 99.11]
    assert data[3] == ["2024-06-19", 5.0, 63.25, 55.6, 0.6667, 1.0, 0.0, 50.5]
    assert data[4] == ["本期 Period", 6.0, 84.17, 71.88, 0.5714, 3.0, 0.6667, 149.61]
    assert data[5][0] == "未排班，没有工作时间口径 No rota: no business-time figures"


def test_the_daily_export_gives_business_time_with_a_rota(
    client: Client,
    make_user,
    detail_shop: Lake,  # noqa: F811
) -> None:
    """kf1 on 09:00–18:00 (hand computation in the tiles' test above): 39.17 s and 35.00 s,
    under the period's clock-time first and average response."""
    from python_calamine import CalamineWorkbook

    Agent.objects.create(agent_id="kf1", name="小美", workday_hours="09:00-18:00")
    login(client, make_user, "manager")
    response = client.get(f"/performance/agents/kf1/daily.xlsx{Q}")
    data = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    rows = data.to_python()
    assert rows[4][:4] == ["本期 Period", 6.0, 84.17, 71.88]
    assert rows[5] == ["本期（工作时间）Period, business time", "", 39.17, 35.0, "", "", "", ""]
