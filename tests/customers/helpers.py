"""Customers for the customer-page tests, created through the real service (encrypted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from guanxi.customers import services
from guanxi.customers.models import Customer

MOBILE = "13812345678"
NAME = "张伟明"
EMAIL = "zhang.wei@example.com"
KEY = "c0123456789abcdef"


def customer(**fields: Any) -> Customer:
    defaults: dict[str, Any] = {
        "customer_key": KEY,
        "name": NAME,
        "gender": "male",
        "birth_date": dt.date(1990, 5, 17),
        "mobile": MOBILE,
        "email": EMAIL,
        "address": "浙江省杭州市西湖区文三路 88 号 3 单元",
        "province": "浙江",
        "city": "杭州",
        "notes": "喜欢红色包装",
        "customer_class": "vip",
        "tags": ("老客户",),
        "identities": (("taobao", "tb_zhangwei88"),),
    }
    defaults.update(fields)
    return services.customer_create(services.CustomerRecord(**defaults))


def login(client: Client, make_user, role: str, agent_id: str = "") -> None:
    creds = make_user(role, agent_id=agent_id)
    assert client.login(username=creds.username, password=creds.password)
