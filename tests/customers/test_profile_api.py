"""``/api/customers/``: the profile and the points with role checks — an agent sees only
customers they served (others 404), marketing and everyone else get masked identity, points
change only with ``customers.change_customer`` and a bad request names the field (422)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.customers.models import Customer, CustomerStanding
from guanxi.lake import Lake
from guanxi.loyalty import services as points
from guanxi.loyalty.models import MemberScore, PointsEntry
from tests.customers.helpers import EMAIL, KEY, MOBILE, NAME, customer, login
from tests.factories import messages_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(lake: Lake) -> Customer:
    c = customer()
    # kf1 served 张伟明 (messages_table: the agent of every agent message is kf1).
    lake.write(
        "chat_messages",
        messages_table(
            [(KEY, "customer", "2025-06-01 09:00:00"), (KEY, "agent", "2025-06-01 09:00:30")]
        ),
    )
    CustomerStanding.objects.create(
        customer=c,
        as_of=dt.date(2025, 11, 30),
        computed_at=timezone.now(),
        orders=3,
        paid_orders=3,
        paid_amount=Decimal("600.00"),
        trailing_paid_orders=2,
        trailing_paid_amount=Decimal("420.00"),
        rule_class="core",
        class_rule="core_orders_and_spend",
        class_figure=Decimal("420.000"),
        class_threshold=Decimal("300.000"),
        recency_days=12,
        frequency=3,
        monetary=Decimal("600.00"),
        r_score=4,
        f_score=3,
        m_score=4,
        rfm_group="important_value",
        member_score=880,
        member_tier="ordinary",
    )
    MemberScore.objects.create(
        customer=c,
        month=dt.date(2025, 11, 1),
        as_of=dt.date(2025, 11, 8),
        purchase=500,
        interaction=200,
        credit=180,
        score=880,
        tier="ordinary",
        computed_at=timezone.now(),
    )
    points.adjust(c, 300, "欢迎礼", by="manager1")
    return c


def test_the_profile_is_masked_and_complete(client: Client, make_user, zhang: Customer) -> None:
    login(client, make_user, "marketing")
    response = client.get(f"/api/customers/{KEY}")
    assert response.status_code == 200
    data = response.json()
    assert data["identity"]["name"] == "张**"
    assert data["identity"]["mobile"] == "138****5678"
    assert data["identity"]["birth_date"] == "1990-**-**"
    for plain in (NAME, MOBILE, EMAIL, "文三路", "1990-05-17", "喜欢红色包装"):
        assert plain not in response.content.decode()
    assert data["customer_class"]["reason"] == (
        "核心客户：近 12 个月付款 2 单（≥ 2），消费 ¥420 > 中位数 ¥300"
    )
    assert data["customer_class"]["pin"] is None
    assert (data["member_score"], data["member_tier"], data["points_balance"]) == (
        880,
        "ordinary",
        300,
    )
    assert [(s["month"], s["score"]) for s in data["score_history"]] == [("2025-11-01", 880)]
    assert data["rfm"] == {
        "recency_days": 12,
        "frequency": 3,
        "monetary": "600.00",
        "r_score": 4,
        "f_score": 3,
        "m_score": 4,
        "group": "important_value",
    }
    assert data["facts"]["paid_amount"] == "600.00"
    assert data["loyalty"] == {"level": "", "components": {}}


def test_an_agent_sees_served_customers_only(client: Client, make_user, zhang: Customer) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get(f"/api/customers/{KEY}").status_code == 200
    assert client.get(f"/api/customers/{KEY}/points").status_code == 200
    client.logout()
    other = make_user("agent", username="agent2", agent_id="kf9")  # never served him
    assert client.login(username=other.username, password=other.password)
    assert client.get(f"/api/customers/{KEY}").status_code == 404
    assert client.get(f"/api/customers/{KEY}/points").status_code == 404


def test_unknown_customer_is_404(client: Client, make_user, zhang: Customer) -> None:
    login(client, make_user, "manager")
    assert client.get("/api/customers/c0000000000000000").status_code == 404


def test_points_balance_ledger_redeem_and_adjust(
    client: Client, make_user, zhang: Customer
) -> None:
    login(client, make_user, "manager")
    redeemed = client.post(
        f"/api/customers/{KEY}/points/redeem",
        {"points": 120, "reason": "兑换优惠券"},
        content_type="application/json",
    )
    assert redeemed.status_code == 200
    assert redeemed.json()["balance"] == 180  # 300 - 120
    adjusted = client.post(
        f"/api/customers/{KEY}/points/adjust",
        {"points": -30, "reason": "误发补正"},
        content_type="application/json",
    )
    assert adjusted.json()["balance"] == 150  # 180 - 30
    ledger = client.get(f"/api/customers/{KEY}/points").json()
    assert (ledger["balance"], ledger["entries"]) == (150, 3)
    assert [(e["kind"], e["points"]) for e in ledger["ledger"]] == [
        ("adjust", -30),
        ("redeem", -120),
        ("adjust", 300),
    ]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("redeem", {"points": 999, "reason": ""}, "points"),  # more than the 300 held
        ("redeem", {"points": 0}, "points"),
        ("adjust", {"points": 50, "reason": "  "}, "reason"),
        ("adjust", {"points": 0, "reason": "x"}, "points"),
    ],
)
def test_a_refused_points_change_is_422_naming_the_field(
    client: Client, make_user, zhang: Customer, path: str, body: dict[str, object], field: str
) -> None:
    login(client, make_user, "manager")
    response = client.post(
        f"/api/customers/{KEY}/points/{path}", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith(f"{field}: ")
    assert PointsEntry.objects.count() == 1  # only the fixture's


@pytest.mark.parametrize("role", ["marketing", "agent"])
def test_points_change_needs_the_change_permission(
    client: Client, make_user, zhang: Customer, role: str
) -> None:
    login(client, make_user, role, agent_id="kf1" if role == "agent" else "")
    response = client.post(
        f"/api/customers/{KEY}/points/adjust",
        {"points": 50, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert PointsEntry.objects.count() == 1


def test_anonymous_is_401(client: Client, zhang: Customer) -> None:
    assert client.get(f"/api/customers/{KEY}").status_code == 401


def test_the_schema_lists_the_customer_endpoints(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/customers/{customer_key}",
        "/api/customers/{customer_key}/points",
        "/api/customers/{customer_key}/points/redeem",
        "/api/customers/{customer_key}/points/adjust",
    } <= set(paths)
