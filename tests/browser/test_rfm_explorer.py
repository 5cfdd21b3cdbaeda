"""The RFM explorer in a real browser, in Chinese and English, on the hand-made shop of
``tests.customers.rfm_shop``: the groups table, the heat-map drawn by Plotly, a click on a
group and on a grid cell opening the filtered (masked) customer list, and the phone layout.
Screenshots at 1440 and 390 px go to var/screenshots (not committed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi.customers import standing
from guanxi.lake import Lake
from tests.browser.test_phone_layout import MEASURE
from tests.customers import rfm_shop
from tests.customers.rfm_shop import AS_OF, key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _login(page, base: str, creds) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", creds.username)
    page.fill("#id_password", creds.password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_explorer_in_chinese_and_english(page, live_server, make_user, lake: Lake) -> None:
    rfm_shop.build(lake)
    standing.recompute(AS_OF)
    base = live_server.url
    page.set_viewport_size({"width": 1440, "height": 900})
    _login(page, base, make_user("marketing"))
    page.goto(f"{base}/customers/rfm/")
    assert page.locator("h1").inner_text() == "RFM 分析"
    row = page.locator('#rfm-groups tr[data-group="important_value"]')
    assert row.locator("td").first.inner_text() == "重要价值"
    assert row.locator('[data-col="customers"]').inner_text() == "4"
    assert row.locator('[data-col="revenue_share"]').inner_text() == "49.00%"
    assert row.locator('[data-col="change"]').inner_text() == "+2"
    assert row.locator("td.rule").inner_text() == "R ≥ 3, F ≥ 3, M ≥ 3"
    page.wait_for_selector("#rfm-grid-chart .main-svg")  # Plotly drew the heat-map
    cell = page.locator('#rfm-grid tr[data-r="2"] td[data-f="1"]')
    assert cell.inner_text().split() == ["2", "¥375.00"]
    _shot(page, "rfm-explorer-zh-1440")

    # a cell of the grid's table → the list of those customers, masked
    cell.locator("a").click()
    page.wait_for_url(re.compile(r".*/customers/\?r_score=2&f_score=1"))
    keys = page.locator("#customer-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.key)"
    )
    assert keys == [key(7), key(8)]
    assert "王七明" not in page.locator("main").inner_text()

    # a group → its customers
    page.goto(f"{base}/customers/rfm/")
    page.click('#rfm-groups tr[data-group="general_win_back"] a')
    page.wait_for_url(re.compile(r".*rfm_group=general_win_back"))
    assert page.locator("#customer-table tbody tr").count() == 2

    # English
    page.goto(f"{base}/customers/rfm/")
    page.click('button[data-lang="en"]')
    page.wait_for_selector("h1:text('RFM analysis')")
    row = page.locator('#rfm-groups tr[data-group="important_value"]')
    assert row.locator("td").first.inner_text() == "Important value"
    assert "The eight groups" in page.locator("main").inner_text()
    page.wait_for_selector("#rfm-grid-chart .main-svg")
    _shot(page, "rfm-explorer-en-1440")

    page.goto(f"{base}/customers/rfm/?as_of=2025-05-30")
    assert "Counted from the orders for the chosen date." in page.locator("main").inner_text()
    develop = page.locator('#rfm-groups tr[data-group="general_develop"]')
    assert develop.locator('[data-col="customers"]').inner_text() == "2"

    # the phone: nothing sticks out of the page (tables scroll in their box)
    for language, name in (("en", "rfm-explorer-en-390"), ("zh-hans", "rfm-explorer-zh-390")):
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{base}/customers/rfm/")
        page.click(f'button[data-lang="{language}"]')  # in the menu, folded on a phone
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/customers/rfm/")
        page.wait_for_selector("#rfm-grid-chart .main-svg")
        measured = page.evaluate(MEASURE)
        assert measured["scroll"] <= measured["inner"], measured["wide"]
        _shot(page, name)


def test_the_rules_page_screens(page, live_server, make_user, lake: Lake) -> None:
    rfm_shop.build(lake)
    standing.recompute(AS_OF)
    base = live_server.url
    _login(page, base, make_user("manager"))
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/customers/rules/")
        page.fill("#id_class_rules-vip_top_share", "2")
        page.click("#family-class_rules button[value=save]")
        error = page.locator('[data-error-for="vip_top_share"]')
        assert "不是 0 到 1 之间的比例" in error.inner_text()
        measured = page.evaluate(MEASURE)
        assert measured["scroll"] <= measured["inner"], measured["wide"]
        _shot(page, f"rules-zh-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.click('button[data-lang="en"]')
    page.wait_for_selector("h1:text('Customer rules')")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/customers/rules/")
        _shot(page, f"rules-en-{width}")
