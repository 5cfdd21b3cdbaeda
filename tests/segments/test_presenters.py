"""The filters in words (list, members page, the export's notes)."""

from __future__ import annotations

from guanxi.segments.filters import parse
from guanxi.segments.presenters import describe


def test_a_filter_in_words() -> None:
    flt = parse(
        {
            "customer_classes": ["vip", "core"],
            "rfm_groups": ["important_keep"],
            "tags": ["老客户", "待回访"],
            "tags_match": "all",
            "last_purchase": "not_within",
            "last_purchase_days": "90",
            "window": "12m",
            "spend_min": "1200",
            "orders_max": "3",
            "marketing_consent": "yes",
        }
    )
    assert describe(flt) == [
        "客户类别：VIP客户、核心客户",
        "RFM分组：重要保持",
        "标签（全部）：老客户、待回访",
        "最近 90 天内未购买（含从未购买）",
        "近12个月消费：≥ ¥1,200.00",
        "近12个月付款订单：≤ 3",
        "已同意营销",
    ]
    assert describe(parse({})) == ["全部客户（未设筛选条件）"]
    assert describe(parse({"spend_min": "500", "spend_max": "2000"})) == [
        "累计消费：¥500.00 – ¥2,000.00"
    ]
