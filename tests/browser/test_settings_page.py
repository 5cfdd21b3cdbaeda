"""A manager changes a platform reply rule on the settings page (Playwright + Chromium), and
the agents' Pinduoduo rate follows; screenshots in Chinese and English."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guanxi.lake import Lake
from guanxi.metrics.platform_rules import PlatformRules
from guanxi.performance import selectors as agent_selectors
from guanxi.performance import shop_settings
from tests.browser.test_foundation import _login, _shot
from tests.factories import chats_table
from tests.metrics.test_platform_rules import CHATS
from tests.performance.test_settings import DAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_the_pinduoduo_rule(page, live_server, make_user, lake: Lake) -> None:
    """tests/metrics/test_platform_rules.py's chats as Pinduoduo's: kf1 1/3 under SPEC's
    rule; with 5,400 s c2's 90-minute wait counts too → 2/3."""
    lake.write("chat_messages", chats_table(CHATS, platform="pdd"))
    manager = make_user("manager")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    page.goto(f"{base}/performance/settings/")
    group = page.locator("tr.group", has_text="平台回复规则")
    assert group.count() == 1
    for name in ("pdd_seconds", "pdd_from_hour", "pdd_to_hour", "douyin_seconds"):
        assert page.locator(f'tr[data-field="{name}"] input').is_visible()
    assert page.locator('tr[data-field="pdd_seconds"] td.default').inner_text() == "3600"
    # A reversed window is refused in the field's row; nothing is saved.
    page.fill('tr[data-field="pdd_from_hour"] input', "23")
    page.fill('tr[data-field="pdd_to_hour"] input', "8")
    page.click('button[name=action][value="rules"]')
    error = page.locator('tr[data-field="pdd_to_hour"] .errorlist')
    assert "the hours must start before they end (23 ≥ 8)" in error.inner_text()
    assert shop_settings.platform_rules() == PlatformRules()
    page.fill('tr[data-field="pdd_from_hour"] input', "8")
    page.fill('tr[data-field="pdd_to_hour"] input', "23")
    page.fill('tr[data-field="pdd_seconds"] input', "5400")
    page.click('button[name=action][value="rules"]')
    page.wait_for_selector(".flash.success")
    assert "changed" in (page.locator('tr[data-field="pdd_seconds"]').get_attribute("class") or "")
    assert shop_settings.platform_rules() == PlatformRules(pdd_seconds=5400)
    kf1 = next(r for r in agent_selectors.agent_period_reports(DAY) if r.unit == "kf1")
    assert kf1.pdd_effective_reply_rate == Decimal("0.6667")
    _shot(page, "settings-zh")

    page.click('button[data-lang="en"]')
    page.wait_for_selector("tr.group >> text=Platform reply rules")
    label = page.locator('tr[data-field="douyin_seconds"] label').inner_text()
    assert label == "Douyin manual reply limit"
    _shot(page, "settings-en")
