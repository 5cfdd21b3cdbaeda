"""The loyalty tests' shared shop: the member score's worked example in the lake and master."""

from __future__ import annotations

import pytest

from guanxi.customers.models import Customer
from guanxi.lake import Lake
from tests.factories import chats_table
from tests.loyalty.test_member_score_metric import _write_example


@pytest.fixture
def member_shop(lake: Lake) -> Lake:
    """The worked example's lake, its five chat sessions (and one before the window), and the
    master: W with 6 of 8 profile fields, N with all 8 and no history."""
    _write_example(lake)
    times = [
        "2024-07-01 08:00:00",
        "2024-10-01 08:00:00",
        "2025-01-01 08:00:00",
        "2025-04-01 08:00:00",
        "2025-06-30 08:00:00",
        "2024-06-30 08:00:00",
    ]
    lake.write(
        "chat_messages",
        chats_table([(f"s{i}", "W", "customer", None, t) for i, t in enumerate(times)]),
    )
    Customer.objects.create(
        customer_key="W",
        name="王五",
        gender="female",
        mobile="13800138000",
        email="w@example.com",
        province="浙江",
        city="杭州",
    )  # birth date and address empty: 6 of 8
    Customer.objects.create(
        customer_key="N",
        name="牛六",
        gender="male",
        birth_date="1990-01-01",
        mobile="13900139000",
        email="n@example.com",
        address="某路1号",
        province="江苏",
        city="南京",
    )
    return lake
