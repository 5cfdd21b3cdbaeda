"""Every page at a phone's 390 × 844 (issue 12 item 7): the page is never wider than the
screen, the ☰ button opens the top menu (logout and the language switch included), and a
wide table scrolls inside its own box with its first column pinned.

Each test builds the demo shop and logs in once, then walks every page in a loop: one test
per page would repeat the build, the login and the browser context some twenty times.
Screenshots (phone and desktop, Chinese and English) go to GUANXI_SHOTS or var/screenshots.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from guanxi import demo
from guanxi.lake import Lake
from tests.browser.test_foundation import _login
from tests.imports.exports import TWO_ORDERS, write_taobao_orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# Where the screenshots go: GUANXI_SHOTS, or the repository's var/screenshots.
SHOTS = Path(
    os.environ.get("GUANXI_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)

# The width of the document and of the window, and every element that sticks out on the
# right (by tag, id and class) so a failure names the culprit.
MEASURE = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".scroll")) continue;  // a table box scrolls on its own
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 0.5) {
      const classes = typeof el.className === "string" ? el.className.trim() : "";
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (classes ? "." + classes.split(/\\s+/).join(".") : "") + " " + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def phone(browser) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=2)
    page = context.new_page()
    yield page
    context.close()


def _fits(page, name: str) -> str | None:
    """None when the page is no wider than the window; else what sticks out."""
    page.wait_for_load_state("load")
    size = page.evaluate(MEASURE)
    if size["scroll"] <= size["inner"]:
        return None
    return f"{name} ({page.url}): {size['scroll']} px > {size['inner']} px; {size['wide']}"


def _wait_for_charts(page) -> None:
    """Plotly draws as the page's scripts run; measure once every chart has its SVG."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".every(el => el.querySelector('.main-svg'))"
    )


def _demo_pages(base: str, page) -> dict[str, str]:
    """(name, url) of every GET page that renders HTML, with ids taken from the demo shop."""
    agent_id = demo.AGENTS[0].agent_id
    page.goto(f"{base}/performance/agents/{agent_id}/")
    slowest = page.locator("#slowest tbody tr").first
    session_id = slowest.get_attribute("data-session")
    customer_key = slowest.locator("td").nth(1).locator(".key").inner_text()  # one who chats
    assert session_id and customer_key
    pages = [
        ("dashboard", f"{base}/store/"),
        ("agents", f"{base}/performance/agents/"),
        ("agents-team", f"{base}/performance/agents/?view=team"),
        ("trend", f"{base}/performance/trend/"),
        ("dsr", f"{base}/store/dsr/"),
        ("funnel", f"{base}/store/funnel/"),
        ("scorecard", f"{base}/performance/scorecard/"),
        ("settings", f"{base}/performance/settings/"),
        ("agent-detail", f"{base}/performance/agents/{agent_id}/"),
        ("session", f"{base}/performance/sessions/{session_id}/"),
        ("monthly", f"{base}/reports/monthly/"),
        ("customers", f"{base}/customers/"),
        ("customer-detail", f"{base}/customers/{customer_key}/"),
        ("merges", f"{base}/customers/merges/"),
        ("rfm", f"{base}/customers/rfm/"),
        ("customer-analytics", f"{base}/customers/analytics/"),
        ("customer-rules", f"{base}/customers/rules/"),
        ("members", f"{base}/loyalty/members/"),
        ("segments", f"{base}/segments/"),
        ("segment-new", f"{base}/segments/new/"),
        ("roster", f"{base}/accounts/agents/"),
        ("imports-upload", f"{base}/imports/"),
        ("imports-history", f"{base}/imports/history/"),
    ]
    return dict(pages)


def _check_menu(page) -> None:
    """Closed: the ☰ button shows, logout and English do not; open: they do; closed again."""
    toggle = page.locator("button.menu-toggle")
    logout = page.locator("header button.link", has_text="退出")
    english = page.locator('header button[data-lang="en"]')
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-label") == "菜单"
    assert not logout.is_visible() and not english.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert logout.is_visible() and english.is_visible()
    assert page.locator("nav.mainnav a", has_text=re.compile("^客户$")).is_visible()
    assert _fits(page, "menu open") is None
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not logout.is_visible()


def _check_table_box(page, table: str) -> None:
    """The table's box scrolls sideways while the page does not; its first column stays put."""
    box = page.locator(f"{table} >> xpath=..")
    assert "scroll" in (box.get_attribute("class") or "").split()
    widths = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] > widths[1], f"{table}'s box does not scroll: {widths}"
    first = page.locator(f"{table} tbody tr").first.locator("td").first
    second = page.locator(f"{table} tbody tr").first.locator("td").nth(1)
    before = first.bounding_box(), second.bounding_box()
    box.evaluate("el => { el.scrollLeft = 150; }")
    after = first.bounding_box(), second.bounding_box()
    assert before[0] and before[1] and after[0] and after[1]
    assert after[0]["x"] == before[0]["x"]  # pinned
    assert after[1]["x"] < before[1]["x"]  # the rest scrolled
    assert page.evaluate("window.scrollX") == 0
    box.evaluate("el => { el.scrollLeft = 0; }")


def _check_chart(page, chart: str, *, toolbar: bool) -> None:
    """The legend sits below the plot area; the toolbar is absent (phone) or clear of it."""
    page.wait_for_selector(f"{chart} .main-svg")
    legend = page.locator(f"{chart} g.legend").bounding_box()
    plot = page.locator(f"{chart} rect.nsewdrag").first.bounding_box()
    assert legend and plot
    assert legend["y"] >= plot["y"] + plot["height"]
    # ... and below the x axis's labels too, tilted ones included (it once covered them)
    ticks = page.locator(f"{chart} g.xtick text")
    boxes = [ticks.nth(i).bounding_box() for i in range(ticks.count())]
    lowest = max((b["y"] + b["height"] for b in boxes if b), default=0.0)
    assert legend["y"] >= lowest - 1, f"{chart}: the legend covers the x axis's labels"
    modebar = page.locator(f"{chart} .modebar")
    if not toolbar:
        assert modebar.count() == 0
        return
    page.hover(f"{chart} rect.nsewdrag")
    bar = modebar.bounding_box()
    assert bar and bar["y"] + bar["height"] <= legend["y"]


def test_every_page_fits_a_phone(phone, live_server, make_user, lake: Lake, tmp_path: Path):
    demo.build("small", 7, lake)
    manager = make_user("manager")
    admin = make_user("admin")
    base = live_server.url
    page = phone
    problems: list[str] = []

    page.goto(f"{base}/accounts/login/")
    problems.append(_fits(page, "login") or "")
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    _check_menu(page)
    _check_chart(page, "#trend-chart", toolbar=False)

    # An upload walks the import pages: upload form, preview, status.
    page.goto(f"{base}/imports/")
    report = write_taobao_orders(tmp_path / "订单报表.csv", TWO_ORDERS, encoding="gbk")
    page.select_option("#id_kind", "orders")
    page.select_option("#id_platform", "taobao")
    page.set_input_files("#id_file", str(report))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#mapping-form")
    problems.append(_fits(page, "imports-preview") or "")
    _check_table_box(page, "#preview-rows")
    page.click("#start-import")
    page.wait_for_selector("#counts")
    problems.append(_fits(page, "imports-status") or "")

    pages = _demo_pages(base, page)
    for language in ("zh-hans", "en"):
        if language == "en":
            page.locator("button.menu-toggle").click()
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
            assert page.locator("button.menu-toggle").get_attribute("aria-label") == "Menu"
        for name, url in pages.items():
            page.goto(url)
            _wait_for_charts(page)
            problems.append(_fits(page, f"{name} [{language}]") or "")
    # The audit log is an admin's. (Left empty: its append-only trigger would refuse the
    # flush that ends a transactional test.)
    page.context.clear_cookies()
    _login(page, base, admin.username, admin.password)
    page.wait_for_url(f"{base}/store/")
    page.goto(f"{base}/customers/audit/")
    problems.append(_fits(page, "audit") or "")

    assert [p for p in problems if p] == []


def test_wide_tables_scroll_in_their_box(phone, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    manager = make_user("manager")
    base = live_server.url
    page = phone
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    for url, table in (
        ("/performance/agents/", "#agents-table"),
        ("/performance/trend/", "#trend-table"),
        ("/store/dsr/", "#dsr-table"),
        ("/performance/scorecard/", "#scorecard-table"),
        (f"/performance/agents/{demo.AGENTS[0].agent_id}/", "#daily-table"),
        ("/customers/", "#customer-table"),
    ):
        page.goto(f"{base}{url}")
        _check_table_box(page, table)
        assert _fits(page, url) is None

    # Screenshots to look at: three pages, both languages, phone and desktop.
    SHOTS.mkdir(parents=True, exist_ok=True)
    customer = _demo_pages(base, page)["customer-detail"]
    shots = {"agents": "/performance/agents/", "dashboard": "/store/", "customer": customer}
    for language in ("zh", "en"):
        if language == "en":
            page.goto(f"{base}/store/")
            page.locator("button.menu-toggle").click()
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            for name, url in shots.items():
                page.goto(url if url.startswith("http") else f"{base}{url}")
                _wait_for_charts(page)
                if name == "dashboard":
                    _check_chart(page, "#trend-chart", toolbar=viewport is DESKTOP)
                if viewport is DESKTOP:  # the menu stays inline on a desktop
                    assert not page.locator("button.menu-toggle").is_visible()
                    assert page.locator("header button.link").is_visible()
                width = viewport["width"]
                page.screenshot(
                    path=str(SHOTS / f"phone-{name}-{language}-{width}.png"), full_page=True
                )
        page.set_viewport_size(PHONE)
