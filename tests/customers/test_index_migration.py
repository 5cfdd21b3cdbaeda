"""Migration 0005: the hex blind indexes of an existing master become 16-byte keys, and every
look-up by phone, email, name or buyer id (search, PIPL requests, merges, imports) still
finds what it found before; going back restores the full hex keys."""

from __future__ import annotations

import hmac
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from guanxi.core import crypto
from guanxi.customers import identities, merges, selectors, services
from guanxi.customers.identities import Person
from guanxi.customers.models import Customer, PlatformIdentity
from guanxi.lake import Lake
from guanxi.privacy import selectors as privacy_selectors

BEFORE = [("customers", "0004_audit_log_to_core")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _latest() -> None:
    executor = MigrationExecutor(connection)
    _migrate(list(executor.loader.graph.leaf_nodes()))


def _hex(text: str) -> str:
    """A blind index as the previous version stored it: the whole HMAC in hex."""
    return hmac.digest(crypto.cipher().index_key, text.encode(), "sha256").hex()


def _old_customer(apps: Any, key: str, name: str, mobile: str, email: str, buyer: str) -> None:
    old_customer = apps.get_model("customers", "Customer")
    old_identity = apps.get_model("customers", "PlatformIdentity")
    customer = old_customer.objects.create(
        customer_key=key,
        name=name,
        name_index=_hex("name:" + name) if name else "",
        mobile=mobile,
        mobile_index=_hex("mobile:" + mobile) if mobile else "",
        mobile_tail_index=_hex("mobile-tail:" + mobile[-4:]) if mobile else "",
        email=email,
        email_index=_hex("email:" + email) if email else "",
        city="杭州市",
    )
    old_identity.objects.create(
        customer=customer,
        platform="taobao",
        buyer_id=buyer,
        buyer_id_index=_hex(f"buyer:taobao:{buyer}"),
    )


@pytest.mark.django_db(transaction=True)
def test_hex_keys_become_binary_and_every_lookup_still_finds_its_customer(lake: Lake) -> None:
    executor = _migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    _old_customer(apps, "c00000000000000a1", "张伟", "13812345678", "zw@example.com", "tb_zw")
    _old_customer(apps, "c00000000000000a2", "张伟", "13812345678", "", "tb_zw2")  # same phone
    _old_customer(apps, "c00000000000000a3", "", "", "", "tb_nobody")
    _latest()

    first = Customer.objects.get(customer_key="c00000000000000a1")
    assert bytes(first.mobile_index) == services.mobile_index("13812345678")
    assert bytes(first.mobile_tail_index) == services.mobile_tail_index("13812345678")
    assert bytes(first.email_index) == services.email_index("zw@example.com")
    assert bytes(first.name_index) == services.name_index("张伟")
    empty = Customer.objects.get(customer_key="c00000000000000a3")
    assert (bytes(empty.name_index), bytes(empty.mobile_index), bytes(empty.email_index)) == (
        b"",
        b"",
        b"",
    )
    for query, keys in [
        ("13812345678", ["c00000000000000a1", "c00000000000000a2"]),
        ("5678", ["c00000000000000a1", "c00000000000000a2"]),
        ("zw@example.com", ["c00000000000000a1"]),
        ("张伟", ["c00000000000000a1", "c00000000000000a2"]),
        ("tb_nobody", ["c00000000000000a3"]),
    ]:
        assert [c.customer_key for c in selectors.customer_search(query)] == keys, query
    assert len(privacy_selectors.customers_find("13812345678")) == 2
    # An import finds the known buyer and the known phone.
    result = identities.resolve(
        "taobao", [Person("tb_zw"), Person("tb_new", mobile="138 1234 5678")]
    )
    assert (result.created, result.matched) == (0, 2)
    assert dict(zip(*result.keys.to_pydict().values(), strict=True)) == {
        "tb_zw": "c00000000000000a1",
        "tb_new": "c00000000000000a1",
    }
    # The two records with one phone are certain duplicates.
    done = merges.merge_certain()
    assert [(m.survivor.customer_key, m.merged.customer_key) for m in done] == [
        ("c00000000000000a1", "c00000000000000a2")
    ]

    _migrate(BEFORE)  # back: the full hex keys again, from the decrypted values
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT mobile_index, email_index FROM customers_customer WHERE customer_key = %s",
            ["c00000000000000a1"],
        )
        assert cursor.fetchone() == (_hex("mobile:13812345678"), _hex("email:zw@example.com"))
        cursor.execute("SELECT buyer_id_index FROM customers_platformidentity ORDER BY id")
        indexes = [row[0] for row in cursor.fetchall()]
    assert _hex("buyer:taobao:tb_zw") in indexes and all(len(i) == 64 for i in indexes)
    _latest()
    assert PlatformIdentity.objects.filter(
        buyer_id_index=services.buyer_index("taobao", "tb_zw")
    ).exists()
