"""The CLV page in a real browser on the demo shop, fitted by job_clv.fit (stored here as
the runner would store it): the charts draw, the page fits a phone, both languages.
Screenshots at 1440 and 390 px, Chinese and English, go to var/screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi import demo
from guanxi.insight import job_clv
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind, RunState
from guanxi.lake import Lake
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import MEASURE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _store(result: job_clv.JobResult) -> ModelRun:
    run = ModelRun.objects.create(
        kind=RunKind.CLV, state=RunState.DONE, serving=True, progress=100, metrics=result.metrics
    )
    CustomerPrediction.objects.bulk_create(
        CustomerPrediction(customer_key=key, clv_run=run, **values)
        for key, values in result.customers.items()
    )
    return run


def test_clv_page_on_the_demo_shop(page, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    result = job_clv.fit({}, lambda fraction, step: None)
    # the hold-out check ran and the serving fit converged on the demo's orders
    assert result.metrics["bgnbd"]["converged"] and result.metrics["holdout"]["buckets"]
    _store(result)
    manager = make_user("manager")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, tag in ((1440, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        for lang in ("zh", "en"):
            page.goto(f"{base}/insight/clv/")
            if lang == "en" and page.locator('button[data-lang="en"]').is_visible():
                page.click('button[data-lang="en"]')
            elif lang == "en":
                page.evaluate("document.querySelector('button[data-lang=\"en\"]').click()")
            page.wait_for_selector("#clv-holdout-chart .main-svg")
            page.wait_for_selector("#clv-distribution-chart .main-svg")
            heading = page.locator("h1").inner_text()
            assert heading == ("Customer lifetime value" if lang == "en" else "客户终身价值")
            fit = page.evaluate(MEASURE)
            assert fit["scroll"] <= fit["inner"], fit
            page.screenshot(path=str(SHOTS / f"clv-{tag}-{lang}.png"), full_page=True)
        # back to Chinese for the next width
        page.evaluate("document.querySelector('button[data-lang=\"zh-hans\"]')?.click()")
