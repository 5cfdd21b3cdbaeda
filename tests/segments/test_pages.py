"""The segment pages: permissions (agents none, marketing all), the builder saving, editing
and refusing bad filters, the live count endpoint, the members page and the exports —
masked for every role and audited."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from guanxi.core.models import AuditEntry
from guanxi.segments.models import Segment
from tests.customers.helpers import login
from tests.segments import shop

pytestmark = pytest.mark.django_db

PLAIN = [v for pair in shop.NAMES.values() for v in pair]  # every name and phone in clear


@pytest.fixture
def customers() -> None:
    shop.build()


@pytest.fixture
def segment() -> Segment:
    return Segment.objects.create(
        name="浙江老客户",
        description="回访名单",
        filters={"provinces": ["浙江"], "tags": ["老客户"]},
        created_by="m",
        updated_by="m",
    )


def _csv(response) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/segments/"),
        ("get", "/segments/new/"),
        ("post", "/segments/new/"),
        ("get", "/segments/{id}/"),
        ("get", "/segments/{id}/edit/"),
        ("post", "/segments/{id}/delete/"),
        ("get", "/segments/{id}/export.csv"),
        ("get", "/segments/{id}/export.xlsx"),
        ("get", "/segments/count/"),
    ],
)
def test_an_agent_is_refused_everywhere(client: Client, make_user, segment, method, url) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    response = getattr(client, method)(url.format(id=segment.pk), {"name": "x"})
    assert response.status_code == 403
    assert Segment.objects.count() == 1  # nothing deleted or added
    assert not AuditEntry.objects.filter(action="export").exists()


def test_the_nav_shows_segments_to_marketing_and_not_to_an_agent(client: Client, make_user) -> None:
    login(client, make_user, "marketing")
    assert 'href="/segments/"' in client.get("/customers/").content.decode()
    client.logout()
    login(client, make_user, "agent", agent_id="kf1")
    assert 'href="/segments/"' not in client.get("/customers/").content.decode()


def test_marketing_builds_saves_and_sees_the_members_masked(
    client: Client, make_user, customers
) -> None:
    login(client, make_user, "marketing")
    assert client.get("/segments/new/").status_code == 200
    response = client.post(
        "/segments/new/",
        {
            "name": " 近30天购买 ",
            "description": "夏季活动",
            "last_purchase": "within",
            "last_purchase_days": "3650",
            "customer_classes": ["vip", "core"],
            "marketing_consent": "yes",
        },
    )
    saved = Segment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/segments/{saved.pk}/"
    assert (saved.name, saved.created_by, saved.updated_by) == (
        "近30天购买",
        "marketing1",
        "marketing1",
    )
    assert saved.filters == {
        "customer_classes": ["vip", "core"],
        "last_purchase": "within",
        "last_purchase_days": 3650,
        "marketing_consent": "yes",
    }
    page = client.get(response["Location"]).content.decode()
    # vip or core, consenting, bought in ten years: c02, c05, c08
    assert "共 3 位客户" in page
    assert page.count('<tr data-key="') == 3
    for masked in ("李*", "138****0002", "刘*", "孙*", "138****0008"):
        assert masked in page
    for plain in PLAIN:
        assert plain not in page
    listing = client.get("/segments/").content.decode()
    assert '<td class="num count">3</td>' in listing


def test_a_bad_filter_is_shown_by_field_and_nothing_is_saved(client: Client, make_user) -> None:
    login(client, make_user, "marketing")
    response = client.post(
        "/segments/new/", {"name": "", "spend_min": "abc", "customer_classes": ["vip"]}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "spend_min: &#x27;abc&#x27; is not an amount; give e.g. 500" in page
    assert "name: is empty; give the segment a name" in page
    assert 'value="abc"' in page  # what was typed stays in the form
    assert 'value="vip" checked' in page
    assert not Segment.objects.exists()


def test_a_taken_name_is_refused(client: Client, make_user, segment) -> None:
    login(client, make_user, "marketing")
    response = client.post("/segments/new/", {"name": "浙江老客户"})
    assert response.status_code == 422
    assert "name: &#x27;浙江老客户&#x27; is taken by another segment" in response.content.decode()
    assert Segment.objects.count() == 1


def test_edit_and_delete(client: Client, make_user, customers, segment) -> None:
    login(client, make_user, "manager")
    form = client.get(f"/segments/{segment.pk}/edit/").content.decode()
    assert 'value="浙江" checked' in form and 'value="老客户" checked' in form
    response = client.post(
        f"/segments/{segment.pk}/edit/", {"name": "浙江客户", "provinces": ["浙江"]}
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.name, segment.filters, segment.updated_by) == (
        "浙江客户",
        {"provinces": ["浙江"]},
        "manager1",
    )
    assert client.post(f"/segments/{segment.pk}/delete/").status_code == 302
    assert not Segment.objects.exists()


def test_the_live_count(client: Client, make_user, customers) -> None:
    login(client, make_user, "marketing")
    answer = client.get("/segments/count/", {"customer_classes": ["vip", "core"]})
    # vip c01 c08, core c02 c05 (c07 is merged away)
    assert answer.json() == {"count": 4, "text": "符合条件的客户：4 位"}
    assert client.get("/segments/count/").json()["count"] == 7
    bad = client.get("/segments/count/", {"spend_min": "abc", "orders_min": "-1"})
    assert bad.status_code == 422
    assert bad.json() == {
        "errors": {
            "spend_min": "'abc' is not an amount; give e.g. 500",
            "orders_min": "'-1' is not a whole number; give e.g. 2",
        }
    }


@pytest.mark.parametrize("role", ["admin", "manager", "marketing"])
def test_the_csv_export_is_masked_for_every_role_and_audited(
    client: Client, make_user, customers, segment, role
) -> None:
    login(client, make_user, role)
    response = client.get(f"/segments/{segment.pk}/export.csv")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body, rows = _csv(response)
    assert rows[0] == [
        "客户编号", "姓名（已打码）", "手机（已打码）", "省份/城市", "客户类别", "会员等级",
        "RFM分组", "累计消费", "近12个月消费", "付款订单数", "最近购买",
        "预测终身价值", "流失风险", "活跃概率", "客户聚类",
    ]  # fmt: skip
    assert rows[1:] == [
        ["c01", "张**", "138****0001", "浙江 杭州", "VIP客户", "超级会员", "重要价值",
         "5200.00", "3200.00", "12", "2025-06-25", "", "", "", ""],
        ["c02", "李*", "138****0002", "浙江 宁波", "核心客户", "普通会员", "重要保持",
         "1800.00", "900.00", "4", "2025-04-01", "", "", "", ""],
    ]  # fmt: skip
    for plain in PLAIN:
        assert plain not in body
    # one entry by the exporter: the export (not a second "download" entry as well)
    entry = AuditEntry.objects.get(actor_username=f"{role}1")
    assert (entry.action, entry.actor_username, entry.row_count) == ("export", f"{role}1", 2)
    assert entry.subject == f"segment #{segment.pk} (csv); masked"
    assert entry.fields.startswith("customer_key,name,mobile,region")


@pytest.mark.parametrize("role", ["admin", "marketing"])
def test_the_xlsx_export_is_masked_and_audited(
    client: Client, make_user, customers, segment, role
) -> None:
    login(client, make_user, role)
    response = client.get(f"/segments/{segment.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    cells = sheet.to_python()
    assert cells[0][0] == "客户分群：浙江老客户（2 位，个人信息已打码）"
    assert cells[2][:3] == ["c01", "张**", "138****0001"]
    assert cells[2][7] == 5200.0  # a number Excel can sum
    assert cells[3][:3] == ["c02", "李*", "138****0002"]
    text = repr(cells)
    for plain in PLAIN:
        assert plain not in text
    entry = AuditEntry.objects.get(actor_username=f"{role}1")
    assert (entry.action, entry.actor_username, entry.row_count, entry.subject) == (
        "export",
        f"{role}1",
        2,
        f"segment #{segment.pk} (xlsx); masked",
    )


def test_the_members_page_is_in_english(client: Client, make_user, customers, segment) -> None:
    login(client, make_user, "marketing")
    client.cookies["django_language"] = "en"
    page = client.get(f"/segments/{segment.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Important value" in page
    assert "2 customers" in page
