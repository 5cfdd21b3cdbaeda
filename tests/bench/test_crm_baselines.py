"""The customers' standing benchmark compares like with like: its pandas and hand-written SQL
baselines (``bench/crm_pandas.py``, ``bench/crm_sql.py``) give the product's rows — facts,
classes, RFM scores and groups — row for row, on the hand-made shop of the customer-facts
tests and on the small demo shop. Untimed (timings live in ``python -m bench --only crm``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bench import crm
from guanxi import demo
from guanxi.lake import Lake
from tests.metrics.test_customers import _shop


def _all_three(root: Path, as_of: dt.date) -> tuple:
    product = crm.canonical(crm.run_ibis(str(root), as_of))
    pandas = crm.canonical(crm.run_pandas(str(root), as_of))
    sql = crm.canonical(crm.run_sql(str(root), as_of))
    return product, pandas, sql


@pytest.mark.parametrize(
    "as_of",
    [
        dt.date(2025, 6, 15),  # mid-month: edge days at both ends of the window
        dt.date(2025, 6, 30),  # a month's end: whole months only for the all-time range
        dt.date(2025, 7, 1),  # a month's first day
    ],
)
def test_baselines_equal_the_product_on_hand_made_rows(tmp_path: Path, as_of: dt.date) -> None:
    lake = Lake(tmp_path / "lake")
    _shop(lake)
    product, pandas, sql = _all_three(tmp_path / "lake", as_of)
    assert crm.differences(product, pandas) == []
    assert crm.differences(product, sql) == []
    rows = {r["customer_key"]: r for r in product.to_dict("records")}
    # c1 on 2025-06-15 (tests/metrics/test_customers.py): 5 orders, 3 paid for 600.00, the
    # only buyer in the window → VIP with 500.00 ≥ 500.00; c3 only chatted → potential.
    if as_of == dt.date(2025, 6, 15):
        assert sorted(rows) == ["c1", "c2", "c3"]
        c1 = rows["c1"]
        assert (c1["orders"], c1["paid_orders"], c1["paid_amount"]) == (5, 3, 600_000)
        assert (c1["customer_class"], c1["figure"], c1["threshold"]) == ("vip", 500_000, 500_000)
        assert rows["c3"]["rule"] == "potential_chat"


@pytest.fixture(scope="module")
def demo_root(django_db_setup, django_db_blocker, tmp_path_factory) -> Path:
    from guanxi.accounts.models import Agent
    from guanxi.customers.models import Customer, Tag
    from guanxi.metrics.attribution import AttributionRules

    with django_db_blocker.unblock():
        root = Path(tmp_path_factory.mktemp("crm-demo")) / "lake"
        lake = Lake(root)
        demo.build("small", 5, lake)
        lake.derived.rebuild("Asia/Shanghai", AttributionRules())
        Customer.objects.all().delete()
        Tag.objects.all().delete()
        Agent.objects.all().delete()
    return root


@pytest.mark.django_db  # the demo writes customers to the test database
def test_baselines_equal_the_product_on_the_small_demo(demo_root: Path) -> None:
    product, pandas, sql = _all_three(demo_root, dt.date(2025, 12, 20))
    assert crm.differences(product, pandas) == []
    assert crm.differences(product, sql) == []
    seen = crm.summary(product)
    # enough customers and variety that an error in any stage would show
    assert seen["customers"] > 1000
    assert set(seen["classes"]) == {"vip", "core", "potential", "ordinary"}
    assert len(seen["groups"]) == 8
    # ties at quintile edges: many customers share F = 1, all with one score
    f_of_one = product[product.frequency == 1].f_score.unique()
    assert len(f_of_one) == 1
