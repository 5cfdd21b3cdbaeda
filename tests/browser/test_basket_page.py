"""The 关联与推荐 page: a real basket fit (on a small seeded shop of tea-ware orders; the demo
shop's build would double the test's time) stored as the serving run, seen by marketing on
a desktop and on a phone, in Chinese and English (screenshots)."""

from __future__ import annotations

import os
import random
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from guanxi.insight import job_basket
from guanxi.insight.models import ModelRun, ProductRule, RunKind, RunState
from guanxi.lake import Lake
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import MEASURE
from tests.insight.test_basket_page import _shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(
    os.environ.get("GUANXI_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)


TITLES = {
    "T01": "西湖龙井 250g",
    "T02": "青花瓷盖碗",
    "T03": "紫砂茶壶 200ml",
    "T04": "竹制茶盘",
    "T05": "安溪铁观音 礼盒",
    "T06": "公道杯",
    "T07": "茶漏滤网",
    "T08": "云南普洱 357g 饼茶",
    "T09": "普洱茶刀",
    "T10": "旅行茶具套装",
}
# Products that go together (with their chance of being added to the basket).
PAIRS = {"T01": ("T02", 0.5), "T03": ("T04", 0.4), "T05": ("T06", 0.35), "T08": ("T09", 0.6)}


def _orders() -> list[tuple[str, list[str]]]:
    rng = random.Random(18)
    ids = list(TITLES)
    out: list[tuple[str, list[str]]] = []
    for _ in range(400):
        customer = f"k{rng.randrange(150)}"
        first = rng.choice(ids)
        basket = {first}
        partner = PAIRS.get(first)
        if partner and rng.random() < partner[1]:
            basket.add(partner[0])
        if rng.random() < 0.2:
            basket.add(rng.choice(ids))
        out.append((customer, sorted(basket)))
    return out


def _serving_run() -> ModelRun:
    result = job_basket.fit(
        {"min_support": 0.01, "min_confidence": 0.05, "k": 3}, lambda f, s: None
    )
    run = ModelRun.objects.create(
        kind=RunKind.BASKET,
        state=RunState.DONE,
        serving=True,
        progress=100,
        metrics=result.metrics,
        input_versions=result.input_versions,
    )
    ProductRule.objects.bulk_create(ProductRule(run=run, **r) for r in result.rules)
    return run


def test_basket_page_desktop_and_phone(browser, live_server, make_user, lake: Lake) -> None:
    _shop(lake, _orders())
    n = len(TITLES)
    lake.write(
        "products",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "product_id": list(TITLES),
                "title": list(TITLES.values()),
                "category": ["茶"] * n,
                "price": [Decimal("99.00")] * n,
            }
        ),
    )
    run = _serving_run()
    assert run.metrics["rules"] > 0 and run.metrics["bundles"]
    user = make_user("marketing")
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (
        ("desktop", {"width": 1440, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        _login(page, base, user.username, user.password)
        page.goto(f"{base}/insight/basket/")
        assert page.locator("h1").inner_text() == "关联规则与推荐"
        page.wait_for_selector("#evaluation-chart .main-svg")  # Plotly drew both charts
        page.wait_for_selector("#bundle-chart .main-svg")
        model = run.metrics["evaluation"]["model"]
        cell = page.locator('#evaluation-table tr[data-row="model"] td').first.inner_text()
        assert float(cell) == pytest.approx(model["hit_rate"], abs=1e-4)
        size = page.evaluate(MEASURE)
        assert size["scroll"] <= size["inner"], size["wide"]
        page.screenshot(path=str(SHOTS / f"basket-{name}-zh.png"), full_page=True)
        if name == "phone":
            page.locator("button.menu-toggle").click()
        page.click('button[data-lang="en"]')
        page.wait_for_selector("#evaluation-chart .main-svg")
        assert page.locator("h1").inner_text() == "Association rules and recommendations"
        size = page.evaluate(MEASURE)
        assert size["scroll"] <= size["inner"], size["wide"]
        page.screenshot(path=str(SHOTS / f"basket-{name}-en.png"), full_page=True)
        context.close()
