"""The clusters page in a browser: drawn in zh-Hans and English at 1440 and 390 px, with no
horizontal overflow (the shop and fit come from tests/insight/test_clusters_page.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.lake import Lake
from tests.insight.test_clusters_page import _fit, _serve, _shop


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_in_a_browser(browser, live_server, make_user, lake: Lake) -> None:
    from tests.browser.test_phone_layout import MEASURE

    _shop(lake)
    _serve(_fit())
    shots = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    creds = make_user("manager")
    for language in ("zh-CN", "en"):
        context = browser.new_context(locale=language, viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", creds.username)
        page.fill("#id_password", creds.password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        if language == "en":
            context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        page.goto(f"{live_server.url}/insight/clusters/")
        page.wait_for_selector("#silhouette-chart .main-svg")
        page.wait_for_selector("#scatter-chart .main-svg")
        assert page.locator(".cluster-card").count() == 3
        tag = "zh" if language == "zh-CN" else "en"
        page.screenshot(path=str(shots / f"clusters-{tag}-1440.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        page.wait_for_selector("#scatter-chart .main-svg")
        size = page.evaluate(MEASURE)
        assert size["scroll"] <= size["inner"], size
        page.screenshot(path=str(shots / f"clusters-{tag}-390.png"), full_page=True)
        context.close()
