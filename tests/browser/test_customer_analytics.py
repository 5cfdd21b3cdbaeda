"""The customer analytics page in a browser on the demo shop: every chart drawn, the page no
wider than a 390 px phone, in Chinese and English; screenshots at 1440 and 390 px go to
GUANXI_SHOTS or var/screenshots."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi import demo
from guanxi.customers import standing
from guanxi.lake import Lake
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, PHONE, SHOTS, _fits, _wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = ("demographics", "regions", "spend", "categories", "retention", "loyalty")
CHARTS = ("gender", "age", "provinces", "cities", "spend", "categories", "cohorts", "loyalty")


def test_the_analytics_page_draws_and_fits(browser, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    standing.recompute(dt.date(2025, 12, 31))
    manager = make_user("manager")
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for size_name, viewport in (("1440", DESKTOP), ("390", PHONE)):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        _login(page, base, manager.username, manager.password)
        page.wait_for_url(f"{base}/store/")
        for language in ("zh-hans", "en"):
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
            page.goto(f"{base}/customers/analytics/")
            _wait_for_charts(page)
            for chart in CHARTS:
                # each chart drew its SVG (not the empty "—" box)
                assert page.locator(f"#chart-{chart} .main-svg").count() >= 1, chart
            problems.append(_fits(page, f"analytics {size_name} [{language}]") or "")
            page.screenshot(
                path=str(SHOTS / f"customer-analytics-{size_name}-{language}.png"), full_page=True
            )
            # each section on its own too: a full page is too tall to look at whole
            for section in SECTIONS:
                page.locator(f"#{section}").screenshot(
                    path=str(SHOTS / f"customer-analytics-{size_name}-{language}-{section}.png")
                )
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Customer analytics"
        context.close()
    assert [p for p in problems if p] == []
