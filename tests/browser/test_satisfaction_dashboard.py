"""The satisfaction dashboard in Chromium over the demo shop with its surveys: reached from
the menu, the balance drawn with both sides' figures, the chart drawn, the assumption
printed; zh-Hans and English at 1440 px and at 390 px without horizontal overflow."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi import demo
from guanxi.installation.demo_satisfaction import demo_satisfaction_create
from guanxi.lake import Lake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_dashboard_balance_in_both_languages_and_on_a_phone(
    page, live_server, make_user, lake: Lake
) -> None:
    demo.build("small", 7, lake)
    assert demo_satisfaction_create(scale="small", seed=7)["responses"] > 0
    manager = make_user("manager")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", manager.password)
    page.click("main button[type=submit]")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click("nav >> text=满意度")
    page.wait_for_selector("#balance")
    # Both sides carry figures (the demo has surveys, reviews and ratings), never "0" for none
    assert page.inner_text("#perceived-value").strip() not in ("", "无数据")
    assert page.inner_text("#expectation-value").strip() not in ("", "无数据")
    assert (
        page.locator("#expectation tr[data-source=survey_expectation] .value").inner_text()
        != "无数据"
    )
    assert "课程资料的经验值" in page.inner_text("#wom-assumption")
    page.wait_for_selector("#sat-chart .main-svg")
    _shot(page, "satisfaction-dashboard-zh-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # as a phone loads it (the chart shortens its labels when drawn narrow)
    page.wait_for_selector("#sat-chart .main-svg")
    assert page.evaluate(OVERFLOW) <= 0
    _shot(page, "satisfaction-dashboard-zh-390")
    page.set_viewport_size({"width": 1440, "height": 900})  # the language buttons show
    page.click('button[data-lang="en"]')
    page.wait_for_selector("#sat-chart .main-svg")
    assert "rule of thumb" in page.inner_text("#wom-assumption")
    assert "Perceived value" in page.inner_text("#perceived")
    _shot(page, "satisfaction-dashboard-en-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#sat-chart .main-svg")
    assert page.evaluate(OVERFLOW) <= 0
    _shot(page, "satisfaction-dashboard-en-390")
