"""The basket run (job_basket.fit on a small lake) and the 关联与推荐 page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pyarrow as pa
import pytest
from django.test import Client

from guanxi.insight import job_basket
from guanxi.insight.job_api import FitFailed
from guanxi.insight.models import ModelRun, ProductRule, RunKind, RunState
from guanxi.lake import Lake
from tests.factories import login

T0 = dt.datetime(2025, 3, 1, 2, tzinfo=dt.UTC)


def _shop(lake: Lake, orders: list[tuple[str, list[str]]]) -> None:
    """Paid orders (customer, products) one hour apart, in the order given."""
    n = len(orders)
    ids = [f"o{i}" for i in range(n)]
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"] * n,
                "order_id": ids,
                "customer_key": [c for c, _ in orders],
                "created_at": [T0 + dt.timedelta(hours=i) for i in range(n)],
                "paid_at": [T0 + dt.timedelta(hours=i, minutes=1) for i in range(n)],
                "shipped_at": [None] * n,
                "signed_at": [None] * n,
                "closed_at": [None] * n,
                "status": ["paid"] * n,
                "amount": [Decimal("10.00")] * n,
                "item_count": pa.array([len(p) for _, p in orders], pa.int32()),
            }
        ),
    )
    lines = [(ids[i], k + 1, p) for i, (_, ps) in enumerate(orders) for k, p in enumerate(ps)]
    m = len(lines)
    lake.write(
        "order_items",
        pa.table(
            {
                "platform": ["taobao"] * m,
                "order_id": [x[0] for x in lines],
                "line_no": pa.array([x[1] for x in lines], pa.int32()),
                "product_id": [x[2] for x in lines],
                "quantity": pa.array([1] * m, pa.int32()),
                "unit_price": [Decimal("5.00")] * m,
                "amount": [Decimal("5.00")] * m,
            }
        ),
    )


def _paired_shop() -> list[tuple[str, list[str]]]:
    # 20 one-order buyers show that tea goes with cups and rice with pot; 10 customers buy
    # tea first and cups next; the most popular product (salt) is bought alone by 30.
    orders: list[tuple[str, list[str]]] = []
    orders += [(f"p{i}", ["tea", "cups"]) for i in range(10)]
    orders += [(f"q{i}", ["rice", "pot"]) for i in range(10)]
    orders += [(f"s{i}", ["salt"]) for i in range(30)]
    orders += [(f"c{i}", ["tea"]) for i in range(10)]
    orders += [(f"c{i}", ["cups"]) for i in range(10)]  # their last orders, held out
    return orders


def test_fit_rules_evaluation_and_recommendations(lake: Lake) -> None:
    _shop(lake, _paired_shop())
    seen: list[float] = []
    result = job_basket.fit(
        {"min_support": 0.05, "min_confidence": 0.2}, lambda f, _s: seen.append(f)
    )
    m = result.metrics
    # 10 + 10 + 30 + 10 + 10 = 70 baskets; 5 products; min count ceil(0.05 × 70) = ceil(3.5) = 4
    assert (m["baskets"], m["items"], m["min_count"]) == (70, 5, 4)
    rules = {(tuple(r["antecedent"]), tuple(r["consequent"])): r for r in result.rules}
    tc = rules[(("tea",), ("cups",))]
    # tea in 20 baskets, cups in 20, together 10: support 10/70, confidence 10/20 = 0.5,
    # lift 0.5 / (20/70) = 1.75
    assert tc["baskets"] == 10
    assert tc["support"] == pytest.approx(10 / 70)
    assert tc["confidence"] == pytest.approx(0.5)
    assert tc["lift"] == pytest.approx(1.75)
    # rice ⇒ pot: 10/10 = 1.0, lift 1.0 / (10/70) = 7.0 — the strongest rule comes first
    assert result.rules[0]["lift"] == pytest.approx(7.0)
    # Evaluation: the 10 c-customers' last orders (cups) are held out; training keeps the
    # 10 tea+cups baskets, so P(cups | tea) = 10/20 puts cups first after tea: hit-rate 1.0.
    ev = m["evaluation"]
    assert ev["model"]["customers"] == 10
    assert ev["model"]["hit_rate"] == pytest.approx(1.0)
    # per customer: c0 bought tea and cups → neither recommended again; first pick rice/pot
    recs = result.customers["c0"]["recommendations"]
    assert "tea" not in recs and "cups" not in recs
    # a tea+cups one-order buyer: nothing co-occurs with them except each other → popularity
    assert result.customers["p0"]["recommendations"][0] == "salt"
    assert result.input_versions.keys() == {"orders", "order_items"}
    assert seen and seen == sorted(seen)
    bundles = {tuple(b["items"]): b for b in m["bundles"]}
    # pot+rice: together 10, expected 10 × 10 / 70 = 1.43, uplift 10 − 1.43 = 8.57
    assert bundles[("pot", "rice")]["uplift"] == pytest.approx(10 - 100 / 70)


def test_bad_parameter_and_too_few_orders_fail_in_words(lake: Lake) -> None:
    with pytest.raises(FitFailed) as bad:
        job_basket.fit({"min_support": 2}, lambda f, s: None)
    assert "min_support" in bad.value.en and "min_support" in bad.value.zh
    with pytest.raises(FitFailed, match="exclude_bought"):
        job_basket.fit({"exclude_bought": "yes"}, lambda f, s: None)
    with pytest.raises(FitFailed, match="Unknown"):
        job_basket.fit({"minsupport": 0.1}, lambda f, s: None)
    _shop(lake, [("a", ["x", "y"])] * 5)
    with pytest.raises(FitFailed, match="Only 5 paid orders"):
        job_basket.fit({}, lambda f, s: None)


def _stored_run(beats: bool) -> ModelRun:
    run = ModelRun.objects.create(
        kind=RunKind.BASKET,
        state=RunState.DONE,
        serving=True,
        finished_at=dt.datetime(2025, 3, 2, tzinfo=dt.UTC),
        metrics={
            "baskets": 70,
            "items": 5,
            "itemsets": 9,
            "rules": 3,
            "rules_kept": 3,
            "min_support": 0.05,
            "min_count": 4,
            "min_confidence": 0.2,
            "k": 10,
            "evaluation": {
                "model": {
                    "customers": 10,
                    "k": 10,
                    "hit_rate": 0.9 if beats else 0.1,
                    "recall": 0.8 if beats else 0.05,
                },
                "baseline": {"customers": 10, "k": 10, "hit_rate": 0.3, "recall": 0.2},
                "beats_baseline": beats,
            },
            "bundles": [
                {
                    "items": ["pot", "rice"],
                    "baskets": 10,
                    "expected": 1.43,
                    "uplift": 8.57,
                    "lift": 7.0,
                    "confidence_ab": 1.0,
                    "confidence_ba": 1.0,
                }
            ],
            "item_baskets": {"tea": 20},
            "bought_together": {"tea": [["cups", 0.5, 1.75, 10]]},
        },
    )
    for a, c, n, s, conf, lift in [
        ("rice", "pot", 10, 10 / 70, 1.0, 7.0),
        ("tea", "cups", 10, 10 / 70, 0.5, 1.75),
        ("=cmd", "cups", 4, 4 / 70, 0.25, 1.1),  # a formula-looking id: exports defuse it
    ]:
        ProductRule.objects.create(
            run=run,
            antecedent=[a],
            consequent=[c],
            baskets=n,
            support=s,
            confidence=conf,
            lift=lift,
        )
    return run


@pytest.mark.django_db
def test_page_filters_sorts_exports_and_says_when_baseline_wins(
    client: Client, make_user, lake: Lake
) -> None:
    login(client, make_user, "marketing")
    empty = client.get("/insight/basket/")
    assert empty.status_code == 200 and 'id="no-run"' in empty.content.decode()
    _stored_run(beats=False)
    page = client.get("/insight/basket/").content.decode()
    assert "没有胜过热门商品基线" in page  # said plainly, baseline kept in the table
    assert 'data-row="baseline"' in page
    # filter by product, sort by confidence ascending
    found = client.get("/insight/basket/", {"product": "cup", "sort": "confidence", "order": "asc"})
    rows = found.context["rules"]
    assert [(r["antecedent"], r["confidence"]) for r in rows] == [("=cmd", 0.25), ("tea", 0.5)]
    bad = client.get("/insight/basket/", {"min_lift": "abc"}).content.decode()
    assert 'id="filter-error"' in bad and "min_lift" in bad
    strong = client.get("/insight/basket/", {"min_lift": "5"}).context["rules"]
    assert [r["antecedent"] for r in strong] == ["rice"]
    export = client.get("/insight/basket/export/rules.csv")
    text = export.content.decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(text))]
    assert "=cmd" not in cells and "'=cmd" in cells  # safe cells: no formula
    xlsx = client.get("/insight/basket/export/bundles.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_page_says_when_model_wins_and_agents_are_refused(
    client: Client, make_user, lake: Lake
) -> None:
    _stored_run(beats=True)
    login(client, make_user, "manager")
    assert "优于热门商品基线" in client.get("/insight/basket/").content.decode()
    client.logout()
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/insight/basket/").status_code == 403
