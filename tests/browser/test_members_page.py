"""The members page (会员等级与成长值) in a browser: on the small demo shop, at 1440 px and on
a 390 px phone, in Chinese and English — the histogram drawn, nothing wider than the
screen, a refused setting shown beside its field; screenshots in var/screenshots."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi import demo
from guanxi.lake import Lake
from guanxi.loyalty import member_scores
from tests.browser.test_foundation import _login, _shot
from tests.browser.test_phone_layout import DESKTOP, PHONE, SHOTS, _fits, _wait_for_charts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_members_page_on_desktop_and_phone(browser, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    done = member_scores.compute(dt.date(2026, 1, 1))  # the demo's data ends in 2025
    assert done.customers > 0
    manager = make_user("manager")
    base = live_server.url
    problems: list[str] = []
    for size, viewport in (("1440", DESKTOP), ("390", PHONE)):
        context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        _login(page, base, manager.username, manager.password)
        page.wait_for_url(f"{base}/store/")
        for language in ("zh-hans", "en"):
            if language == "en":
                if size == "390":
                    page.locator("button.menu-toggle").click()
                page.click('button[data-lang="en"]')
                page.wait_for_selector('html[lang="en"]')
            page.goto(f"{base}/loyalty/members/")
            _wait_for_charts(page)
            assert page.locator("#members-histogram .main-svg").count() > 0
            assert page.locator("#members-histogram g.point").count() > 0  # bars drawn
            assert page.locator("#tier-table tbody tr").count() == 3
            problems.append(_fits(page, f"members [{language} {size}]") or "")
            _shot(page, f"members-{language}-{size}")
            if size == "390":  # the long page in parts, to look at closely
                for part in ("members-run", "tier-table", "members-formula", "members-settings"):
                    page.locator(f"#{part}").screenshot(
                        path=str(SHOTS / f"members-{language}-390-{part}.png")
                    )
                page.locator(".members-dist").screenshot(
                    path=str(SHOTS / f"members-{language}-390-histogram.png")
                )
        # A refused setting (APASS below super) is shown beside its field, in English now.
        page.fill("#id_apass_from", "900")
        page.click("#members-settings button[type=submit]")
        page.wait_for_selector('.field-error[data-field="apass_from"]')
        assert "overlaps" in page.locator('.field-error[data-field="apass_from"]').inner_text()
        problems.append(_fits(page, f"members refused [{size}]") or "")
        _shot(page, f"members-refused-en-{size}")
        context.close()
    assert [p for p in problems if p] == []
