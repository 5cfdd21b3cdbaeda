from __future__ import annotations

import pyarrow as pa
import pytest
from django.test import Client

from guanxi.accounts.services import agents_ensure
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from tests.customers.helpers import EMAIL, KEY, MOBILE, NAME, customer, login
from tests.factories import messages_table, orders_table, utc
from tests.html import shown

pytestmark = pytest.mark.django_db

OTHER = "c" + "e" * 16


@pytest.fixture
def zhang() -> Customer:
    return customer()


def _shop(lake: Lake) -> None:
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", KEY, "2024-06-17 10:00:00", "2024-06-17 10:05:00", "100.00"),
                ("o2", KEY, "2024-06-18 23:30:00", None, "50.50"),  # newest, unpaid
                ("o9", OTHER, "2024-06-18 09:00:00", "2024-06-18 09:01:00", "999.00"),
            ]
        ),
    )
    lake.write(
        "chat_messages",
        messages_table(
            [
                (KEY, "customer", "2024-06-17 09:00:00"),
                (KEY, "agent", "2024-06-17 09:00:20"),
                (OTHER, "customer", "2024-06-18 08:00:00"),
            ]
        ),
    )
    lake.write(
        "reviews",
        pa.table(
            {
                "platform": ["taobao"],
                "review_id": ["rv1"],
                "order_id": ["o1"],
                "product_id": ["p1"],
                "customer_key": [KEY],
                "created_at": [utc("2024-06-20 12:00:00")],
                "rating": [5],
                "text": ["包装很好，回购"],
            }
        ),
    )


def test_detail_shows_masked_fields_and_lake_facts(
    client: Client, make_user, zhang, lake: Lake
) -> None:
    _shop(lake)
    agents_ensure([("kf1", "小美")])
    login(client, make_user, "agent", agent_id="kf1")  # who served the chat: may read it
    response = client.get(f"/customers/{KEY}/")
    assert response.status_code == 200
    html = response.content.decode()
    fields = {f.key: f.value for f in response.context["fields"]}
    assert fields["mobile"] == "138****5678"
    assert fields["birth_date"] == "1990-**-**"
    assert fields["address"] == "浙江省杭州市****"
    # Notes are free text: masked like any (known values, patterns), not hidden.
    assert response.context["notes"] == "喜欢红色包装"
    for plain in (MOBILE, NAME, EMAIL, "文三路", "tb_zhangwei88"):
        assert plain not in html
    assert "t***8" in html  # buyer id masked

    # One timeline, newest first, in the shop's local time (UTC+8), only this customer's.
    rows = response.context["timeline_rows"]
    assert [(r.kind, r.ref, r.at) for r in rows] == [
        ("review", "o1", "2024-06-20 12:00"),
        ("order", "o2", "2024-06-18 23:30"),
        ("order", "o1", "2024-06-17 10:00"),
        ("chat", "s-" + KEY, "2024-06-17 09:00"),
    ]
    assert rows[1].summary == "待付款 · ¥50.50 · 1 件"
    assert rows[3].link == f"/performance/sessions/s-{KEY}/"  # kf1 served it
    assert "包装很好，回购" in html
    assert "o9" not in shown(html)  # another customer's order
    assert 'class="reveal"' not in html  # agents may not reveal


def test_detail_with_an_empty_lake(client: Client, make_user, zhang, lake: Lake) -> None:
    login(client, make_user, "agent")
    response = client.get(f"/customers/{KEY}/")
    assert response.status_code == 200
    assert response.context["timeline"].total == 0
    assert "还没有订单、咨询、退款或评价。" in response.content.decode()


def test_unknown_customer_is_404(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "agent")
    assert client.get("/customers/c0000000000000000/").status_code == 404


def test_agent_cannot_reveal(client: Client, make_user, zhang, lake: Lake) -> None:
    login(client, make_user, "agent")
    assert client.post(f"/customers/{KEY}/reveal/").status_code == 403
    assert not AuditEntry.objects.exists()


def test_manager_reveal_shows_plain_and_is_audited(
    client: Client, make_user, zhang, lake: Lake
) -> None:
    login(client, make_user, "manager")
    html = client.get(f"/customers/{KEY}/").content.decode()
    assert f'<form class="reveal" method="post" action="/customers/{KEY}/reveal/">' in html
    assert client.get(f"/customers/{KEY}/reveal/").status_code == 405  # POST only
    response = client.post(f"/customers/{KEY}/reveal/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    for plain in (MOBILE, NAME, EMAIL, "喜欢红色包装", "1990-05-17", "tb_zhangwei88"):
        assert plain in html
    assert 'class="reveal"' not in html
    entry = AuditEntry.objects.get()
    assert (entry.actor_username, entry.action, entry.subject, entry.row_count) == (
        "manager1",
        "reveal",
        KEY,
        1,
    )
    assert entry.fields == "name,mobile,email,address,birth_date,notes"
    recorded = " ".join(str(v) for v in AuditEntry.objects.values_list().get())
    for plain in (MOBILE, NAME, EMAIL):
        assert plain not in recorded
