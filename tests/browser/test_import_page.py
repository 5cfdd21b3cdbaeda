"""A manager uploads a GBK order report through the import page and sees the result."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.lake import Lake
from tests.imports.exports import TWO_ORDERS, write_taobao_orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_upload_a_gbk_file_and_see_the_result(
    page, live_server, make_user, lake: Lake, tmp_path: Path
) -> None:
    manager = make_user("manager")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", manager.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/store/")

    report = write_taobao_orders(tmp_path / "订单报表.csv", TWO_ORDERS, encoding="gbk")
    page.goto(f"{base}/imports/")
    page.select_option("#id_kind", "orders")
    page.select_option("#id_platform", "taobao")
    page.set_input_files("#id_file", str(report))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#mapping-form")
    assert page.locator("#encoding").inner_text() == "gb18030"
    assert "tb_小王" in page.locator("#preview-rows").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-preview-zh.png"), full_page=True)

    page.click("#start-import")
    page.wait_for_selector("#counts")
    assert page.locator('[data-count="added"]').inner_text() == "2"
    assert page.locator('[data-count="rejected"]').inner_text() == "0"
    page.screenshot(path=str(SHOTS / "import-result-zh.png"), full_page=True)
    assert lake.to_arrow("orders").num_rows == 2

    page.goto(f"{base}/imports/history/")
    assert "订单报表.csv" in page.locator("#history").inner_text()
    page.click('button[data-lang="en"]')
    page.wait_for_selector("#history")
    page.screenshot(path=str(SHOTS / "import-history-en.png"), full_page=True)
