"""Segments by prediction (issue 18): CLV, churn risk and P(alive) ranges, clusters, and the
members sorted by them — the serving runs' values, joined on the customer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from guanxi.insight.models import CustomerPrediction, ModelRun
from guanxi.segments.filters import FilterError, parse, parse_sort
from guanxi.segments.models import Segment
from guanxi.segments.presenters import describe
from guanxi.segments.selectors import members
from tests.factories import login
from tests.segments import shop

# (key, clv, churn risk, P(alive), cluster); c03–c06 and c08 have no prediction
SCORES = [
    ("c01", "900.00", 0.10, 0.95, "忠诚高价值"),
    ("c02", "300.00", 0.60, 0.40, "流失风险"),
    ("c04", "120.50", 0.35, 0.70, "潜力"),
]


def test_prediction_filters_parse_and_name_bad_fields() -> None:
    f = parse({"clv_min": "¥100", "churn_min": "50%", "p_alive_max": "80", "clusters": ["潜力"]})
    assert (f.clv_min, f.churn_min, f.p_alive_max, f.clusters) == (
        Decimal("100"), Decimal("50"), Decimal("80"), ("潜力",),
    )  # fmt: skip
    assert f.to_json() == {"clv_min": "100", "churn_min": "50", "p_alive_max": "80",
                           "clusters": ["潜力"]}  # fmt: skip
    with pytest.raises(FilterError) as caught:
        parse({"churn_min": "120", "p_alive_min": "60", "p_alive_max": "20", "clv_max": "x"})
    assert caught.value.errors == {
        "churn_min": "'120' is not a percentage; give 0 to 100, e.g. 60",
        "p_alive_max": "20 is below p_alive_min 60; give a larger maximum",
        "clv_max": "'x' is not an amount; give e.g. 500",
    }
    assert parse_sort(None) == "key" and parse_sort("clv_desc") == "clv_desc"
    with pytest.raises(FilterError, match="sort: 'clv' is not one of key, clv_desc"):
        parse_sort("clv")
    assert describe(f) == ["预测客户终身价值：≥ ¥100.00", "流失风险：≥ 50%", "活跃概率：≤ 80%",
                           "客户聚类：潜力"]  # fmt: skip


@pytest.fixture
def scored() -> None:
    shop.build()
    run = ModelRun.objects.create(kind="clv", state="done", serving=True)
    for key, clv, churn, alive, cluster in SCORES:
        CustomerPrediction.objects.create(
            customer_key=key, customer_id=shop_customer_id(key), clv=Decimal(clv),
            churn_risk=churn, p_alive=alive, cluster_name=cluster, clv_run=run,
        )  # fmt: skip


def shop_customer_id(key: str) -> int:
    from guanxi.customers.models import Customer

    return Customer.objects.get(customer_key=key).pk


def _body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def keys(data: dict[str, Any], sort: str = "key") -> list[str]:
    found = members(parse(data), today=shop.TODAY, sort=sort)
    return list(found.values_list("customer_key", flat=True))


@pytest.mark.django_db
def test_prediction_filters_and_sorts(scored: None) -> None:
    assert keys({"clv_min": "300"}) == ["c01", "c02"]  # 900 and 300 (bounds included)
    assert keys({"clv_max": "300"}) == ["c02", "c04"]
    # churn 60 % ≥ 50 %; the unscored are outside any range
    assert keys({"churn_min": "50"}) == ["c02"]
    assert keys({"p_alive_min": "70", "p_alive_max": "100"}) == ["c01", "c04"]  # 0.95, 0.70
    assert keys({"clusters": ["潜力", "流失风险"]}) == ["c02", "c04"]
    # sorted: the scored first by value, then the unscored by key
    unscored = ["c03", "c05", "c06", "c08"]
    assert keys({}, "clv_desc") == ["c01", "c02", "c04", *unscored]
    assert keys({}, "clv_asc") == ["c04", "c02", "c01", *unscored]
    assert keys({}, "churn_desc") == ["c02", "c04", "c01", *unscored]
    assert keys({}, "p_alive_asc") == ["c02", "c04", "c01", *unscored]
    # by cluster name: the order of Chinese names is the database's collation; the scored
    # come first either way
    by_cluster = keys({}, "cluster")
    assert set(by_cluster[:3]) == {"c01", "c02", "c04"} and by_cluster[3:] == unscored


@pytest.mark.django_db
def test_the_members_page_sorts_and_shows_predictions(client: Client, make_user, scored) -> None:
    segment = Segment.objects.create(
        name="浙江", filters={"provinces": ["浙江"]}, created_by="m", updated_by="m"
    )
    login(client, make_user, "marketing")
    page = client.get(f"/segments/{segment.pk}/?sort=clv_desc").content.decode()
    order = [row.split('"', 1)[0] for row in page.split('data-key="')[1:]]
    assert order[:2] == ["c01", "c02"]
    assert "¥900.00" in page and "10%" in page and "95%" in page and "忠诚高价值" in page
    bad = client.get(f"/segments/{segment.pk}/?sort=nope").content.decode()
    assert 'id="sort-error"' in bad and "&#x27;nope&#x27; is not one of" in bad
    csv_text = _body(client.get(f"/segments/{segment.pk}/export.csv?sort=clv_desc"))
    assert csv_text.splitlines()[1].startswith("c01,") and ",900.00,0.1,0.95,忠诚高价值" in csv_text


@pytest.mark.django_db
def test_the_members_api_sorts_and_answers_predictions(client: Client, make_user, scored) -> None:
    segment = Segment.objects.create(name="全部", filters={}, created_by="m", updated_by="m")
    login(client, make_user, "marketing")
    answer = client.get(f"/api/segments/{segment.pk}/members?sort=churn_desc").json()
    first = answer["results"][0]
    assert (first["customer_key"], first["churn_risk"], first["cluster_name"]) == (
        "c02", 0.6, "流失风险",
    )  # fmt: skip
    assert first["clv"] == "300.00" and answer["results"][-1]["clv"] is None
    bad = client.get(f"/api/segments/{segment.pk}/members?sort=ltv")
    assert bad.status_code == 400 and "sort: 'ltv' is not one of" in bad.json()["detail"]
