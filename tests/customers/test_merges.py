"""Duplicate customers: certain ones merged automatically, look-alikes proposed, undo exact."""

from __future__ import annotations

import pytest

from guanxi.customers import merges
from guanxi.customers.models import Customer, CustomerMerge, PlatformIdentity
from guanxi.customers.services import CustomerRecord, customers_bulk_create
from guanxi.lake import Lake
from tests.factories import orders_table

pytestmark = pytest.mark.django_db


def _people() -> None:
    customers_bulk_create(
        [
            CustomerRecord(
                customer_key="c1",
                name="王小明",
                mobile="13812345678",
                city="杭州市",
                identities=[("taobao", "tb_wang")],
                tags=["老客户"],
            ),
            CustomerRecord(
                customer_key="c2",
                name="王小明",
                mobile="+86 138 1234 5678",
                email="wang@example.com",
                address="浙江省杭州市文三路1号",
                city="杭州市",
                identities=[("jd", "jd_wang")],
                tags=["大促敏感"],
            ),
            CustomerRecord(
                customer_key="c3",
                name="王小明",
                mobile="13900000000",
                city="杭州市",
                identities=[("pdd", "pdd_wang")],
            ),
        ]
    )


def test_same_phone_is_merged_and_the_merge_undone_exactly(lake: Lake) -> None:
    _people()
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", "c1", "2024-06-17 10:00:00", None, "1.00"),
                ("o2", "c2", "2024-06-17 11:00:00", None, "2.00"),
                ("o3", "c3", "2024-06-17 12:00:00", None, "3.00"),
            ]
        ),
    )
    done = merges.merge_certain(by="manager1")
    assert len(done) == 1
    record = done[0]
    assert (record.survivor.customer_key, record.merged.customer_key) == ("c1", "c2")
    assert record.reason == "same_mobile" and record.automatic
    survivor = Customer.objects.get(customer_key="c1")
    assert survivor.email == "wang@example.com"  # blank filled from the duplicate
    assert survivor.address == "浙江省杭州市文三路1号"
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["大促敏感", "老客户"]
    assert PlatformIdentity.objects.filter(customer=survivor).count() == 2
    assert Customer.objects.get(customer_key="c2").merged_into == survivor
    owners = {r["order_id"]: r["customer_key"] for r in lake.to_arrow("orders").to_pylist()}
    assert owners == {"o1": "c1", "o2": "c1", "o3": "c3"}
    assert merges.merge_certain() == []  # nothing left that is certain

    merges.undo(record)
    survivor.refresh_from_db()
    assert (survivor.email, survivor.email_index, survivor.address) == ("", b"", "")
    assert list(survivor.tags.values_list("name", flat=True)) == ["老客户"]
    assert PlatformIdentity.objects.filter(customer=survivor).count() == 1
    assert Customer.objects.get(customer_key="c2").merged_into is None
    owners = {r["order_id"]: r["customer_key"] for r in lake.to_arrow("orders").to_pylist()}
    assert owners == {"o1": "c1", "o2": "c2", "o3": "c3"}
    assert CustomerMerge.objects.get().undone_at is not None
    with pytest.raises(merges.MergeError, match="already undone"):
        merges.undo(record)


def test_look_alikes_are_proposed_until_dismissed(lake: Lake) -> None:
    _people()
    merges.merge_certain()
    found = merges.proposals()
    assert [(p.first.customer_key, p.second.customer_key) for p in found] == [("c1", "c3")]
    merges.dismiss(found[0].second, found[0].first, by="manager1")
    assert merges.proposals() == []


def test_merge_refuses_nonsense(lake: Lake) -> None:
    _people()
    c1, c2, c3 = Customer.objects.order_by("id")
    with pytest.raises(merges.MergeError, match="itself"):
        merges.merge(c1, c1, reason="manual")
    merges.merge(c1, c2, reason="manual")
    c2.refresh_from_db()
    with pytest.raises(merges.MergeError, match="already merged"):
        merges.merge(c3, c2, reason="manual")


def test_the_merge_page(client, make_user, lake: Lake) -> None:
    _people()
    manager = make_user("manager")
    client.login(username=manager.username, password=manager.password)
    page = client.get("/customers/merges/").content.decode()
    assert "merge-certain" in page and "13812345678" not in page
    client.post("/customers/merges/", {"action": "certain"})
    assert Customer.objects.filter(merged_into__isnull=True).count() == 2
    page = client.get("/customers/merges/").content.decode()
    assert 'id="proposals"' in page and 'href="/customers/c3/"' in page  # c1, c3: name, city
    client.post("/customers/merges/", {"action": "merge", "first": "c3", "second": "c1"})
    assert Customer.objects.get(customer_key="c3").merged_into.customer_key == "c1"  # type: ignore[union-attr]
    listed = client.get("/customers/").content.decode()
    assert 'href="/customers/c1/"' in listed
    assert 'href="/customers/c3/"' not in listed and 'href="/customers/c2/"' not in listed
    record = CustomerMerge.objects.get(merged__customer_key="c3")
    client.post("/customers/merges/", {"action": "undo", "merge": record.pk})
    assert Customer.objects.get(customer_key="c3").merged_into is None
    agent = make_user("agent")
    client.login(username=agent.username, password=agent.password)
    assert client.get("/customers/merges/").status_code == 403
