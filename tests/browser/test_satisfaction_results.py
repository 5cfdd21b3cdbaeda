"""The survey results and SERVQUAL pages in a browser, at 1440 px and on a 390 px phone, in
Chinese and English: charts drawn, a stored <script> in a text answer runs nothing, nothing
wider than the screen. Screenshots in var/screenshots."""

from __future__ import annotations

import pytest

from tests.browser.test_foundation import _login, _shot
from tests.browser.test_phone_layout import DESKTOP, PHONE, _fits, _wait_for_charts
from tests.satisfaction.results_data import feedback_survey, servqual_survey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_results_and_servqual_pages(browser, live_server, make_user) -> None:
    fb = feedback_survey()
    sq, _items = servqual_survey()
    manager = make_user("manager")
    base = live_server.url
    problems: list[str] = []
    dialogs: list[str] = []
    for size, viewport in (("1440", DESKTOP), ("390", PHONE)):
        context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
        page = context.new_page()

        def refuse(dialog) -> None:  # an alert() would mean a stored script ran
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", refuse)
        _login(page, base, manager.username, manager.password)
        page.wait_for_url(f"{base}/store/")
        for language in ("zh-hans", "en"):
            if language == "en":
                if size == "390":
                    page.locator("button.menu-toggle").click()
                page.click('button[data-lang="en"]')
                page.wait_for_selector('html[lang="en"]')
            page.goto(f"{base}/satisfaction/results/")
            assert page.locator("#surveys-table tbody tr").count() == 2
            problems.append(_fits(page, f"results [{language} {size}]") or "")
            _shot(page, f"sat-results-{language}-{size}")
            url = f"{base}/satisfaction/results/{fb.survey.pk}/?start=2026-10-01&end=2026-11-30"
            page.goto(url)
            _wait_for_charts(page)
            for chart in ("nps-chart", "by-chart", "themes-chart", f"q{fb.choice.pk}-chart"):
                assert page.locator(f"#{chart} .main-svg").count() > 0, chart
            assert page.locator("#texts-table .answer-text", has_text="<script>").count() == 1
            problems.append(_fits(page, f"survey results [{language} {size}]") or "")
            _shot(page, f"sat-survey-results-{language}-{size}")
            page.goto(f"{base}/satisfaction/results/servqual/{sq.pk}/")
            _wait_for_charts(page)
            assert page.locator("#servqual-chart .main-svg").count() > 0
            problems.append(_fits(page, f"servqual [{language} {size}]") or "")
            _shot(page, f"sat-servqual-{language}-{size}")
        context.close()
    assert dialogs == []  # the stored <script>alert(1)</script> never ran
    assert not [p for p in problems if p], problems
