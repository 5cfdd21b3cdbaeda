"""Churn risk end to end on the small demo shop (1 500 customers, 12 months): the job fits
and measures the model against the recency baseline on a later held-out period, its
figures land on the page (charts drawn, numbers beside them, masked names, reasons), in
Chinese and English, at 1440 px and at a phone's 390 px with no horizontal overflow.

The runner (``insight.runs``) is another part's: here its storing is done by hand — the
run row marked serving and the per-customer values — the way ``JobResult`` describes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from guanxi import demo
from guanxi.customers.models import Customer
from guanxi.insight import job_churn
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind, RunState
from guanxi.lake import Lake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDER = "() => document.documentElement.scrollWidth - window.innerWidth"


def _store(result: job_churn.JobResult) -> None:
    run = ModelRun.objects.create(
        kind=RunKind.CHURN, state=RunState.DONE, serving=True, progress=100, metrics=result.metrics
    )
    people = Customer.objects.in_bulk(list(result.customers), field_name="customer_key")
    CustomerPrediction.objects.bulk_create(
        CustomerPrediction(customer_key=k, customer=people.get(k), churn_run=run, **v)
        for k, v in result.customers.items()
    )


def test_churn_on_the_demo_shop(page, live_server, make_user, lake: Lake) -> None:
    demo.build("small", 7, lake)
    result = job_churn.fit({}, lambda fraction, step: None)
    m = result.metrics
    # The figures for the report (pytest -s shows them).
    print(
        json.dumps(
            {
                k: m[k]
                for k in (
                    "train_customers",
                    "held_customers",
                    "held_churn_rate",
                    "scored_customers",
                    "valuable_at_risk",
                )
            }
        )
    )
    for who in ("model", "baseline"):
        print(who, "AUC", round(m[who]["auc"], 4), "lift", round(m[who]["lift_top_decile"], 3))
    assert 0.6 < m["model"]["auc"] <= 1 and 0.5 < m["baseline"]["auc"] <= 1
    assert m["valuable_at_risk"] > 0
    reasons = [c["churn_reasons"] for c in result.customers.values() if c["churn_reasons"]]
    assert len(reasons) == m["valuable_at_risk"]
    assert all(1 <= len(r) <= 3 and r[0]["zh"] and r[0]["en"] for r in reasons)
    _store(result)

    manager = make_user("manager")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", manager.username)
    page.fill("#id_password", manager.password)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/store/.*"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        if lang == "en":  # the language buttons show at desktop width
            page.set_viewport_size({"width": 1440, "height": 900})
            page.click('button[data-lang="en"]')
            page.wait_for_load_state()
        for width, height in ((1440, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/insight/churn/")
            page.wait_for_selector("#churn-deciles-chart .main-svg")
            page.wait_for_selector("#churn-calibration-chart .main-svg")
            assert page.evaluate(WIDER) <= 0, f"{lang} {width}px: wider than the window"
            page.screenshot(path=str(SHOTS / f"churn-{lang}-{width}.png"), full_page=True)
        body = page.locator("main").inner_text()
        assert page.locator("#churn-at-risk tbody tr").count() == min(m["valuable_at_risk"], 200)
        assert f"{m['model']['auc']:.3f}" in body and f"{m['baseline']['auc']:.3f}" in body
        if lang == "en":
            assert "Churn risk" in body and "(median" in body
            assert "流失" not in body
    # Names are masked: a row's name ends in asterisks.
    first = page.locator("#churn-at-risk tbody tr td a").first.inner_text()
    assert first.endswith("*")
