"""The profile's 预测 panel (issue 18): the serving runs' values for this customer, churn
reasons in words, recommended products by title; "no run yet" before any; hidden from
users who may not read the insight area; no personal data in it."""

from __future__ import annotations

import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.test import Client

from guanxi.insight.models import CustomerPrediction, ModelRun
from guanxi.lake import Lake
from tests.customers.helpers import KEY, MOBILE, NAME, customer, login
from tests.factories import messages_table

pytestmark = pytest.mark.django_db


def _panel(html: str) -> str:
    found = re.search(r'<section class="card" id="prediction">(.*?)</section>', html, re.S)
    assert found, "no prediction panel"
    return found.group(1)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_panel_before_any_run(client: Client, make_user) -> None:
    customer()
    login(client, make_user, "manager")
    panel = _panel(client.get(f"/customers/{KEY}/").content.decode())
    assert "还没有运行给这位客户打分。" in panel


def test_the_panel_shows_every_family(client: Client, make_user, lake: Lake) -> None:
    c = customer()
    lake.write(
        "products",
        pa.table({
            "platform": ["taobao"], "product_id": ["p7"], "title": ["红枣礼盒 500g"],
            "category": ["食品"], "price": [Decimal("59.00")],
        }),
    )  # fmt: skip
    run = ModelRun.objects.create(kind="clv", state="done", serving=True)
    CustomerPrediction.objects.create(
        customer_key=KEY, customer=c, p_alive=0.756, expected_30=0.123, expected_90=0.4,
        expected_365=1.5, clv=Decimal("321.50"), clv_run=run, churn_risk=0.42,
        churn_reasons=[{"zh": "距上次购买已 210 天", "en": "210 days since the last order"},
                       "投诉 2 次"],
        cluster=1, cluster_name="潜力", recommendations=["p7", "p9"],
    )  # fmt: skip
    login(client, make_user, "manager")
    text = _text(_panel(client.get(f"/customers/{KEY}/").content.decode()))
    assert "活跃概率 76%" in text  # 0.756 → 75.6 → 76 %
    assert "30天 0.12 · 90天 0.40 · 365天 1.50" in text
    assert "客户终身价值 ¥321.50" in text and "流失风险 42%" in text
    assert "距上次购买已 210 天" in text and "投诉 2 次" in text
    assert "所属聚类 潜力" in text
    assert "红枣礼盒 500g p7" in text and "p9" in text  # p9 is not in products: its id
    assert NAME not in text and MOBILE not in text
    english = _text(
        _panel(client.get(f"/customers/{KEY}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    )
    assert "210 days since the last order" in english


def test_the_panel_is_hidden_from_agents(client: Client, make_user, lake: Lake) -> None:
    customer()
    # kf1 served this customer, so the profile opens for them — without the panel
    lake.write("chat_messages", messages_table([(KEY, "agent", "2026-01-02 10:00")]))
    login(client, make_user, "agent", agent_id="kf1")
    response = client.get(f"/customers/{KEY}/")
    assert response.status_code == 200
    assert 'id="prediction"' not in response.content.decode()
