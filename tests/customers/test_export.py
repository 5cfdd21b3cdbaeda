from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from tests.customers.helpers import EMAIL, KEY, MOBILE, NAME, customer, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def two() -> list[Customer]:
    return [
        customer(),
        customer(
            customer_key="c" + "f" * 16,
            name="李娜",
            mobile="13900001111",
            email="",
            tags=(),
            customer_class="ordinary",
            identities=(),
        ),
    ]


def _csv(response) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_export_is_masked_by_default(client: Client, make_user, two, lake: Lake) -> None:
    login(client, make_user, "marketing")
    response = client.get("/customers/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body, rows = _csv(response)
    assert body.startswith("\ufeff")
    assert rows[0][:5] == ["客户编号", "姓名", "性别", "出生日期", "手机"]
    assert rows[1][:5] == [KEY, "张**", "男", "1990-**-**", "138****5678"]
    assert len(rows) == 3
    for plain in (MOBILE, NAME, EMAIL, "13900001111"):
        assert plain not in body
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.row_count, entry.actor_username) == ("export", 2, "marketing1")
    assert entry.fields.startswith("customer_key,name,gender,birth_date,mobile,email")
    assert entry.subject == "all customers; masked"


def test_export_follows_the_search_and_never_audits_the_value(
    client: Client, make_user, two, lake: Lake
) -> None:
    login(client, make_user, "marketing")
    found = client.post("/customers/", {"q": MOBILE, "tag": "老客户", "class": "vip"})
    response = client.get(found["Location"].replace("/customers/", "/customers/export.csv"))
    _body, rows = _csv(response)
    assert [r[0] for r in rows[1:]] == [KEY]
    entry = AuditEntry.objects.get()
    assert entry.row_count == 1
    assert entry.subject == "search (mobile); tag=老客户; class=vip; masked"
    assert MOBILE not in entry.subject and "5678" not in entry.subject


def test_export_header_in_english(client: Client, make_user, two, lake: Lake) -> None:
    login(client, make_user, "marketing")
    client.cookies["django_language"] = "en"
    _body, rows = _csv(client.get("/customers/export.csv", HTTP_ACCEPT_LANGUAGE="en"))
    # The header follows the active language (English once translations are compiled).
    assert len(rows[0]) == 11


def test_manager_may_export_unmasked(client: Client, make_user, two, lake: Lake) -> None:
    login(client, make_user, "manager")
    _body, rows = _csv(client.get("/customers/export.csv", {"unmasked": "1"}))
    assert rows[1][:6] == [KEY, NAME, "男", "1990-05-17", MOBILE, EMAIL]
    entry = AuditEntry.objects.get()
    assert entry.subject == "all customers; unmasked"
    assert MOBILE not in entry.subject + entry.fields


def test_marketing_may_not_export_unmasked(client: Client, make_user, two, lake: Lake) -> None:
    login(client, make_user, "marketing")
    assert client.get("/customers/export.csv", {"unmasked": "1"}).status_code == 403
    assert not AuditEntry.objects.exists()


def test_agent_may_not_export(client: Client, make_user, two, lake: Lake) -> None:
    login(client, make_user, "agent")
    assert client.get("/customers/export.csv").status_code == 403


def test_formula_cells_are_neutralised(client: Client, make_user, lake: Lake) -> None:
    customer(name="=HYPERLINK(1)", tags=())
    login(client, make_user, "manager")
    _body, rows = _csv(client.get("/customers/export.csv", {"unmasked": "1"}))
    assert rows[1][1] == "'=HYPERLINK(1)"
