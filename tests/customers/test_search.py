from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from guanxi.customers import selectors, services
from guanxi.customers.models import Customer
from guanxi.lake import Lake
from tests.customers.helpers import EMAIL, KEY, MOBILE, NAME, customer, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang() -> Customer:
    customer(
        customer_key="c" + "f" * 16,
        name="李娜",
        mobile="13900001111",
        email="li@x.cn",
        tags=("新客户",),
        customer_class="ordinary",
        identities=(("jd", "jd_lina"),),
    )
    return customer()


def keys(query: str = "", **filters: Any) -> list[str]:
    return [c.customer_key for c in selectors.customer_search(query, **filters)]


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        (MOBILE, "mobile"),
        ("１３８１２３４５６７８", "mobile"),  # typed with a Chinese IME: full-width digits
        ("+86 138-1234-5678", "mobile"),
        ("＋８６ １３８ １２３４ ５６７８", "mobile"),
        ("5678", "mobile_tail"),
        ("５６７８", "mobile_tail"),
        ("ZHANG.WEI@EXAMPLE.COM", "email"),
        ("zhang.wei＠example.com", "email"),
        (NAME, "name_or_buyer"),
        (f"  {NAME} ", "name_or_buyer"),
        (KEY, "customer_key"),
        (KEY.upper(), "customer_key"),
        ("tb_zhangwei88", "name_or_buyer"),
    ],
)
def test_each_query_kind_finds_the_customer(zhang: Customer, query: str, kind: str) -> None:
    assert selectors.classify(query).kind == kind
    assert keys(query) == [KEY]


@pytest.mark.parametrize("query", ["张", "1381234", "zhang", "tb_zhang", "5679", "@example.com"])
def test_partial_values_find_nobody(zhang: Customer, query: str) -> None:
    # Encrypted values cannot be LIKE-searched: only whole values (or the 4-digit tail) match.
    assert keys(query) == []


def test_buyer_id_on_another_platform(zhang: Customer) -> None:
    assert keys("jd_lina") == ["c" + "f" * 16]


def test_empty_query_lists_everyone(zhang: Customer) -> None:
    assert keys() == [KEY, "c" + "f" * 16]


def test_tag_and_class_filters(zhang: Customer) -> None:
    assert keys(tag="老客户") == [KEY]
    tag_id = zhang.tags.get().pk
    assert keys(tag=str(tag_id)) == [KEY]
    assert keys(customer_class="ordinary") == ["c" + "f" * 16]
    assert keys(MOBILE, customer_class="ordinary") == []
    assert keys(tag="无此标签") == []


def test_platform_list_matches_imports() -> None:
    from guanxi.imports.services import PLATFORMS

    assert selectors.PLATFORMS == PLATFORMS


def test_list_page_filters_from_query_string(client: Client, make_user, zhang, lake: Lake) -> None:
    login(client, make_user, "agent")
    response = client.post("/customers/", {"q": "５６７８"}, follow=True)
    assert [r.customer_key for r in response.context["rows"]] == [KEY]
    response = client.get("/customers/", {"tag": "新客户", "class": "ordinary"})
    assert [r.customer_key for r in response.context["rows"]] == ["c" + "f" * 16]
    html = response.content.decode()
    assert "按完整手机号、手机尾号4位、邮箱、姓名全称、买家账号或客户编号查找" in html


def test_list_shows_masked_values_only(client: Client, make_user, zhang, lake: Lake) -> None:
    login(client, make_user, "manager")
    html = client.get("/customers/").content.decode()
    assert "138****5678" in html
    assert "z***@example.com" in html
    assert "张**" in html
    assert f'href="/customers/{KEY}/"' in html
    for plain in (MOBILE, NAME, EMAIL, "tb_zhangwei88"):
        assert plain not in html
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", html)
    assert "共 2 位客户" in html


def test_export_link_only_with_permission(client: Client, make_user, zhang, lake: Lake) -> None:
    login(client, make_user, "agent")
    html = client.post("/customers/", {"q": NAME}, follow=True).content.decode()
    assert "/customers/export.csv" not in html
    client.logout()
    login(client, make_user, "marketing")
    found = client.post("/customers/", {"q": "5678"})
    html = client.get(found["Location"] + "&page=1").content.decode()
    token = found["Location"].removeprefix("/customers/?s=")
    assert f'href="/customers/export.csv?s={token}"' in html  # filters kept, page dropped
    assert "unmasked=1" not in html  # marketing cannot reveal, so no plain export offered


def _many(n: int) -> None:
    services.customers_bulk_create(
        services.CustomerRecord(
            customer_key=f"c{i:016x}",
            name=f"客户{i}",
            mobile=f"139{i:08d}",
            tags=("老客户", f"批次{i % 3}"),
            identities=(("taobao", f"buyer{i}"), ("jd", f"jd{i}")),
        )
        for i in range(n)
    )


def test_paging_by_fifty(client: Client, make_user, lake: Lake) -> None:
    _many(51)
    login(client, make_user, "agent")
    first = client.get("/customers/")
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?page=2"' in first.content.decode()
    second = client.get("/customers/", {"page": 2})
    assert [r.customer_key for r in second.context["rows"]] == [f"c{50:016x}"]
    assert "共 51 位客户" in second.content.decode()


def test_list_query_count_does_not_grow_with_rows(
    client: Client, make_user, lake: Lake, django_assert_max_num_queries
) -> None:
    _many(60)
    login(client, make_user, "manager")
    # session, user, permissions, tag choices, count, page, prefetch tags, prefetch identities,
    # the session saved again (each request restarts the idle timeout), and the audit entry
    # of the filtered list
    with django_assert_max_num_queries(13):
        response = client.get("/customers/", {"tag": "老客户"})
    assert len(response.context["rows"]) == 50
    assert response.context["rows"][0].tags == ["批次0", "老客户"]
