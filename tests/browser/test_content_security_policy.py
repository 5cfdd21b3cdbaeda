"""The Content-Security-Policy in a real browser (issue 13 item 8): every page, in both
languages, draws its charts and runs its scripts without a single violation — no inline
script, no inline event handler — while an injected inline script is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi import demo
from guanxi.lake import Lake
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import _demo_pages, _wait_for_charts
from tests.imports.exports import TWO_ORDERS, write_taobao_orders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the page reports, whatever its source (scripts, handlers, styles, frames).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
    + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def _violations(page, name: str, console: list[str]) -> list[str]:
    found = [f"{name}: {v}" for v in page.evaluate("window.__csp || []")]
    found += [f"{name}: {line}" for line in console]
    console.clear()
    return found


def test_every_page_passes_the_content_security_policy(
    page, live_server, make_user, lake: Lake, tmp_path: Path
) -> None:
    demo.build("small", 7, lake)
    manager = make_user("manager")
    admin = make_user("admin")
    base = live_server.url
    console: list[str] = []
    page.set_default_timeout(120_000)  # a loaded machine (shared CI) draws slowly
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    problems: list[str] = []

    page.goto(f"{base}/accounts/login/")
    assert (
        "script-src 'self'"
        in (page.context.request.get(page.url).headers)["content-security-policy"]
    )
    problems += _violations(page, "login", console)
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    _wait_for_charts(page)
    problems += _violations(page, "dashboard after login", console)

    # The import pages, and the mapping select that submits itself (was an inline onchange).
    page.goto(f"{base}/imports/")
    report = write_taobao_orders(tmp_path / "订单报表.csv", TWO_ORDERS, encoding="gbk")
    page.select_option("#id_kind", "orders")
    page.select_option("#id_platform", "taobao")
    page.set_input_files("#id_file", str(report))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#mapping-form")
    problems += _violations(page, "imports-preview", console)
    page.click("#start-import")
    page.wait_for_selector("#counts")
    problems += _violations(page, "imports-status", console)

    pages = _demo_pages(base, page)
    for language in ("zh-hans", "en"):
        if language == "en":
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
        for name, url in pages.items():
            page.goto(url)
            _wait_for_charts(page)
            problems += _violations(page, f"{name} [{language}]", console)

    # The customer search (a POST, the text kept out of the URL) and the menu script.
    page.goto(f"{base}/customers/")
    page.fill("#id_q", "13800000000")
    page.click("#customer-search button[type=submit]")
    page.wait_for_url(lambda url: "/customers/" in url and "13800000000" not in url)
    problems += _violations(page, "customer search", console)

    page.context.clear_cookies()
    _login(page, base, admin.username, admin.password)
    page.wait_for_url(f"{base}/store/")
    for name, path in (("users", "/accounts/users/"), ("audit", "/customers/audit/")):
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        problems += _violations(page, name, console)

    assert problems == []

    # The listener hears a violation when there is one: an injected inline script is refused.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_function("() => window.__csp.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert page.evaluate("window.__csp")[0].startswith("script-src-elem inline")
