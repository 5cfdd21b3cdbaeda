"""A manager scores an agent's manual item on the ranking page (Playwright + Chromium)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.lake import Lake
from guanxi.metrics import scorecard as engine
from guanxi.performance import shop_settings
from guanxi.performance.models import ManualScore
from tests.metrics.test_attribution import shop  # noqa: F401 — the hand-made shop fixture
from tests.performance.test_scorecard_page import DAILY_WORK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_edits_a_manual_score(page, live_server, make_user, shop: Lake) -> None:  # noqa: F811
    """June 2024 (tests/performance/test_scorecard_page.py): kf1 scores 50 before the manual
    item; 日常工作 85 × 5 % adds 4.25 → 54.25."""
    shop_settings.scorecard_update(user=None, text=engine.default_text() + DAILY_WORK)
    manager = make_user("manager")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", manager.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/store/")
    page.click("nav.mainnav >> text=KPI 考核")
    page.wait_for_url(f"{base}/performance/scorecard/")
    page.fill("input[name=month]", "2024-06")
    page.click("main form.toolbar button[type=submit]")
    row = page.locator('tr[data-agent="kf1"]')
    assert row.locator("td.total strong").inner_text() == "50"
    assert row.locator(".incomplete").inner_text() == "不完整"
    cell = row.locator('td[data-item="daily_work"]')
    cell.locator("input[name=score]").fill("85")
    cell.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.success")
    row = page.locator('tr[data-agent="kf1"]')
    assert row.locator("td.total strong").inner_text() == "54.25"
    assert row.locator(".incomplete").count() == 0
    cell = row.locator('td[data-item="daily_work"]')
    assert cell.locator("input[name=score]").input_value() == "85"
    assert "manager1 录入于" in cell.inner_text()
    assert ManualScore.objects.get().score == Decimal("85.00")
    # The band table opens under an item, the agent's band marked.
    row.locator('td[data-item="payment_rate"] summary').click()
    current = row.locator('td[data-item="payment_rate"] tr.current')
    assert current.inner_text().split() == ["50", "%", "≤", "X", "<", "60", "%", "60"]
