"""Hand-made customers with standings for the segment tests: eight customers (one of them a
merged duplicate) whose figures sit on the filters' edges. Today is 2025-06-30 (Shanghai).

key  class      region     tags        paid (12m)        paid orders (12m)  last paid (local)
c01  vip        浙江 杭州  老客户 高价值  5200.00 (3200.00)  12 (6)   2025-06-25 10:00
c02  core       浙江 宁波  老客户         1800.00 (900.00)   4 (2)    2025-04-01 09:00
c03  ordinary   江苏 南京  —              120.00 (0)         1 (0)    2024-05-20 12:00
c04  potential  江苏 苏州  待回访         (no standing row)
c05  core       广东 深圳  老客户 待回访  500.00 (500.00)    2 (2)    2025-05-31 23:30
c06  ordinary   广东 广州  —              0 (0)              0 (0)    never
c07  vip, merged into c01  高价值 待回访  9000.00            20       2025-06-29 10:00
c08  vip        上海 上海  —              499.99 (499.99)    1 (1)    2025-05-30 23:59:59

key  RFM group          loyalty  tier      categories  marketing consent (newest entry)
c01  important_value    high     super     服饰 美妆   granted, then withdrawn → no
c02  important_keep     medium   ordinary  服饰        granted → yes
c03  general_win_back   low      —         食品        never asked → no
c05  general_develop    medium   ordinary  美妆 食品   withdrawn, then granted → yes
c06  —                  —        —         —           never asked → no
c07  important_value    high     apass     服饰 食品   granted → yes
c08  important_develop  high     apass     美妆        granted → yes

c07 would match almost every filter: it must match none (merged records are not members).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from guanxi.customers import services
from guanxi.customers.models import Customer, CustomerStanding
from guanxi.privacy.services import consent_record
from tests.factories import utc

TODAY = dt.date(2025, 6, 30)
ALL = ["c01", "c02", "c03", "c04", "c05", "c06", "c08"]  # c07 is merged away
NAMES = {
    "c01": ("张伟明", "13800000001"),
    "c02": ("李娜", "13800000002"),
    "c03": ("王芳", "13800000003"),
    "c04": ("赵强", "13800000004"),
    "c05": ("刘洋", "13800000005"),
    "c06": ("陈静", "13800000006"),
    "c07": ("张伟明", "13800000001"),
    "c08": ("孙丽", "13800000008"),
}


def _standing(customer: Customer, **figures: Any) -> None:
    CustomerStanding.objects.create(
        customer=customer, as_of=TODAY, computed_at=timezone.now(), **figures
    )


def _customer(key: str, customer_class: str, province: str, city: str, tags: tuple[str, ...]):
    name, mobile = NAMES[key]
    return services.customer_create(
        services.CustomerRecord(
            customer_key=key,
            name=name,
            mobile=mobile,
            province=province,
            city=city,
            customer_class=customer_class,
            tags=tags,
        )
    )


def _figures(
    paid: str,
    trailing: str,
    orders: int,
    trailing_orders: int,
    last: str | None,
    rfm: str,
    loyalty: str,
    tier: str,
    categories: list[str],
) -> dict[str, Any]:
    return {
        "paid_amount": Decimal(paid),
        "trailing_paid_amount": Decimal(trailing),
        "paid_orders": orders,
        "orders": orders,
        "trailing_paid_orders": trailing_orders,
        "last_paid_at": utc(last) if last else None,
        "rfm_group": rfm,
        "loyalty": loyalty,
        "member_tier": tier,
        "categories": categories,
    }


def build() -> dict[str, Customer]:
    c = {
        "c01": _customer("c01", "vip", "浙江", "杭州", ("老客户", "高价值")),
        "c02": _customer("c02", "core", "浙江", "宁波", ("老客户",)),
        "c03": _customer("c03", "ordinary", "江苏", "南京", ()),
        "c04": _customer("c04", "potential", "江苏", "苏州", ("待回访",)),
        "c05": _customer("c05", "core", "广东", "深圳", ("老客户", "待回访")),
        "c06": _customer("c06", "ordinary", "广东", "广州", ()),
        "c07": _customer("c07", "vip", "浙江", "杭州", ("高价值", "待回访")),
        "c08": _customer("c08", "vip", "上海", "上海", ()),
    }
    Customer.objects.filter(pk=c["c07"].pk).update(merged_into=c["c01"])
    rows = {
        "c01": ("5200.00", "3200.00", 12, 6, "2025-06-25 10:00:00", "important_value", "high",
                "super", ["服饰", "美妆"]),
        "c02": ("1800.00", "900.00", 4, 2, "2025-04-01 09:00:00", "important_keep", "medium",
                "ordinary", ["服饰"]),
        "c03": ("120.00", "0", 1, 0, "2024-05-20 12:00:00", "general_win_back", "low", "",
                ["食品"]),
        "c05": ("500.00", "500.00", 2, 2, "2025-05-31 23:30:00", "general_develop", "medium",
                "ordinary", ["美妆", "食品"]),
        "c06": ("0", "0", 0, 0, None, "", "", "", []),
        "c07": ("9000.00", "9000.00", 20, 20, "2025-06-29 10:00:00", "important_value", "high",
                "apass", ["服饰", "食品"]),
        "c08": ("499.99", "499.99", 1, 1, "2025-05-30 23:59:59", "important_develop", "high",
                "apass", ["美妆"]),
    }  # fmt: skip
    for key, row in rows.items():
        _standing(c[key], **_figures(*row))
    # The consent register: the newest entry per customer holds.
    for key, granted, at in (
        ("c01", True, "2025-01-01 10:00:00"),
        ("c01", False, "2025-03-01 10:00:00"),
        ("c02", True, "2025-02-01 10:00:00"),
        ("c05", False, "2025-01-05 10:00:00"),
        ("c05", True, "2025-04-05 10:00:00"),
        ("c07", True, "2025-02-01 10:00:00"),
        ("c08", True, "2025-02-01 10:00:00"),
    ):
        consent_record(customer=c[key], granted=granted, source="下单页勾选", at=utc(at), by="t")
    return c
