"""The customers' standing: recomputed from the lake into one row per customer, classes
applied except where a manager pinned one."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi import demo
from guanxi.customers import standing
from guanxi.customers.models import ClassPin, Customer, CustomerStanding
from guanxi.lake.store import Lake

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_shop(lake: Lake) -> Lake:
    demo.build("small", 7, lake)
    return lake


def test_recompute_writes_one_row_per_customer_with_history(small_shop: Lake) -> None:
    result = standing.recompute(dt.date(2025, 12, 31))
    assert result.customers == CustomerStanding.objects.count() > 0
    buyers = CustomerStanding.objects.filter(paid_orders__gt=0)
    assert buyers.exists()
    for row in buyers[:50]:
        # F counts paid orders, M their amounts (refunds not deducted by default)
        assert row.frequency == row.paid_orders
        assert row.monetary == row.paid_amount
        assert row.r_score is not None and 1 <= row.r_score <= 5 and row.rfm_group
    never = CustomerStanding.objects.filter(paid_orders=0).first()
    if never is not None:
        assert never.r_score is None and never.rfm_group == ""
    # every customer's class is the rule's
    for row in CustomerStanding.objects.select_related("customer")[:200]:
        assert row.customer.customer_class == row.rule_class
    assert sum(result.classes.values()) == Customer.objects.filter(merged_into__isnull=True).count()


def test_a_pin_survives_a_recompute_and_unpinning_restores_the_rule(small_shop: Lake) -> None:
    standing.recompute(dt.date(2025, 12, 31))
    row = CustomerStanding.objects.exclude(rule_class="vip").select_related("customer").first()
    assert row is not None
    customer = row.customer
    standing.class_pin(customer, "vip", reason="大客户，老板指定", user="boss")
    standing.recompute(dt.date(2025, 12, 31))
    customer.refresh_from_db()
    assert customer.customer_class == "vip"
    pin = ClassPin.objects.get(customer=customer, removed_at__isnull=True)
    assert (pin.pinned_by, pin.reason) == ("boss", "大客户，老板指定")
    standing.class_unpin(customer, user="boss")
    customer.refresh_from_db()
    assert customer.customer_class == row.rule_class
    assert ClassPin.objects.get(pk=pin.pk).removed_by == "boss"
