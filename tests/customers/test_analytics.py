"""The standing's loyalty and age band after a recompute, and the customer analytics page
(who may see it, what it shows, its export). As of 2025-06-30, 12-month window
2024-07-01 … 2025-06-30.

| key | born       | age band   | paid orders                      | after-sales            |
|-----|------------|------------|----------------------------------|------------------------|
| K1  | 1990-05-17 | 35: 35-39  | 4 in the window, 100.00 each     | one review, 5 stars    |
| K2  | 2000-07-01 | 24: 18-24  | 1 in the window, 50.00           | refund 05-02; 2 stars  |
|     |            | (birthday the next day)                       |                        |
| K3  | none       | ""         | 2 in 2024-01 (before the window) | –                      |

Amount among the window's 2 buyers: K1 has nobody above (0 × 5 < 2 × 1): high; K2 has
one above (1 × 5 ≥ 2; medium 1 × 2 ≥ 2): low.
- K1: frequency 4 high (2), amount high (2), recommend unknown, after-sales 5.0 high (2)
  → 6 / 3 = 2.0 → high.
- K2: frequency 1 low (0), amount low (0), after-sales 2.0 after the refund, low (0) → low.
- K3: paid before, nothing in the window: frequency low, amount low → 0 → low.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pyarrow as pa
import pytest
from django.test import Client

from guanxi.customers import standing
from guanxi.customers.analytics import shape_categories, spend_edges
from guanxi.customers.models import CustomerStanding
from guanxi.lake import Lake
from tests.customers.helpers import customer, login
from tests.factories import orders_table, refunds_table, utc

pytestmark = pytest.mark.django_db(transaction=True)

AS_OF = dt.date(2025, 6, 30)
K1, K2, K3 = "k1" + "0" * 15, "k2" + "0" * 15, "k3" + "0" * 15


def _master() -> None:
    customer(customer_key=K1, birth_date=dt.date(1990, 5, 17), gender="male",
             province="浙江", city="杭州")  # fmt: skip
    customer(customer_key=K2, birth_date=dt.date(2000, 7, 1), gender="female",
             mobile="13900000002", email="k2@example.com", identities=(), province="浙江",
             city="宁波", name="李二")  # fmt: skip
    customer(customer_key=K3, birth_date=None, gender="female", mobile="13900000003",
             email="k3@example.com", identities=(), province="广东", city="广州",
             name="王三")  # fmt: skip


def _lake(lake: Lake) -> None:
    rows: list[tuple[str, str, str, str | None, str]] = [
        (f"a{i}", K1, f"2025-0{i}-10 10:00:00", f"2025-0{i}-10 10:00:00", "100.00")
        for i in range(1, 5)
    ]
    rows += [
        ("b1", K2, "2025-05-01 10:00:00", "2025-05-01 10:00:00", "50.00"),
        ("c1", K3, "2024-01-05 10:00:00", "2024-01-05 10:00:00", "30.00"),
        ("c2", K3, "2024-01-20 10:00:00", "2024-01-20 10:00:00", "30.00"),
    ]
    lake.write("orders", orders_table(rows))
    refunds = refunds_table([("b1", "2025-05-02 10:00:00")])
    refunds = refunds.set_column(
        refunds.schema.get_field_index("customer_key"), "customer_key", pa.array([K2])
    )
    lake.write("refunds", refunds)
    reviews = [("v1", K1, "2025-03-01 10:00:00", 5), ("v2", K2, "2025-05-03 10:00:00", 2)]
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"] * 2,
                "review_id": [r[0] for r in reviews],
                "order_id": [None] * 2,
                "product_id": [None] * 2,
                "customer_key": [r[1] for r in reviews],
                "created_at": [utc(r[2]) for r in reviews],
                "rating": pa.array([r[3] for r in reviews], pa.int8()),
                "text": [None] * 2,
            }
        ),
    )


@pytest.fixture
def shop(lake: Lake) -> Lake:
    _master()
    _lake(lake)
    standing.recompute(AS_OF)
    return lake


def test_recompute_fills_loyalty_components_and_age_band(shop: Lake) -> None:
    rows = {s.customer.customer_key: s for s in CustomerStanding.objects.select_related("customer")}
    assert {k: (r.loyalty, r.age_band) for k, r in rows.items()} == {
        K1: ("high", "35-39"),
        K2: ("low", "18-24"),
        K3: ("low", ""),
    }
    k1 = rows[K1].loyalty_components
    assert k1["points"] == 2.0
    assert k1["frequency"] == {
        "figure": 4.0, "level": "high", "high_at": 4.0, "medium_at": 2.0,
        "basis": "window", "count": None,
    }  # fmt: skip
    assert (k1["amount"]["level"], k1["amount"]["figure"], k1["amount"]["high_at"]) == (
        "high",
        400.0,
        400.0,
    )
    assert k1["recommend"]["level"] == "unknown"
    assert (k1["after_sales"]["figure"], k1["after_sales"]["basis"]) == (5.0, "reviews")
    k2 = rows[K2].loyalty_components["after_sales"]
    assert (k2["figure"], k2["level"], k2["basis"], k2["count"]) == (2.0, "low", "after_refund", 1)
    k3 = rows[K3].loyalty_components
    assert (k3["frequency"]["level"], k3["amount"]["level"]) == ("low", "low")


def test_age_band_edges() -> None:
    on = dt.date(2025, 6, 30)
    assert standing.age_band(dt.date(2007, 7, 1), on) == "<18"  # 17 until tomorrow
    assert standing.age_band(dt.date(2007, 6, 30), on) == "18-24"  # 18 today
    assert standing.age_band(dt.date(1975, 6, 30), on) == "50+"
    assert standing.age_band(dt.date(1975, 7, 1), on) == "40-49"
    assert standing.age_band(dt.date(2026, 1, 1), on) == ""


@pytest.mark.parametrize("role", ["manager", "marketing", "admin"])
def test_the_page_shows_every_section(shop: Lake, client: Client, make_user, role: str) -> None:
    login(client, make_user, role)
    response = client.get("/customers/analytics/")
    assert response.status_code == 200
    a = response.context["a"]
    assert (a.as_of, a.customers, a.standing_customers) == (AS_OF, 3, 3)
    assert [(b.key, b.customers) for b in a.gender] == [("female", 2), ("male", 1)]
    assert [(b.key, b.customers) for b in a.age] == [("18-24", 1), ("35-39", 1), ("", 1)]
    # 浙江 2 customers (K1 400 + K2 50 in the window), 广东 1 (nothing in the window)
    assert [(b.key, b.customers, b.spend) for b in a.provinces] == [
        ("浙江", 2, Decimal("450.00")),
        ("广东", 1, Decimal("0.00")),
    ]
    # two buyers in the window: 50 in [50, 100), 400 in the open band ≥ 200
    assert [(b.low, b.high, b.customers) for b in a.spend_bands] == [
        (Decimal(50), Decimal(100), 1),
        (Decimal(100), Decimal(200), 0),
        (Decimal(200), None, 1),
    ]
    assert [(r.level, r.customers) for r in a.loyalty] == [("high", 1), ("low", 2)]
    low = next(r for r in a.loyalty if r.level == "low")
    # K2 and K3 both low on frequency; after-sales low for K2, unknown for K3
    assert low.components["frequency"]["levels"] == {
        "high": 0, "medium": 0, "low": 2, "unknown": 0,
    }  # fmt: skip
    assert low.components["after_sales"]["levels"]["low"] == 1
    assert low.components["after_sales"]["mean"] == 2.0
    # cohorts: K3 first paid 2024-01 (outside the 12 cohorts), K1 2025-01, K2 2025-05;
    # K1 paid again in months 1, 2, 3 of its cohort
    cohorts = {c.cohort: (c.customers, c.active) for c in a.cohorts}
    assert cohorts == {"2025-01": (1, [1, 1, 1, 1, 0, 0]), "2025-05": (1, [1, 0])}
    # retention over 12 months: previous window 2023-07 … 2024-06 had K3, who did not
    # come back: 0 / 1; the window's buyers K1, K2: one with ≥ 2 orders
    r = a.retention
    assert (r.previous_buyers, r.retained, r.rate, r.buyers, r.repeat_buyers) == (1, 0, 0.0, 2, 1)
    body = response.content.decode()
    for section in ("demographics", "regions", "spend", "categories", "retention", "loyalty",
                    "share-of-wallet"):  # fmt: skip
        assert f'id="{section}"' in body
    assert "plotly.min.js" in body and 'id="analytics-data"' in body


def test_agents_may_not_see_the_page_or_export(shop: Lake, client: Client, make_user) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/customers/analytics/").status_code == 403
    assert client.get("/customers/analytics/export.xlsx").status_code == 403


@pytest.mark.usefixtures("audit_log_emptied_afterwards")  # the download is audited
def test_export_has_a_sheet_per_table(shop: Lake, client: Client, make_user) -> None:
    from openpyxl import load_workbook

    login(client, make_user, "marketing")
    response = client.get("/customers/analytics/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 9
    loyalty = book.worksheets[-1]
    # title row, header row, then high (1 customer) and low (2)
    assert [loyalty.cell(r, 2).value for r in (3, 4)] == [1, 2]


def test_the_page_in_english(shop: Lake, client: Client, make_user) -> None:
    login(client, make_user, "manager")
    client.cookies["django_language"] = "en"
    response = client.get("/customers/analytics/")
    body = response.content.decode()
    assert "Customer analytics" in body and "客户分析" not in body


def test_spend_bands_and_category_shape() -> None:
    # 1-2-5 steps up to the first edge above the highest spend
    assert spend_edges(Decimal("700")) == [0, 50, 100, 200, 500, 1000]
    assert spend_edges(Decimal("49.99")) == [0, 50]
    rows = [
        {"month": "2025-05", "category": "茶叶", "amount": Decimal("10.00"), "orders": 1},
        {"month": "2025-06", "category": "", "amount": Decimal("5.00"), "orders": 1},
    ]
    trend = shape_categories(rows, dt.date(2025, 6, 30), 12)
    assert trend.months == ["2025-05", "2025-06"]
    assert trend.amounts == {"茶叶": [Decimal("10.00"), 0], "": [0, Decimal("5.00")]}
    assert trend.totals == [Decimal("10.00"), Decimal("5.00")]


def test_a_retention_window_and_a_bad_one(shop: Lake, client: Client, make_user) -> None:
    login(client, make_user, "manager")
    # 3 months: current 04-01 … 06-30, previous 01-01 … 03-31: K1 paid in both (01–03 and
    # 04-10) → 1 / 1; current buyers K1 and K2, K2 new, each paid once in the window
    r = client.get("/customers/analytics/?months=3").context["a"].retention
    assert (r.months, r.previous_buyers, r.retained, r.rate, r.current_buyers, r.new_buyers) == (
        3, 1, 1, 1.0, 2, 1,
    )  # fmt: skip
    assert (r.buyers, r.repeat_buyers) == (2, 0)
    response = client.get("/customers/analytics/?months=7")
    assert response.context["a"].retention.months == 12
    assert "“7”无效：请选择 1, 3, 6, 12 个月" in response.content.decode()
