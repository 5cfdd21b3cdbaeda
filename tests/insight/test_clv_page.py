"""The CLV page (insight:clv) with a run written here: its parameters, the hold-out table,
the CLV bands counted by hand, the top customers masked and linked, the exports without
personal data, and who may see it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.insight.models import CustomerPrediction, ModelRun, RunKind, RunState
from tests.customers.helpers import customer as make_customer
from tests.factories import login
from tests.html import shown

pytestmark = pytest.mark.django_db

METRICS = {
    "as_of": "2025-12-31",
    "unit": "week",
    "params": {"months": 12, "margin": 0.3, "annual_discount_rate": 0.1},
    "bgnbd": {
        "r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "log_likelihood": -9582.4,
        "converged": True, "standard_errors": {"r": 0.0126, "alpha": 0.378, "a": 0.186, "b": 0.705},
    },
    "gamma_gamma": {"p": 6.25, "q": 3.74, "gamma": 15.44, "customers": 2, "converged": True,
                    "log_likelihood": -10.0},
    "customers": 4,
    "repeat_customers": 2,
    "clv_total": 12345.6,
    "holdout": {
        "calibration_end": "2025-10-02", "end": "2025-12-31", "days": 90, "customers": 3,
        "predicted": 3.5, "actual": 4.0, "error": -0.125, "mae": 0.5,
        "buckets": [
            {"frequency": "0", "customers": 2, "predicted": 0.5, "actual": 0.5},
            {"frequency": "7+", "customers": 1, "predicted": 2.5, "actual": 3.0},
        ],
    },
}  # fmt: skip


def _run() -> ModelRun:
    run = ModelRun.objects.create(
        kind=RunKind.CLV, state=RunState.DONE, serving=True, metrics=METRICS
    )
    # CLV 12,000 (band 10000+), 600 and 550 (band 500–1000), 30 (band 0–50)
    for key, clv in (("K1", "12000"), ("K2", "600"), ("K3", "550"), ("K4", "30")):
        CustomerPrediction.objects.create(
            customer_key=key, clv_run=run, clv=Decimal(clv), p_alive=0.5,
            expected_30=0.1, expected_90=0.3, expected_365=1.2, expected_value=Decimal("80.00"),
        )  # fmt: skip
    # an older, not serving run's prediction is not shown
    old = ModelRun.objects.create(kind=RunKind.CLV, state=RunState.DONE, serving=False)
    CustomerPrediction.objects.create(customer_key="OLD", clv_run=old, clv=Decimal("99999"))
    return run


def test_page_shows_the_serving_run(client, make_user) -> None:
    make_customer(customer_key="K1", name="张伟", mobile="13812345678")
    _run()
    login(client, make_user, "manager")
    body = client.get(reverse("insight:clv")).content.decode()
    for param, value in (("r", "0.243 ± 0.013"), ("alpha", "4.414 ± 0.38"), ("gamma", "15.44")):
        assert f'data-param="{param}">{value}<' in body
    assert 'id="clv-holdout-predicted">3.5<' in body and 'id="clv-holdout-actual">4.0<' in body
    assert 'data-frequency="7+"' in body
    # bands: 0–50 one customer (¥30), 500–1,000 two (¥1,150), 10,000+ one; 4 in all
    assert '<td>¥0–50</td><td class="num">1</td><td class="num">25.0%</td>' in body
    assert '<td>¥500–1,000</td><td class="num">2</td><td class="num">50.0%</td>' in body
    assert "¥1,150.00" in body and '<td>¥10,000+</td><td class="num">1</td>' in body
    # top customers, highest first, linked to the profile; the name masked, never clear
    top = body[body.index('id="clv-top"') :]
    assert top.index('data-customer="K1"') < top.index('data-customer="K2"')
    assert "OLD" not in shown(body)
    assert reverse("customers:detail", args=["K1"]) in top
    assert "张*" in top and "张伟" not in body and "13812345678" not in body
    assert 'id="clv-holdout-data"' in body and 'id="clv-distribution-data"' in body


def test_empty_page_and_exports(client, make_user) -> None:
    login(client, make_user, "manager")
    assert 'id="clv-empty"' in client.get(reverse("insight:clv")).content.decode()
    assert client.get(reverse("insight:clv_export_csv")).status_code == 404
    make_customer(customer_key="K1", name="张伟")
    _run()
    response = client.get(reverse("insight:clv_export_csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == ["K1", "K2", "K3", "K4"]
    assert rows[1][-1] == "12000.00" and "张" not in text
    xlsx = client.get(reverse("insight:clv_export_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_marketing_sees_it_masked_and_agents_are_refused(client, make_user) -> None:
    make_customer(customer_key="K1", name="张伟")
    _run()
    login(client, make_user, "marketing")
    body = client.get(reverse("insight:clv")).content.decode()
    assert "张*" in body and "张伟" not in body
    client.logout()
    login(client, make_user, "agent", agent_id="a1")
    assert client.get(reverse("insight:clv")).status_code == 403
