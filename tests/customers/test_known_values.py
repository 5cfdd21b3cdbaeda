"""``known_values``: the master's personal values behind a key, for masking free text — a
record merged into the customer lends its values (the same person may write the old phone)."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.customers.selectors import known_values

pytestmark = pytest.mark.django_db


def test_a_merged_record_lends_its_values_to_the_survivor():
    survivor = Customer.objects.create(customer_key="k-survivor", name="王芳", mobile="13800001111")
    Customer.objects.create(
        customer_key="k-old", name="王芳", mobile="13900002222", merged_into=survivor
    )
    Customer.objects.create(customer_key="k-other", name="李雷", mobile="13700003333")
    found = known_values(["k-survivor", "k-missing"])
    assert set(found) == {"k-survivor"}
    assert sorted(found["k-survivor"].mobiles) == ["13800001111", "13900002222"]
    # Asked for the merged record itself: its own values only.
    assert known_values(["k-old"])["k-old"].mobiles == ("13900002222",)
