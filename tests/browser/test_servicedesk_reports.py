"""The service desk's report page in a browser, at 1440 px and on a 390 px phone, in Chinese
and English: the three charts drawn, nothing wider than the screen; the service-desk tables
of the performance page and the monthly report on the phone. Screenshots in var/screenshots."""

from __future__ import annotations

import pytest

from tests.browser.test_foundation import _login, _shot
from tests.browser.test_phone_layout import DESKTOP, PHONE, SHOTS, _fits, _wait_for_charts
from tests.servicedesk.test_reports_pages import desk  # noqa: F401 — tickets and orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_page_on_desktop_and_phone(browser, live_server, make_user, desk) -> None:  # noqa: F811
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
            page.goto(f"{base}/servicedesk/reports/?start=2025-06-01&end=2025-06-30")
            _wait_for_charts(page)
            for chart in ("open-chart", "sla-chart", "weeks-chart"):
                assert page.locator(f"#{chart} .main-svg").count() > 0, chart
            assert page.locator("#rates-table tbody tr").count() == 2
            problems.append(_fits(page, f"desk report [{language} {size}]") or "")
            _shot(page, f"desk-report-{language}-{size}")
            if size != "390":  # the two hooks are small tables: the phone is their test
                continue
            page.goto(f"{base}/performance/agents/?start=2025-06-01&end=2025-06-30")
            assert page.locator("#desk-agent-table tbody tr").count() == 2
            problems.append(_fits(page, f"performance desk [{language} {size}]") or "")
            page.locator("#desk-figures").screenshot(
                path=str(SHOTS / f"desk-performance-{language}-{size}.png")
            )
            page.goto(f"{base}/reports/monthly/?month=2025-06")
            problems.append(_fits(page, f"monthly desk [{language} {size}]") or "")
            page.locator("#servicedesk").screenshot(
                path=str(SHOTS / f"desk-monthly-{language}-{size}.png")
            )
        context.close()
    assert not [p for p in problems if p], problems
