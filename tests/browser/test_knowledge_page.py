"""Issue 16 item 6 in a real browser: an agent searches the knowledge base with a customer's
words (a synonym of the entry's), sees the matched words highlighted, copies the answer and
the use is counted; the pages fit a phone in both languages without a CSP violation.
Screenshots at 1440 and 390 px, zh-Hans and English, under var/screenshots/."""

from __future__ import annotations

import pytest

from guanxi.knowledge.models import Entry
from tests.browser.test_content_security_policy import LISTEN
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, MEASURE, PHONE, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_search_copy_and_count_a_use(page, live_server, make_user) -> None:
    Entry.objects.all().delete()  # the starter set: two entries of our own instead
    entry = Entry.objects.create(
        kind="qa", question="退货运费谁出？", answer="质量问题由店铺承担运费。", keywords="运费"
    )
    Entry.objects.create(kind="qa", question="什么时候发货？", answer="48 小时内发货。")
    from guanxi.knowledge.services import replace_synonyms

    replace_synonyms("退货、退换、退回\n运费、邮费")
    base = live_server.url
    agent = make_user("agent")
    page.add_init_script(LISTEN)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.set_viewport_size(DESKTOP)
    _login(page, base, agent.username, agent.password)
    page.goto(f"{base}/knowledge/?q=退回的邮费")
    first = page.locator(".kb-entry").first
    assert first.get_attribute("data-entry") == str(entry.id)
    assert first.locator("mark").all_inner_texts() == ["退货", "运费", "运费"]
    assert page.locator("#kb-new").count() == 0  # agents view and use, never edit
    first.locator("form.kb-use button").click()
    page.wait_for_function("() => document.querySelector('.kb-uses b').textContent === '1'")
    assert first.locator("form.kb-use button").inner_text() == "已复制"
    assert page.evaluate("navigator.clipboard.readText()") == "质量问题由店铺承担运费。"
    entry.refresh_from_db()
    assert entry.uses == 1

    manager = make_user("manager")
    page.context.clear_cookies()
    _login(page, base, manager.username, manager.password)
    pages = {
        "search": "/knowledge/?q=退回的邮费",
        "list": "/knowledge/",
        "edit": f"/knowledge/{entry.id}/edit/",
        "synonyms": "/knowledge/synonyms/",
    }
    problems: list[str] = []
    for language in ("zh", "en"):
        if language == "en":
            page.set_viewport_size(DESKTOP)  # the phone hides the switch behind ☰
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
        for width, viewport in (("1440", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(viewport)
            for name, url in pages.items():
                page.goto(base + url)
                size = page.evaluate(MEASURE)
                if size["scroll"] > size["inner"]:
                    problems.append(f"{name} {width} {language}: {size}")
                problems += [f"{name}: {v}" for v in page.evaluate("window.__csp || []")]
                _shot(page, f"knowledge-{name}-{width}-{language}")
    assert problems == []
    page.goto(base + pages["search"])
    assert page.locator(".kb-entry form.kb-use button").first.inner_text() == "Copy answer"
