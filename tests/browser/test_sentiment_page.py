"""Issue 17 item 5 in a real browser: the sentiment model page with its chart, tables and
the try-a-sentence box, in both languages, at 1440 and 390 px, without horizontal overflow
or a CSP violation. Screenshots under var/screenshots/ (sentiment-*)."""

from __future__ import annotations

import pytest

from guanxi.satisfaction import sentiment_store
from tests.browser.test_content_security_policy import LISTEN
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, MEASURE, PHONE, SHOTS
from tests.stats.sentiment_small import loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sentiment_page_in_both_languages_and_on_a_phone(
    page, live_server, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sentiment_store, "_current", loaded())  # the live server's thread too
    base = live_server.url
    manager = make_user("manager")
    page.add_init_script(LISTEN)
    page.set_viewport_size(DESKTOP)
    _login(page, base, manager.username, manager.password)
    problems: list[str] = []
    for language in ("zh", "en"):
        if language == "en":
            page.set_viewport_size(DESKTOP)
            page.click('button[data-lang="en"]')
            page.wait_for_selector('html[lang="en"]')
        for width, viewport in (("1440", DESKTOP), ("390", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(f"{base}/satisfaction/sentiment/")
            page.fill("#id_text", "衣服不错就是物流太慢")
            page.click("#try-form button[type=submit]")
            page.wait_for_selector("#try-result")
            page.wait_for_selector("#sentiment-chart .main-svg")  # Plotly drew the bars
            size = page.evaluate(MEASURE)
            if size["scroll"] > size["inner"]:
                problems.append(f"{width} {language}: {size}")
            problems += [f"{width} {language}: {v}" for v in page.evaluate("window.__csp || []")]
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"sentiment-{width}-{language}.png"), full_page=True)
            page.locator("#sentiment-chart").screenshot(
                path=str(SHOTS / f"sentiment-chart-{width}-{language}.png")
            )
    assert problems == []
    result = page.inner_text("#try-result")
    assert "P(positive)" in result and "Logistics" in result
