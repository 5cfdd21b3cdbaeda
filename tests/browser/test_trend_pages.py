"""The agents page's team view and the trend page in a real browser, on the demo shop (teams
售前组 kf01–kf04 and 售后组 kf05–kf06): figures match the selectors, the chart is drawn, the
XLSX download matches, an agent is kept to their own trend; screenshots in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from guanxi import demo
from guanxi.lake import Lake
from guanxi.performance import selectors as agent_selectors
from guanxi.store import selectors as store_selectors
from guanxi.web.exports.values import text_value
from tests.browser.test_foundation import _login, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_view_and_trend(page, live_server, make_user, lake: Lake, tmp_path: Path) -> None:
    demo.build("small", 7, lake)
    manager = make_user("manager")
    agent = make_user("agent", agent_id="kf02")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    period = store_selectors.default_period(timezone.localdate())

    # The agents page, switched to the teams: each team's own figures, the shop below.
    page.goto(f"{base}/performance/agents/")
    page.click("#view-switch a[data-view=team]")
    page.wait_for_selector('tr[data-unit="售前组"]')
    teams = {r.unit: r for r in agent_selectors.unit_period_reports(period, "team")}
    assert set(teams) == {"售前组", "售后组"}
    for name, report in teams.items():
        cell = page.locator(f'tr[data-unit="{name}"] td[data-metric="consulting_customers"]')
        assert cell.get_attribute("data-value") == str(report.consulting_customers)
    (whole,) = agent_selectors.unit_period_reports(period, "shop")
    shop_cell = page.locator('tfoot th[data-metric="avg_response_seconds"]')
    assert shop_cell.inner_text().startswith(text_value(whole.avg_response_seconds, "seconds"))
    assert page.locator(".diagnosis").count() == 0
    _shot(page, "agents-team-zh")

    # The trend: the first team by week; then the average response time.
    page.click("a[data-tab=trend]")
    page.wait_for_selector("#trend-chart svg")
    page.click("#view-switch a[data-view=team]")
    page.wait_for_selector('#id_unit option[value="售前组"][selected]', state="attached")
    page.select_option("#id_metric", "avg_response_seconds")
    page.click("#trend-form button[type=submit]")
    page.wait_for_selector("#trend-chart svg[aria-label='售前组：平均响应时间']")
    series = agent_selectors.period_series(period, "week", "team", "售前组")
    rows = page.locator("#trend-table tbody tr")
    assert rows.count() == len(series)
    for i, (part, reports) in enumerate(series):
        row = rows.nth(i)
        assert row.get_attribute("data-start") == str(part.start)
        expected = text_value(reports[0].avg_response_seconds, "seconds") if reports else "—"
        assert row.locator('td[data-metric="avg_response_seconds"]').inner_text() == expected
    assert page.locator("#trend-chart polyline").count() >= 1
    # Both teams side by side below, one line each.
    compare = page.locator("#trend-compare svg[aria-label='客服组对比：平均响应时间']")
    # December's last week (Monday 29th – Wednesday 31st) is partial: each line ends dashed
    assert compare.locator("polyline:not([stroke-dasharray])").count() == 2
    assert compare.locator("polyline[stroke-dasharray]").count() == 2
    assert compare.locator("circle.partial").count() == 2
    assert "售后组" in compare.inner_html()
    _shot(page, "trend-team-zh")

    with page.expect_download() as caught:
        page.click("#trend-export")
    target = tmp_path / caught.value.suggested_filename
    caught.value.save_as(str(target))
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [sheet.cell(2, c).value for c in (3, 4)] == ["不完整", "客服组"]
    assert [sheet.cell(r, 1).value for r in range(3, 3 + len(series))] == [
        str(part.start) for part, reports in series if reports
    ]

    # English: the same page and figures, English labels.
    page.click('button[data-lang="en"]')
    page.wait_for_selector("h1:text('Trend')")
    assert page.locator("#view-switch a.active").inner_text() == "Team"
    page.wait_for_selector("#trend-compare svg[aria-label='Teams compared: Average response (s)']")
    _shot(page, "trend-team-en")
    page.goto(f"{base}/performance/agents/?view=team")
    page.wait_for_selector('tfoot th:text("Whole shop")')
    _shot(page, "agents-team-en")

    # An agent: their own trend only, no view switch, the team view refused.
    page.context.clear_cookies()
    _login(page, base, agent.username, agent.password)
    page.wait_for_load_state()
    page.goto(f"{base}/performance/trend/")
    page.wait_for_selector("#trend-chart svg")
    assert page.locator("#id_unit option").all_inner_texts() == ["kf02 " + demo_name("kf02")]
    assert page.locator("#view-switch").count() == 0
    _shot(page, "trend-agent-zh")
    refused = page.goto(f"{base}/performance/trend/?view=team")
    assert refused is not None and refused.status == 403


def demo_name(agent_id: str) -> str:
    from guanxi.accounts.models import Agent

    return Agent.objects.get(agent_id=agent_id).name
