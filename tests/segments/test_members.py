"""Each filter on the hand-made shop (tests/segments/shop.py, table there), the expected
members written out; combinations; one query for a count."""

from __future__ import annotations

from typing import Any

import pytest

from guanxi.segments.filters import SegmentFilter, parse
from guanxi.segments.models import Segment
from guanxi.segments.selectors import categories, member_count, members, provinces
from tests.segments import shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers() -> None:
    shop.build()


def keys(data: dict[str, Any]) -> list[str]:
    return list(members(parse(data), today=shop.TODAY).values_list("customer_key", flat=True))


CASES: list[tuple[dict[str, Any], list[str]]] = [
    # no filter: every customer that is not merged away (c07 is)
    ({}, shop.ALL),
    # class: the effective class on the master (Customer.customer_class)
    ({"customer_classes": ["vip"]}, ["c01", "c08"]),
    ({"customer_classes": ["core", "potential"]}, ["c02", "c04", "c05"]),
    # member tier, RFM group, loyalty: from the standing
    ({"member_tiers": ["super"]}, ["c01"]),
    ({"member_tiers": ["ordinary"]}, ["c02", "c05"]),
    ({"member_tiers": ["apass"]}, ["c08"]),
    ({"rfm_groups": ["important_value", "important_develop"]}, ["c01", "c08"]),
    ({"rfm_groups": ["general_win_back"]}, ["c03"]),
    ({"loyalty_levels": ["medium"]}, ["c02", "c05"]),
    ({"loyalty_levels": ["high", "low"]}, ["c01", "c03", "c08"]),
    # tags: any of them, or all of them
    ({"tags": ["高价值", "待回访"]}, ["c01", "c04", "c05"]),
    ({"tags": ["老客户", "待回访"], "tags_match": "all"}, ["c05"]),
    ({"tags": ["没有这个标签"]}, []),
    # region
    ({"provinces": ["浙江"]}, ["c01", "c02"]),
    ({"cities": "深圳，南京"}, ["c03", "c05"]),
    ({"provinces": ["江苏"], "cities": ["苏州"]}, ["c04"]),
    # last purchase. Today 2025-06-30: within 30 days = paid on local day 2025-05-31 or
    # later (R ≤ 30): c01 (06-25) and c05 (05-31 23:30, R = 30); c08 paid 05-30 23:59:59
    # (R = 31) is out.
    ({"last_purchase": "within", "last_purchase_days": 30}, ["c01", "c05"]),
    # not within 30 days: the rest, with c04 (no standing) and c06 (never paid)
    (
        {"last_purchase": "not_within", "last_purchase_days": "30"},
        ["c02", "c03", "c04", "c06", "c08"],
    ),
    # between two local days, both included: 04-01 09:00 (c02) and 05-30 23:59:59 (c08)
    (
        {
            "last_purchase": "between",
            "last_purchase_from": "2025-04-01",
            "last_purchase_to": "2025-05-30",
        },
        ["c02", "c08"],
    ),
    ({"last_purchase": "between", "last_purchase_to": "2024-12-31"}, ["c03"]),
    # spend, all-time (inclusive): ≥ 500 → 5200, 1800, 500; ≤ 499.99 → 120, c04 (none = 0),
    # c06 (0), 499.99
    ({"spend_min": "500"}, ["c01", "c02", "c05"]),
    ({"spend_max": "499.99"}, ["c03", "c04", "c06", "c08"]),
    ({"spend_min": "500", "spend_max": "2000"}, ["c02", "c05"]),
    # spend over the trailing 12 months: 3200 and 900 are ≥ 900
    ({"window": "12m", "spend_min": "900"}, ["c01", "c02"]),
    # paid orders: all-time 2..4 → c02 (4), c05 (2); trailing 12 months ≤ 0 → c03, c04, c06
    ({"orders_min": "2", "orders_max": "4"}, ["c02", "c05"]),
    ({"window": "12m", "orders_max": "0"}, ["c03", "c04", "c06"]),
    # categories bought (a JSON list on the standing)
    ({"categories": ["食品"]}, ["c03", "c05"]),
    ({"categories": ["服饰", "食品"]}, ["c01", "c02", "c03", "c05"]),
    ({"categories": ["美妆", "食品"], "categories_match": "all"}, ["c05"]),
    ({"categories": ["服饰", "美妆"], "categories_match": "all"}, ["c01"]),
    # consent to marketing: the newest entry holds; no entry is no consent
    ({"marketing_consent": "yes"}, ["c02", "c05", "c08"]),
    ({"marketing_consent": "no"}, ["c01", "c03", "c04", "c06"]),
    # combined: VIP or core, consenting, spent ≥ 500 → c02 (core, yes, 1800) and c05 (core,
    # yes, 500); c08 (vip, yes) spent 499.99, c01 (vip, 5200) withdrew consent
    (
        {"customer_classes": ["vip", "core"], "marketing_consent": "yes", "spend_min": "500"},
        ["c02", "c05"],
    ),
    # win-back list: important groups, not bought in 60 days, consenting → c02 (04-01)
    (
        {
            "rfm_groups": ["important_value", "important_keep", "important_win_back"],
            "last_purchase": "not_within",
            "last_purchase_days": 60,
            "marketing_consent": "yes",
        },
        ["c02"],
    ),
]


@pytest.mark.parametrize(("data", "expected"), CASES)
def test_each_filter_selects_exactly_its_members(customers, data, expected) -> None:
    assert keys(data) == expected


def test_a_saved_segment_and_its_count(customers) -> None:
    segment = Segment.objects.create(
        name="浙江老客户",
        filters={"provinces": ["浙江"], "tags": ["老客户"]},
        created_by="t",
        updated_by="t",
    )
    assert list(members(segment).values_list("customer_key", flat=True)) == ["c01", "c02"]
    assert member_count(segment) == 2


def test_a_count_is_one_query(customers, django_assert_num_queries) -> None:
    everything = SegmentFilter(
        customer_classes=("vip", "core"),
        member_tiers=("super", "ordinary"),
        rfm_groups=("important_value", "important_keep"),
        loyalty_levels=("high", "medium"),
        tags=("老客户", "高价值"),
        tags_match="all",
        provinces=("浙江",),
        last_purchase="not_within",
        last_purchase_days=1,
        spend_min=parse({"spend_min": "1000"}).spend_min,
        categories=("服饰",),
        marketing_consent="no",
    )
    with django_assert_num_queries(1):
        assert member_count(everything) == 1  # c01: every condition holds


def test_the_builder_offers_provinces_and_categories_in_the_data(customers) -> None:
    assert provinces() == ["上海", "广东", "江苏", "浙江"]
    assert categories() == ["服饰", "美妆", "食品"]
