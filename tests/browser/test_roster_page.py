"""The roster page in a browser: a manager sets a rota, a bad one is named, and the agent
performance page then shows business-time response figures."""

from __future__ import annotations

import pytest

from guanxi import demo
from guanxi.accounts.models import Agent
from guanxi.lake import Lake
from tests.browser.test_foundation import _login, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sets_a_rota(page, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    Agent.objects.update(workday_hours="", restday_hours="")  # start without rotas
    manager = make_user("manager")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")

    agents_url = f"{base}/performance/agents/?start=2025-11-01&end=2025-11-30"
    page.goto(agents_url)
    assert page.locator('th:has-text("首次响应时间（工作时间）")').count() == 0

    page.goto(f"{base}/accounts/agents/")
    first = "#id_form-0-workday_hours"
    page.fill(first, "18:00-09:00")
    page.click("main button[type=submit]")
    error = page.locator(".field-error").first.inner_text()
    assert "结束早于开始" in error
    _shot(page, "roster-error-zh")
    assert Agent.objects.get(agent_id="kf01").workday_hours == ""  # nothing saved

    page.fill(first, "09:00-12:00, 13:30-24:00")
    page.fill("#id_form-0-restday_hours", "10:00-22:00")
    page.click("main button[type=submit]")
    page.wait_for_selector(".flash")
    kf01 = Agent.objects.get(agent_id="kf01")
    assert (kf01.workday_hours, kf01.restday_hours) == ("09:00-12:00, 13:30-24:00", "10:00-22:00")
    _shot(page, "roster-zh")

    page.goto(agents_url)
    header = page.locator('th:has-text("首次响应时间（工作时间）")')
    assert header.count() == 1
    cell = page.locator('tr[data-agent="kf01"] td[data-metric="avg_response_business_seconds"]')
    assert cell.get_attribute("data-value")  # kf01 has a figure; agents without a rota: none
    empty = page.locator('tr[data-agent="kf02"] td[data-metric="avg_response_business_seconds"]')
    assert empty.get_attribute("data-value") == ""
    _shot(page, "agents-business-zh")

    page.click('button[data-lang="en"]')
    page.goto(f"{base}/accounts/agents/")
    assert page.locator("h1").inner_text() == "Agent roster"
    _shot(page, "roster-en")
    page.goto(agents_url)
    assert page.locator('th:has-text("First response, business time (s)")').count() == 1
    _shot(page, "agents-business-en")
