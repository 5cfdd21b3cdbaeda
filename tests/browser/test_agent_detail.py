"""From the agents table to one agent's detail and on to a slow round's conversation, in a
real browser on the demo shop; screenshots in Chinese and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi import demo
from guanxi.accounts.models import Agent
from guanxi.lake import Lake
from guanxi.performance.detail import selectors as detail_selectors
from guanxi.store import selectors as store_selectors
from guanxi.web.exports.values import text_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_detail_and_conversation(page, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    manager = make_user("manager")
    base = live_server.url
    agent_id = demo.AGENTS[0].agent_id
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", manager.password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/store/")

    # The agents table links each agent to their detail for the same period.
    page.goto(f"{base}/performance/agents/")
    page.click(f'tr[data-agent="{agent_id}"] a.agent-link')
    page.wait_for_url(re.compile(rf".*/performance/agents/{agent_id}/\?start=.*"))
    latest = store_selectors.latest_traffic_day()
    assert latest is not None
    period = store_selectors.default_period(latest)
    report = detail_selectors.agent_report(agent_id, period)
    assert report is not None
    sales = page.locator('[data-metric="sales_amount"] .value').inner_text()
    assert sales == text_value(report.sales_amount, "money")
    # Demo agents have rotas: business-time tiles with the report's figures, no rota note.
    for key in ("first_response_business_seconds", "avg_response_business_seconds"):
        shown = page.locator(f'[data-metric="{key}"] .value').inner_text()
        assert shown == text_value(getattr(report, key), "seconds")
        assert getattr(report, key) is not None
    assert page.locator("#no-rota").count() == 0
    for chart in ("chart-volume", "chart-speed", "chart-rates", "chart-distribution"):
        page.wait_for_selector(f"#{chart} .main-svg")  # Plotly drew it
    assert page.locator("#daily-table tbody tr").count() == period.days
    _shot(page, "agent-detail-zh")

    # The slowest round opens its conversation at that round, highlighted.
    first = page.locator("#slowest tbody tr").first
    session_id = first.get_attribute("data-session")
    round_no = first.get_attribute("data-round")
    first.locator("a").first.click()
    page.wait_for_url(
        re.compile(rf".*/performance/sessions/{session_id}/\?round={round_no}#round-{round_no}")
    )
    target = page.locator(f"#round-{round_no}")
    assert "target" in (target.get_attribute("class") or "")
    assert target.is_visible()
    reply = page.locator(f'.msg.agent.target[data-round="{round_no}"] .wait')
    assert re.search(r"等待 \d+\.\d 秒", reply.inner_text())
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page.locator("main").inner_text())
    _shot(page, "conversation-zh")

    # English: the same pages, English labels.
    page.click('button[data-lang="en"]')
    # (The new msgids' English reaches the .po when the lead regenerates it after merging.)
    page.wait_for_selector('html[lang="en"] nav >> text=Agent performance')
    _shot(page, "conversation-en")
    page.go_back()
    page.goto(f"{base}/performance/agents/{agent_id}/")
    page.wait_for_selector('html[lang="en"]')
    page.wait_for_selector("#chart-distribution .main-svg")
    label = page.locator('[data-metric="avg_response_business_seconds"] .label').inner_text()
    assert label == "Average response, business time (s)"
    _shot(page, "agent-detail-en")

    # Without a rota: no business-time tiles, a note saying why.
    Agent.objects.filter(agent_id=agent_id).update(workday_hours="", restday_hours="")
    page.reload()
    assert page.locator("#no-rota").inner_text().startswith("This agent has no rota")
    assert page.locator('[data-metric="first_response_business_seconds"]').count() == 0
    _shot(page, "agent-detail-no-rota-en")
