"""The agents page's team (客服组) and shop views and the trend page (趋势), on the hand-made
shop of ``tests/metrics/test_units_and_series.py`` (its docstring has the hand computation):
team 售前 is kf1 and kf2, kf3 is in no team; chats on Tuesday 2024-06-18 and Monday 06-24."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from guanxi.lake import Lake
from tests.factories import login
from tests.metrics.test_units_and_series import shop  # noqa: F401 — the hand-made shop
from tests.web.test_report_views import teams  # noqa: F401 — kf1, kf2 in 售前; kf3 in none

pytestmark = pytest.mark.django_db
TUESDAY = "start=2024-06-18&end=2024-06-18"
WEEK = "start=2024-06-18&end=2024-06-24"


def _row(page: str, marker: str) -> str:
    """The table row that starts with ``marker`` (up to its ``</tr>``)."""
    row = page[page.index(marker) :]
    return row[: row.index("</tr>")]


def _cell(row: str, metric: str) -> str:
    match = re.search(rf'data-metric="{metric}"[^>]*>([^<]*)', row)
    assert match, f"no {metric} cell"
    return match.group(1)


def _sheet(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return sheet


# -- the agents page: teams and the shop --------------------------------------------------------
def test_team_view_shows_the_teams_own_figures(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/?{TUESDAY}&view=team").content.decode()
    team = _row(page, 'data-unit="售前"')
    assert _cell(team, "consulting_customers") == "1"  # c1 once, though kf1 and kf2 served
    assert _cell(team, "avg_response_seconds") == "36.7"  # (30 + 60 + 20) / 3 = 36.67
    assert _cell(team, "first_response_seconds") == "25.0"  # sessions a (30 s) and b (20 s)
    assert _cell(team, "reply_rate") == "100.00%"
    assert _cell(team, "answer_ratio") == "1.00"
    assert _cell(team, "sales_amount") == "¥100.00"
    assert 'data-value="36.67"' in team  # the exact figure sorts
    other = _row(page, 'data-unit="*none"')
    assert "<strong>未分组</strong>" in other
    assert (_cell(other, "consulting_customers"), _cell(other, "avg_response_seconds")) == (
        "1",
        "120.0",
    )
    # The shop's own row below: c1 and c2 once each; (30 + 60 + 20 + 120) / 4 = 57.50 s.
    whole = _row(page, 'data-unit="shop"')
    assert _cell(whole, "consulting_customers") == "2"
    assert _cell(whole, "avg_response_seconds") == "57.5"
    assert _cell(whole, "aov_ratio") == "1.00"
    # No diagnosis, no agent links, no business-time columns (units have no rota).
    assert "需要改进" not in page and "agent-link" not in page
    assert "first_response_business_seconds" not in page
    assert 'data-view="team" class="active"' in page
    assert "view=team" in page[page.index('id="agents-export"') :]


def test_agent_view_ends_with_the_shop_not_a_sum(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/?{TUESDAY}").content.decode()
    rows = [_row(page, f'data-agent="{a}"') for a in ("kf1", "kf2", "kf3")]
    assert [_cell(r, "consulting_customers") for r in rows] == ["1", "1", "1"]
    whole = page[page.index("<tfoot>") :]
    assert "全店" in whole
    assert _cell(whole, "consulting_customers") == "2"  # the rows would add up to 3
    assert _cell(whole, "sales_amount") == "¥150.00"
    assert "团队（合计／中位数）" not in page


def test_team_view_compares_with_the_previous_period(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    # 06-24 – 06-30 against 06-17 – 06-23: 售前 answered c3 in 10 s, the week before 36.67 s.
    page = client.get("/performance/agents/?start=2024-06-24&end=2024-06-30&view=team")
    team = _row(page.content.decode(), 'data-unit="售前"')
    assert re.search(
        r'data-metric="avg_response_seconds" data-value="10.00">10.0<div class="prev">上期 36.7<',
        team,
    )
    assert _cell(team, "reply_rate") == "50.00%"  # one of c3's two rounds answered


def test_shop_view_is_one_row(client: Client, make_user, shop: Lake, teams: None) -> None:  # noqa: F811
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/?{TUESDAY}&view=shop").content.decode()
    assert page.count("data-unit=") == 1 and "<tfoot>" not in page
    whole = _row(page, 'data-unit="*shop"')
    assert "<strong>全店</strong>" in whole
    assert (_cell(whole, "buyers"), _cell(whole, "aov")) == ("2", "¥75.00")
    assert "全店的数字是全店自身的" in page and "客服组的数字" not in page  # the note fits the view


def test_an_agent_gets_no_team_or_shop_view(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    page = client.get(f"/performance/agents/?{TUESDAY}").content.decode()
    assert 'id="view-switch"' not in page and "<tfoot>" not in page
    assert 'data-agent="kf1"' in page and 'data-agent="kf2"' not in page
    for view in ("team", "shop"):
        assert client.get(f"/performance/agents/?{TUESDAY}&view={view}").status_code == 403
        export = client.get(f"/performance/agents/export.xlsx?{TUESDAY}&view={view}")
        assert export.status_code == 403


def test_team_export(client: Client, make_user, shop: Lake, teams: None) -> None:  # noqa: F811
    login(client, make_user, "manager")
    sheet = _sheet(client.get(f"/performance/agents/export.xlsx?{TUESDAY}&view=team").content)
    assert sheet.cell(2, 1).value == "客服组"
    assert [sheet.cell(r, 1).value for r in (3, 4)] == ["售前", "未分组"]
    assert [sheet.cell(r, 2).value for r in (3, 4)] == [1, 1]  # consulting customers


# -- the trend page -----------------------------------------------------------------------------
def test_team_trend_by_week(client: Client, make_user, shop: Lake, teams: None) -> None:  # noqa: F811
    login(client, make_user, "manager")
    url = f"/performance/trend/?{WEEK}&by=week&view=team&unit=售前&metric=avg_response_seconds"
    page = client.get(url).content.decode()
    first = _row(page, 'data-start="2024-06-18"')
    assert "<td>2024-06-23</td>" in first  # the week to Sunday, clipped at the Tuesday
    # both weeks are cut short by the period: marked in the table and in the chart's legend
    assert 'data-partial="1"' in first and '<span class="partial-mark">（不完整）</span>' in first
    assert 'data-partial="1"' in _row(page, 'data-start="2024-06-24"')
    assert _cell(first, "avg_response_seconds") == "36.7"
    assert _cell(first, "consulting_customers") == "1"
    second = _row(page, 'data-start="2024-06-24"')
    assert (_cell(second, "avg_response_seconds"), _cell(second, "reply_rate")) == (
        "10.0",
        "50.00%",
    )
    chart = page[page.index('id="trend-chart"') :]
    assert "<svg" in chart and "<polyline" in chart
    assert "售前：平均响应时间" in chart  # the chart's title: the unit and the metric
    own = chart[: chart.index("</svg>")]
    assert own.count('class="partial"') == 2  # hollow points, explained in the legend
    assert '<g class="partial-note">' in own and ">不完整的周</text>" in own
    assert '<option value="售前" selected>售前</option>' in page
    assert 'th class="num chosen"' in page  # the charted metric's column is marked
    assert 'id="trend-export"' in page and 'data-tab="trend"' in page
    # Every team side by side: 售前 over both weeks (36.67 s, 10 s), 未分组 (kf3) beside it.
    compare = page[page.index('id="trend-compare"') :]
    compare = compare[: compare.index("</svg>")]
    assert "客服组对比：平均响应时间" in compare
    assert ">售前<" in compare and ">未分组<" in compare  # the legend
    # The y axis runs 0 → 150 s over pixels 252 → 28 (224 px): 36.67 s at 252 − 36.67 × 224
    # / 150 = 197.2, 10 s at 237.1; kf3's 120 s (first week only) at 72.8.
    lines = re.findall(r'<polyline points="([^"]*)"', compare)
    assert lines == ["278.0,197.2 722.0,237.1", "278.0,72.8"]


def test_trend_by_day_shows_empty_days_as_dashes(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    page = client.get(f"/performance/trend/?{WEEK}&by=day&view=shop").content.decode()
    assert page.count("<tr data-start=") == 7
    assert 'id="trend-compare"' not in page  # one shop: nothing to compare
    assert page.count('class="no-data"') == 5  # only Tuesday and Monday have chats
    quiet = _row(page, 'data-start="2024-06-19"')
    assert _cell(quiet, "consulting_customers") == "—"  # no data, not zero
    assert _cell(_row(page, 'data-start="2024-06-18"'), "consulting_customers") == "2"
    # The line breaks over the quiet days: two single points, no polyline joins them.
    chart = page[page.index('id="trend-chart"') : page.index("</svg>")]
    assert chart.count("<circle") == 2


def test_trend_without_data_says_so(client: Client, make_user, shop: Lake, teams: None) -> None:  # noqa: F811
    login(client, make_user, "manager")
    page = client.get("/performance/trend/?start=2020-01-01&end=2020-01-31&by=week&unit=kf1")
    text = page.content.decode()
    assert 'id="no-data"' in text and "kf1 在 2020年1月1日 至 2020年1月31日 没有数据" in text
    assert 'id="trend-chart"' not in text and 'id="trend-export"' not in text


def test_trend_defaults_to_the_first_agent(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    page = client.get(f"/performance/trend/?{WEEK}").content.decode()
    assert '<option value="kf1" selected>kf1 一</option>' in page
    assert '<option value="kf3">kf3 三</option>' in page
    assert 'data-view="agent" class="active"' in page


def test_an_agent_sees_only_their_own_trend(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    page = client.get(f"/performance/trend/?{WEEK}&by=week").content.decode()
    assert re.findall(
        r'<option value="([^"]*)"', page.split('name="unit"')[1].split("</select>")[0]
    ) == ["kf1"]
    assert 'id="view-switch"' not in page and 'id="trend-compare"' not in page
    # kf1: c1 on Tuesday (30 s), c3 on Monday (10 s).
    assert _cell(_row(page, 'data-start="2024-06-24"'), "avg_response_seconds") == "10.0"
    for query in ("unit=kf2", "view=team&unit=售前", "view=shop"):
        assert client.get(f"/performance/trend/?{WEEK}&{query}").status_code == 403
        assert client.get(f"/performance/trend/export.xlsx?{WEEK}&{query}").status_code == 403
    client.logout()
    login(client, make_user, "marketing")
    assert client.get(f"/performance/trend/?{WEEK}").status_code == 403


def test_trend_bad_choices_are_named_and_defaults_shown(
    client: Client,
    make_user,
    shop: Lake,  # noqa: F811
    teams: None,  # noqa: F811
) -> None:
    login(client, make_user, "manager")
    page = client.get(f"/performance/trend/?{WEEK}&by=fortnight").content.decode()
    errors = page[page.index('id="trend-errors"') :]
    assert errors.startswith('id="trend-errors">粒度：') and "已显示默认设置" in errors
    long = client.get("/performance/trend/?start=2024-01-01&end=2025-01-01&by=day")
    errors = long.content.decode()
    assert "粒度：该期间按日共 367 段，最多 366 段" in errors
    assert client.get(f"/performance/trend/?{WEEK}&view=everyone").status_code == 200


def test_trend_export(client: Client, make_user, shop: Lake, teams: None) -> None:  # noqa: F811
    login(client, make_user, "manager")
    response = client.get(f"/performance/trend/export.xlsx?{WEEK}&by=week&view=team&unit=售前")
    assert response["Content-Disposition"] == (
        'attachment; filename="guanxi-trend-team-week-2024-06-18-2024-06-24.xlsx"'
    )
    sheet = _sheet(response.content)
    headers = [sheet.cell(2, c).value for c in range(1, sheet.max_column + 1)]
    assert headers[:5] == ["开始", "结束", "不完整", "客服组", "咨询人数"]
    average = headers.index("平均响应时间") + 1
    assert [[sheet.cell(r, c).value for c in (1, 2, 3, 4, 5)] for r in (3, 4)] == [
        ["2024-06-18", "2024-06-23", "不完整", "售前", 1],
        ["2024-06-24", "2024-06-24", "不完整", "售前", 1],
    ]
    assert [sheet.cell(r, average).value for r in (3, 4)] == [36.67, 10.0]
    assert sheet.cell(5, 1).value is None
    assert sheet.cell(6, 1).value.startswith("不完整：不足整周（周一至周日）或整月的一段")
