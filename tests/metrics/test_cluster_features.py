"""The clusters' per-customer features on the hand-computed shop of ``test_customers``
(as of 2025-06-15, Asia/Shanghai), on DuckDB and on Spark.

c1 paid o1 (created 2024-05-10), o2 (2024-06-16 00:00) and o3 (created 2025-01-20, paid
2025-01-21): 3 orders, 100 + 200 + 300 = 600.00, mean 200.0; o5 was paid after the as-of
day and o4 never. Last payment 2025-01-21 → recency 10 (rest of Jan) + 28 + 31 + 30 + 31
+ 15 = 145 days. Months with a paid order created: 2024-05, 2024-06, 2025-01 → 3.
Refunds 2 of 3 paid orders → 0.6667; chat sessions 3; reviews ★5 and ★3 → 4.0.
c2 paid one order of 80.00 on 2024-06-15 → 365 days; one month; no refunds, chats or
reviews (rating empty). c3 only chatted: not clustered.
"""

from __future__ import annotations

import pytest

from guanxi.lake import Lake
from guanxi.metrics.cluster_features import FEATURES, cluster_features
from guanxi.metrics.customers import customer_facts
from tests.metrics.test_customers import AS_OF, TZ, _shop


def test_features_per_customer(lake: Lake) -> None:
    _shop(lake)
    facts = customer_facts(
        orders=lake.table("orders"),
        refunds=lake.table("refunds"),
        reviews=lake.table("reviews"),
        sessions=lake.derived.table("sessions"),
        months=lake.derived.table("customer_months"),
        as_of=AS_OF,
        time_zone=TZ,
    )
    expr = cluster_features(facts, lake.table("orders"), as_of=AS_OF, time_zone=TZ)
    assert expr.columns == ("customer_key", *FEATURES)
    rows = {r["customer_key"]: r for r in lake.arrow(expr).to_pylist()}
    assert sorted(rows) == ["c1", "c2"]
    c1 = rows["c1"]
    assert c1 == {
        "customer_key": "c1",
        "recency_days": 145,
        "frequency": 3,
        "monetary": 600.0,
        "mean_order_value": 200.0,
        "months_active": 3,
        "refund_share": pytest.approx(2 / 3),
        "sessions": 3,
        "mean_rating": 4.0,
    }
    assert rows["c2"] == {
        "customer_key": "c2",
        "recency_days": 365,
        "frequency": 1,
        "monetary": 80.0,
        "mean_order_value": 80.0,
        "months_active": 1,
        "refund_share": 0.0,
        "sessions": 0,
        "mean_rating": None,
    }
