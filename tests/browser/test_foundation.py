"""The foundation's walk-through in a real browser (Playwright + Debian's Chromium).

A manager logs in, sees the demo shop's figures on the dashboard, switches to English and
opens the customer list with masked phones; an agent is refused the reveal and the export.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from guanxi import demo
from guanxi.core.timeutil import month_period
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from guanxi.store import selectors as store_selectors
from guanxi.web.exports.values import text_value

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_manager_and_agent_walk_through(page, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    manager = make_user("manager")
    agent = make_user("agent", agent_id=demo.AGENTS[0].agent_id)
    base = live_server.url

    # The manager lands on the dashboard, in Chinese, for the month of the latest data.
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    assert page.locator("h1").inner_text() == "店铺概况"
    latest = store_selectors.latest_traffic_day()
    assert latest is not None
    expected = store_selectors.store_period_figures(month_period(latest.year, latest.month))
    assert expected.has_data
    tile = page.locator('[data-metric="paid_amount"] .value')
    assert tile.inner_text() == text_value(expected.paid_amount, "money")
    uv = page.locator('[data-metric="uv"] .value').inner_text()
    assert uv == text_value(expected.uv, "count")
    page.wait_for_selector("#trend-chart .main-svg")  # Plotly drew the chart
    _shot(page, "dashboard-zh")

    # Switch to English: the same figures, English labels.
    page.click('button[data-lang="en"]')
    page.wait_for_selector("h1:text('Store overview')")
    assert page.locator('[data-metric="paid_amount"] .value').inner_text() == tile.inner_text()
    _shot(page, "dashboard-en")

    # The customer list shows masked phones only.
    page.click("nav.mainnav >> text=Customers")
    page.wait_for_url(re.compile(r".*/customers/.*"))
    body = page.locator("main").inner_text()
    assert re.search(r"1[3-9]\d\*{4}\d{4}", body)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", body)
    _shot(page, "customers-en")

    # An agent may look customers up but is refused the reveal and the export.
    page.context.clear_cookies()
    _login(page, base, agent.username, agent.password)
    page.wait_for_url(re.compile(r".*/customers/.*"))
    customer = Customer.objects.order_by("customer_key").first()
    assert customer is not None
    page.goto(f"{base}/customers/{customer.customer_key}/")
    assert page.locator("form.reveal").count() == 0  # no reveal button offered
    # The CSRF cookie is HttpOnly: take the token from the page's language form.
    csrf = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    reveal = page.request.post(
        f"{base}/customers/{customer.customer_key}/reveal/",
        headers={"X-CSRFToken": csrf, "Referer": base},
    )
    assert reveal.status == 403
    assert page.request.get(f"{base}/customers/export.csv").status == 403
    assert page.request.get(f"{base}/store/").status == 403
