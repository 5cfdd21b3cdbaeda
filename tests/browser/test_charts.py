"""The charts of issue 12 item 12 in a real browser, on the demo shop as ``guanxi demo``
makes it (with its industry DSR averages): the dashboard's three panels each on its own y
axis, the DSR charts on the fixed 4–5 axis with the industry line, the trend's partial week.
Screenshots in both languages, at 1440 and 390 px, under var/screenshots/."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from guanxi.lake import Lake
from tests.browser.test_foundation import _login, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _layout(page, target: str) -> dict:
    return page.evaluate(f"document.getElementById('{target}').layout")


def test_dashboard_dsr_and_trend_charts(page, live_server, make_user, lake: Lake) -> None:
    call_command("demo", "--scale", "small", stdout=StringIO())  # the default seed, 2025
    manager = make_user("manager")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")

    # The dashboard: visitors, the customers and the amount each on their own y axis.
    page.wait_for_selector("#trend-chart .main-svg")
    layout = _layout(page, "trend-chart")
    assert [layout[a]["domain"] for a in ("yaxis", "yaxis2", "yaxis3")] == [
        [0.71, 0.95],
        [0.38, 0.62],
        [0.0, 0.29],
    ]
    traces = page.evaluate(
        "document.getElementById('trend-chart').data.map(t => [t.name, t.yaxis])"
    )
    assert traces == [
        ["访客数", "y"],
        ["浏览量", "y"],
        ["咨询人数", "y2"],
        ["支付买家数", "y2"],
        ["支付金额", "y3"],
    ]
    # Plotly drew three y axes (one per panel), and the customers' axis fits tens, not hundreds
    assert page.locator("#trend-chart .yaxislayer-above").count() == 3
    full = page.evaluate("document.getElementById('trend-chart')._fullLayout.yaxis2.range")
    assert full[1] < 60
    _shot(page, "charts-dashboard-zh")

    # The DSR page: every dimension on 4–5 with the demo's industry line.
    page.goto(f"{base}/store/dsr/")
    for key in ("description", "service", "logistics"):
        page.wait_for_selector(f"#dsr-chart-{key} .main-svg")
        assert _layout(page, f"dsr-chart-{key}")["yaxis"]["range"] == [4, 5]
        industry = page.evaluate(f"document.getElementById('dsr-chart-{key}').data[1].y")
        assert len(industry) == 6 and all(4 < v < 5 for v in industry)
    assert page.locator("#dsr-table tbody tr").count() == 6
    assert page.locator(".flash.warn").count() == 0  # no "no industry averages yet"
    _shot(page, "charts-dsr-zh")

    # The trend of December by week: Monday 12-01 … Wednesday 12-31, the last week partial.
    page.goto(f"{base}/performance/trend/?view=shop")
    page.wait_for_selector("#trend-chart svg")
    partial = page.locator("#trend-table tbody tr[data-partial]")
    assert partial.count() == 1
    assert partial.get_attribute("data-start") == "2025-12-29"
    assert partial.locator(".partial-mark").inner_text() == "（不完整）"
    assert page.locator("#trend-chart svg circle.partial").count() == 1
    assert page.locator("#trend-chart .partial-note").text_content() == "不完整的周"
    _shot(page, "charts-trend-zh")

    # English, and a phone's width.
    page.click('button[data-lang="en"]')
    page.wait_for_selector("h1:text('Trend')")
    assert page.locator("#trend-table .partial-mark").inner_text() == "(partial)"
    assert page.locator("#trend-chart .partial-note").text_content() == "Partial week"
    _shot(page, "charts-trend-en")
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("dashboard", "/store/"), ("dsr", "/store/dsr/")):
        page.goto(f"{base}{path}")
        page.wait_for_selector(".main-svg")
        _shot(page, f"charts-{name}-en-390")
