"""The churn risk page (``/insight/churn/``): the model's figures beside the baseline's, the
verdict said plainly either way, the valuable customers at risk with masked names and their
reasons in the page's language, the masked, audited exports, and who may see it."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind, RunState
from guanxi.stats import churn

pytestmark = pytest.mark.django_db

# Held-out period of 20 customers, 8 churned (rate 0.4). The model ranks 7 of the 8 on top;
# the baseline is weaker.
Y = np.array([1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
MODEL = np.linspace(0.95, 0.05, 20)
BASELINE = np.array([0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 0.5, 0.1, 0.85, *np.linspace(0.5, 0.0, 10)])
REASONS = [
    {
        "feature": "recency_days",
        "zh": "已 120 天未购买（中位数 45 天）",
        "en": "120 days since the last purchase (median 45)",
    },
    {
        "feature": "complaints",
        "zh": "近一年投诉 2 次（中位数 0 次）",
        "en": "2 complaints in the past year (median 0)",
    },
]


def _run(model: np.ndarray = MODEL, beats: bool = True) -> ModelRun:
    metrics = {
        "horizon_days": 90,
        "evaluate_cutoff": "2025-10-01",
        "score_cutoff": "2026-01-01",
        "held_customers": 20,
        "held_churn_rate": 0.4,
        "valuable_at_risk": 1,
        "model_beats_baseline": beats,
        "model": churn.evaluate(Y, model),
        "baseline": churn.evaluate(Y, BASELINE),
    }
    run = ModelRun.objects.create(
        kind=RunKind.CHURN, state=RunState.DONE, serving=True, metrics=metrics, progress=100
    )
    customer = Customer.objects.create(customer_key="c-risk", name="欧阳明月")
    CustomerPrediction.objects.create(
        customer_key="c-risk",
        customer=customer,
        churn_risk=0.8123,
        churn_reasons=REASONS,
        churn_run=run,
    )
    CustomerPrediction.objects.create(customer_key="c-calm", churn_risk=0.1, churn_run=run)
    return run


def test_model_beside_baseline_with_reasons(client, make_user) -> None:
    _run()
    manager = make_user("manager")
    client.login(username=manager.username, password=manager.password)
    page = client.get(reverse("insight:churn")).content.decode()
    # The model's AUC on the 20 (all 8 churners but one in the top 8; customer 8 at rank 9):
    # churner ranks sum from the top — pairs won = 7 × 12 + 1 × 11 = 95 of 8 × 12 = 96 →
    # 0.990. Top decile (2 customers) both churned: 1 ÷ 0.4 = 2.50×.
    assert "0.990" in page and "2.50×" in page
    base = churn.roc_auc(Y, BASELINE)
    assert f"{base:.3f}" in page
    assert "模型优于基线" in page
    # Masked name, never the clear one; reasons in Chinese; only customers with reasons.
    assert "欧阳**" in page and "欧阳明月" not in page
    assert "已 120 天未购买（中位数 45 天）" in page and "81.2%" in page
    assert "c-calm" not in page

    client.cookies["django_language"] = "en"
    page = client.get(reverse("insight:churn")).content.decode()
    assert "120 days since the last purchase (median 45)" in page
    assert "Churn risk" in page


def test_says_so_when_the_model_does_not_beat_the_baseline(client, make_user) -> None:
    # Reversed scores: the model's AUC is 1 − 0.990 = 0.010, below the baseline's.
    run = _run(model=np.linspace(0.05, 0.95, 20), beats=False)
    manager = make_user("manager")
    client.login(username=manager.username, password=manager.password)
    page = client.get(reverse("insight:churn")).content.decode()
    assert "模型没有胜过" in page and "0.010" in page
    assert f"{churn.roc_auc(Y, BASELINE):.3f}" in page  # the baseline's figures stay
    # Better AUC but a weaker top decile (the large demo's case): said as such, in English.
    run.metrics["model"]["auc"], run.metrics["model"]["lift_top_decile"] = 0.99, 1.0
    run.save()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("insight:churn")).content.decode()
    assert "ranks customers better overall (AUC 0.990" in page
    assert "sort by days since the last purchase" in page


def test_no_run_yet_and_who_may_see(client, make_user) -> None:
    agent = make_user("agent")
    client.login(username=agent.username, password=agent.password)
    assert client.get(reverse("insight:churn")).status_code == 403
    marketing = make_user("marketing")
    client.login(username=marketing.username, password=marketing.password)
    page = client.get(reverse("insight:churn")).content.decode()
    assert 'id="churn-empty"' in page


def test_exports_are_masked_and_audited(client, make_user) -> None:
    _run()
    marketing = make_user("marketing")
    client.login(username=marketing.username, password=marketing.password)
    reply = client.get(reverse("insight:churn_export_csv"))
    assert reply["Cache-Control"] == "no-store"  # masked names and keys: never cached
    body = b"".join(reply.streaming_content).decode()
    assert "欧阳**" in body and "欧阳明月" not in body
    assert "已 120 天未购买（中位数 45 天）" in body and "c-calm" not in body
    xlsx = client.get(reverse("insight:churn_export_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert AuditEntry.objects.filter(subject__startswith="churn at risk").count() == 2
