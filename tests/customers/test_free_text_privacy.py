"""Free text on the pages that show it (issue 13 items 1 and 2): masked for every viewer who
has not revealed personal data, and chat text only for those the chat rule allows
(accounts.chat_access): managers every session, an agent the sessions they served (or, with
GUANXI_AGENT_CHAT_SCOPE=customer, that customer's whole history), marketing none.

The lake here holds text as an import before issue 13 stored it (plain), so what the pages
show is the display-side masking at work."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from django.test import Client, override_settings

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from tests.customers.helpers import KEY, customer, login
from tests.factories import utc

pytestmark = pytest.mark.django_db

# What the master knows about 张伟明 (tests/customers/helpers.py), as customers typed it.
PLAIN = ("张伟明", "13812345678", "138 1234 5678", "文三路", "tb_zhangwei88", "zhang.wei")
KF1_TEXT = "我是张伟明，电话 138 1234 5678"
KF2_TEXT = "地址改成西湖区文三路88号3单元，旺旺 tb_zhangwei88"


@pytest.fixture
def zhang() -> Customer:
    return customer()


@pytest.fixture
def shop(lake: Lake, zhang: Customer) -> Lake:
    return free_text_shop(lake)


def free_text_shop(lake: Lake) -> Lake:
    """Two sessions of 张伟明: s-a served by kf1, s-b by kf2; a refund and a review naming him."""
    rows = [
        ("s-a", "customer", None, "2024-06-17 09:00:00", KF1_TEXT),
        ("s-a", "agent", "kf1", "2024-06-17 09:00:20", "好的，已记录"),
        ("s-b", "customer", None, "2024-06-18 09:00:00", KF2_TEXT),
        ("s-b", "agent", "kf2", "2024-06-18 09:00:30", "收到，邮箱 zhang.wei@example.com 对吗"),
    ]
    lake.write(
        "chat_messages",
        pa.table(
            {
                "platform": ["taobao"] * 4,
                "message_id": [f"m{i}" for i in range(4)],
                "session_id": [r[0] for r in rows],
                "customer_key": [KEY] * 4,
                "agent_id": [r[2] for r in rows],
                "sender": [r[1] for r in rows],
                "sent_at": [utc(r[3]) for r in rows],
                "text": [r[4] for r in rows],
            }
        ),
    )
    lake.write(
        "refunds",
        pa.table(
            {
                "platform": ["taobao"],
                "refund_id": ["r1"],
                "order_id": ["o1"],
                "customer_key": [KEY],
                "requested_at": [utc("2024-06-19 10:00:00")],
                "completed_at": [None],
                "kind": ["refund_only"],
                "reason": ["张伟明本人申请，联系 13812345678"],
                "quality_issue": [False],
                "amount": [Decimal("10.00")],
                "status": ["processing"],
            }
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
                "text": ["送到文三路 88 号很快，张伟明很满意"],
            }
        ),
    )
    return lake


def _links(response) -> dict[str, str]:
    """The profile timeline's chats: session id → transcript link ("" when withheld)."""
    return {r.ref: r.link for r in response.context["timeline_rows"] if r.kind == "chat"}


def _page(client: Client) -> str:
    response = client.get(f"/customers/{KEY}/")
    assert response.status_code == 200
    return response.content.decode()


def test_marketing_sees_no_personal_data_in_free_text_and_no_chats(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "marketing")
    html = _page(client)
    for plain in PLAIN:
        assert plain not in html
    assert "张**本人申请，联系 138****5678" in html  # the refund reason, masked
    assert "送到****很快，张**很满意" in html  # the review, masked
    # Marketing reads no chat text at all: the timeline lists the sessions, no transcript.
    assert "/performance/sessions/" not in html
    assert "好的，已记录" not in html
    assert "本页另有 2 个会话由其他客服接待" in html


def test_an_agent_reads_only_the_sessions_they_served_masked(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "agent", agent_id="kf2")
    response = client.get(f"/customers/{KEY}/")
    html = response.content.decode()
    # The profile shows no chat text; its timeline links to the transcripts kf2 may read.
    assert _links(response) == {"s-a": "", "s-b": "/performance/sessions/s-b/"}
    assert "好的，已记录" not in html  # kf1's session: withheld
    assert "本页另有 1 个会话由其他客服接待" in html
    for plain in PLAIN:
        assert plain not in html


def test_an_agent_is_refused_another_agents_session_page_and_api(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "agent", agent_id="kf2")
    assert client.get("/performance/sessions/s-a/").status_code == 403
    assert client.get("/api/performance/sessions/s-a").status_code == 403
    page = client.get("/performance/sessions/s-b/").content.decode()
    assert "地址改成****，旺旺 t***8" in page
    data = client.get("/api/performance/sessions/s-b").json()
    assert [m["text"] for m in data["messages"]] == [
        "地址改成****，旺旺 t***8",
        "收到，邮箱 z***@example.com 对吗",
    ]
    for plain in PLAIN:
        assert plain not in page
        assert plain not in str(data)


@override_settings(GUANXI_AGENT_CHAT_SCOPE="customer")
def test_after_sale_scope_shows_the_customers_whole_history_to_agents_who_served_him(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "agent", agent_id="kf2")
    response = client.get(f"/customers/{KEY}/")
    assert _links(response) == {
        "s-a": "/performance/sessions/s-a/",
        "s-b": "/performance/sessions/s-b/",
    }
    assert client.get("/performance/sessions/s-a/").status_code == 200
    assert client.get("/api/performance/sessions/s-a").json()["messages"][0]["text"] == (
        "我是张**，电话 138****5678"
    )


@override_settings(GUANXI_AGENT_CHAT_SCOPE="customer")
def test_after_sale_scope_still_refuses_agents_who_never_served_the_customer(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "agent", agent_id="kf3")
    response = client.get(f"/customers/{KEY}/")
    assert _links(response) == {"s-a": "", "s-b": ""}
    assert "本页另有 2 个会话由其他客服接待" in response.content.decode()
    assert client.get("/performance/sessions/s-a/").status_code == 403
    assert client.get("/api/performance/sessions/s-b").status_code == 403


def test_managers_read_every_session_masked_until_they_reveal(
    client: Client, make_user, shop: Lake
) -> None:
    login(client, make_user, "manager")
    response = client.get(f"/customers/{KEY}/")
    html = response.content.decode()
    assert _links(response) == {
        "s-a": "/performance/sessions/s-a/",
        "s-b": "/performance/sessions/s-b/",
    }
    assert "张**本人申请，联系 138****5678" in html
    for plain in PLAIN:
        assert plain not in html
    assert not AuditEntry.objects.exists()

    revealed = client.post(f"/customers/{KEY}/reveal/").content.decode()
    assert "张伟明本人申请，联系 13812345678" in revealed  # as stored; the reveal is audited
    assert AuditEntry.objects.count() == 1


def test_the_session_page_and_api_mask_for_managers_too(
    client: Client, make_user, shop: Lake
) -> None:
    """The conversation page has no reveal: its text is masked for every viewer."""
    login(client, make_user, "manager")
    page = client.get("/performance/sessions/s-a/").content.decode()
    assert "我是张**，电话 138****5678" in page
    data = client.get("/api/performance/sessions/s-a").json()
    assert data["messages"][0]["text"] == "我是张**，电话 138****5678"
    for plain in PLAIN:
        assert plain not in page
        assert plain not in str(data)
    assert not AuditEntry.objects.exists()
