"""Customer insight in Chromium (issue 18, runs): a manager runs a (fake, slow) model family
from the overview, watches its progress bar move and reach done without reloading by hand,
opens the run's detail and a customer's 预测 panel; the pages at 1440 and 390 px in Chinese
and English, without horizontal overflow on the phone. Screenshots under var/screenshots/."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings

from guanxi.insight import runs
from guanxi.insight.job_api import JobResult
from guanxi.insight.models import ModelRun, RunState
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, MEASURE, PHONE, SHOTS
from tests.customers.helpers import KEY, customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = ["读取订单", "整理交易", "拟合 BG/NBD", "拟合 Gamma-Gamma", "给客户打分"]


def slow_fit(params, progress):
    for i, step in enumerate(STEPS):
        progress(i / len(STEPS), step)
        time.sleep(0.4)
    return JobResult(
        metrics={
            "customers": 1, "clv_total": 88.5, "r": 0.2430, "alpha": 4.414, "a": 0.793, "b": 2.426
        },
        customers={KEY: {"p_alive": 0.82, "expected_30": 0.21, "expected_90": 0.6,
                         "expected_365": 2.2, "expected_value": 120, "clv": 264.5}},
    )  # fmt: skip


def _shots(page, url: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1440", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_load_state("load")
        fit = page.evaluate(MEASURE)  # nothing sticks out, on the phone nor the desktop
        assert fit["scroll"] <= fit["inner"], (name, label, fit["wide"])
        page.screenshot(path=str(SHOTS / f"insight-{name}-{label}.png"), full_page=True)


def _execute_later(run_id: int) -> threading.Thread:
    def work() -> None:
        try:
            runs.execute(run_id)
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
def test_run_a_model_and_see_it_on_the_profile(page, live_server, make_user, monkeypatch) -> None:
    customer()
    runs.register("clv", slow_fit)
    monkeypatch.setattr(runs, "PROGRESS_EVERY", 0.0)
    try:
        manager = make_user("manager")
        base = live_server.url
        _login(page, base, manager.username, manager.password)
        page.wait_for_url(f"{base}/store/")
        page.goto(f"{base}/insight/")
        assert "还没有成功的运行" in page.locator("#family-clv").inner_text()

        # A bad parameter is refused beside its field; then a good run is queued.
        page.click("#family-clv summary")
        page.fill("#id_clv-margin", "1.5")
        page.click("#family-clv button[type=submit]")
        assert "请填写 0.0001 至 1.0 之间的数字。" in page.locator("#family-clv").inner_text()
        page.fill("#id_clv-margin", "0.3")
        page.click("#family-clv button[type=submit]")
        page.wait_for_selector("#run-history tr[data-state=queued]")
        run = ModelRun.objects.get()
        # The worker (here: a thread) picks it up; the page polls and the bar moves.
        worker = _execute_later(run.pk)
        row = f'#run-history tr[data-run="{run.pk}"]'
        page.wait_for_function(
            f"""() => {{ const b = document.querySelector('{row} .bar');
                     return b && +b.getAttribute('aria-valuenow') > 0; }}""",
            timeout=10_000,
        )
        worker.join(timeout=15)
        # When it is done, the page reloads itself: the serving pill and the figures show.
        page.wait_for_selector("#family-clv .pill.serving", timeout=10_000)
        assert ModelRun.objects.get().state == RunState.DONE
        card = page.locator("#family-clv").inner_text()
        assert "终身价值合计" in card and "88.5" in card  # the headline, named
        assert page.locator(f"{row} .bar").get_attribute("aria-valuenow") == "100"

        page.click(f'{row} a[href="/insight/runs/{run.pk}/"]')
        page.wait_for_selector("#run-metrics")
        assert "alpha" in page.locator("#run-metrics").inner_text()

        page.goto(f"{base}/customers/{KEY}/")
        panel = page.locator("#prediction").inner_text()
        assert "82%" in panel and "¥264.50" in panel

        _shots(page, f"{base}/insight/", "overview-zh")
        _shots(page, f"{base}/insight/runs/{run.pk}/", "run-zh")
        _shots(page, f"{base}/customers/{KEY}/", "profile-zh")
        page.set_viewport_size(DESKTOP)
        page.click('button[data-lang="en"]')
        page.wait_for_load_state("load")
        _shots(page, f"{base}/insight/", "overview-en")
        assert "Run history" in page.content()
        _shots(page, f"{base}/insight/runs/{run.pk}/", "run-en")
        _shots(page, f"{base}/customers/{KEY}/", "profile-en")
        assert "Predictions" in page.locator("#prediction").inner_text()
        assert Decimal(str(ModelRun.objects.get().params["margin"])) == Decimal("0.3")
    finally:
        runs.register("clv", None)
