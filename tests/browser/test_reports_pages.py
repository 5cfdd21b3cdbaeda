"""The DSR and funnel pages in a real browser: charts drawn, the XLSX download matches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from guanxi import demo
from guanxi.core.timeutil import month_period
from guanxi.lake import Lake
from guanxi.store import selectors as store_selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_dsr_and_funnel_pages_and_the_xlsx_download(
    page, live_server, make_user, lake: Lake, tmp_path: Path
) -> None:
    demo.build("small", 7, lake)
    manager = make_user("manager")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")

    page.goto(f"{base}/store/dsr/")
    for key in ("description", "service", "logistics"):
        page.wait_for_selector(f"#dsr-chart-{key} .main-svg")  # Plotly drew each dimension
    assert page.locator("#dsr-table tbody tr").count() == 6

    page.click("a[data-tab=funnel]")
    page.wait_for_selector("#funnel-chart .main-svg")
    latest = store_selectors.latest_traffic_day()
    assert latest is not None
    funnel = store_selectors.funnel(month_period(latest.year, latest.month))
    assert page.locator('[data-step="uv"] [data-col="count"]').inner_text() == (
        f"{funnel.count('uv'):,}"
    )
    with page.expect_download() as caught:
        page.click("#funnel-export")
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [sheet.cell(r, 2).value for r in range(3, 7)] == [s.count for s in funnel.steps]
    assert sheet.cell(2, 1).value == "步骤"

    page.click("a[data-tab=monthly]")
    page.wait_for_selector("#monthly-report svg")
    month = f"{latest:%Y-%m}"
    assert page.locator("#monthly-report").get_attribute("data-month") == month
    assert dt.date.fromisoformat(f"{month}-01") <= latest
