"""The 360° profile page (issue 15 item 8): each section's figures on a hand-made customer —
the standing row as the recompute would write it, two monthly member scores, a points
ledger, a pin — and the timeline from the lake, newest first and paginated."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.test import Client
from django.utils import timezone

from guanxi.customers import standing, timeline
from guanxi.customers.models import Customer, CustomerStanding
from guanxi.lake import Lake
from guanxi.loyalty import services as points
from guanxi.loyalty.models import MemberScore
from tests.customers.helpers import KEY, customer, login
from tests.factories import orders_table, utc

pytestmark = pytest.mark.django_db

OTHER = "c" + "e" * 16


@pytest.fixture
def zhang() -> Customer:
    return customer()


def _standing(c: Customer, **values: object) -> CustomerStanding:
    row: dict[str, object] = {
        "as_of": dt.date(2025, 11, 30),
        "computed_at": timezone.now(),
        "orders": 7,
        "paid_orders": 6,
        "paid_amount": Decimal("4210.00"),
        "paid_items": 9,
        "trailing_orders": 5,
        "trailing_paid_orders": 4,
        "trailing_paid_amount": Decimal("3240.00"),
        "first_order_at": dt.datetime(2024, 3, 2, 2, 0, tzinfo=dt.UTC),  # 10:00 local
        "last_order_at": dt.datetime(2025, 11, 20, 4, 30, tzinfo=dt.UTC),  # 12:30 local
        "last_paid_at": dt.datetime(2025, 11, 20, 4, 31, tzinfo=dt.UTC),
        "mean_days_between": 125.6,
        "categories": ["女装", "配饰"],
        "refunds": 2,
        "refund_amount": Decimal("180.50"),
        "returns": 1,
        "sessions": 11,
        "trailing_sessions": 6,
        "reviews": 3,
        "mean_rating": 4.6667,
        "rule_class": "vip",
        "class_rule": "vip_top_share",
        "class_figure": Decimal("3240.000"),
        "class_threshold": Decimal("2980.000"),
        "recency_days": 10,
        "frequency": 6,
        "monetary": Decimal("4210.00"),
        "r_score": 5,
        "f_score": 4,
        "m_score": 5,
        "rfm_group": "important_value",
        "member_score": 1320,
        "member_tier": "super",
    }
    row.update(values)
    return CustomerStanding.objects.create(customer=c, **row)


def test_every_section_shows_the_hand_made_customers_figures(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    _standing(zhang)
    for month, parts in (
        (dt.date(2025, 10, 1), (600, 200, 180)),
        (dt.date(2025, 11, 1), (900, 240, 180)),
    ):
        MemberScore.objects.create(
            customer=zhang,
            month=month,
            as_of=month,
            purchase=parts[0],
            interaction=parts[1],
            credit=parts[2],
            score=sum(parts),  # 980 in October, 1320 in November
            tier="ordinary" if sum(parts) < 1000 else "super",
            computed_at=timezone.now(),
        )
    points.adjust(zhang, 500, "开业赠送", by="manager1")
    points.redeem(zhang, 120, by="manager1", reason="兑换优惠券")
    login(client, make_user, "manager")
    response = client.get(f"/customers/{KEY}/")
    assert response.status_code == 200
    html = response.content.decode()
    ctx = response.context

    # Class with its reason: the rule's figure and threshold, the share from the SPEC rules.
    assert ctx["class_reason"] == "VIP客户：近 12 个月消费额居前 5 %，¥3,240 ≥ 门槛 ¥2,980"
    # Head figures.
    assert ctx["summary"] == {
        "member_score": 1320,
        "member_tier": "超级会员",
        "points": 380,  # 500 - 120
        "rfm_group": "重要价值",
        "loyalty": "",
    }
    assert "未计算" in html  # loyalty not counted yet
    # Facts as shown, in local time (UTC+8).
    facts = {f.key: f.value for f in ctx["facts"]}
    assert facts == {
        "first_order_at": "2024-03-02 10:00",
        "last_order_at": "2025-11-20 12:30",
        "orders": "7（6）",
        "paid_amount": "¥4,210.00",
        "trailing": "¥3,240.00 · 4 单",
        "paid_items": "9",
        "categories": "女装、配饰",
        "refunds": "2 / 1 · ¥180.50",
        "sessions": "11（6）",
        "last_chat_at": "",
        "reviews": "3 · 4.67",
        "mean_days_between": "125.6",
    }
    # RFM cell.
    assert 'data-rfm="r">10<' in html and 'data-rfm="f">6<' in html
    assert 'data-rfm="m">¥4210.00<' in html
    assert 'id="rfm-group">重要价值<' in html
    # Member score history, oldest first for the chart; the numbers in the table too.
    chart = ctx["score_chart"]
    assert chart["months"] == ["2025-10", "2025-11"]
    assert chart["score"] == [980, 1320]
    assert chart["purchase"] == [600, 900]
    assert '<div class="chart" id="score-chart"' in html
    # Points: balance and the ledger newest first.
    assert [(e.kind, e.points, e.reason) for e in ctx["ledger"]] == [
        ("兑换", "-120", "兑换优惠券"),
        ("人工调整", "+500", "开业赠送"),
    ]


def test_a_customer_without_figures_gets_empty_states(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    login(client, make_user, "manager")
    html = client.get(f"/customers/{KEY}/").content.decode()
    assert "尚未计算（导入后自动计算，或运行 guanxi customers recompute）。" in html
    assert "还没有成长值记录（每月计算一次）。" in html
    assert "没有积分记录。" in html
    assert "还没有订单、咨询、退款或评价。" in html
    assert "plotly" not in html  # no chart without scores


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        (
            {
                "rule_class": "core",
                "class_rule": "core_orders_and_spend",
                "trailing_paid_orders": 3,
                "class_figure": Decimal("820.000"),
                "class_threshold": Decimal("455.500"),
            },
            "核心客户：近 12 个月付款 3 单（≥ 2），消费 ¥820 > 中位数 ¥455.50",
        ),
        (
            {"rule_class": "potential", "class_rule": "potential_chat", "class_figure": 4},
            "潜在客户：从未购买，近 12 个月咨询 4 次",
        ),
        (
            {"rule_class": "potential", "class_rule": "potential_unpaid_order", "class_figure": 2},
            "潜在客户：从未购买，近 12 个月下单未付款 2 次",
        ),
        (
            {"rule_class": "ordinary", "class_rule": "ordinary", "class_figure": 35},
            "普通客户：未达到其他类别的规则（近 12 个月消费 ¥35）",
        ),
    ],
)
def test_class_reasons(client: Client, make_user, zhang: Customer, lake, values, sentence) -> None:
    _standing(zhang, **values)
    login(client, make_user, "manager")
    assert client.get(f"/customers/{KEY}/").context["class_reason"] == sentence


def test_a_pin_shows_who_when_why_and_the_rule_beside(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    _standing(zhang, rule_class="core", class_rule="core_orders_and_spend")
    standing.class_pin(zhang, "vip", reason="年度大客户，合同约定", user="boss")
    login(client, make_user, "manager")
    response = client.get(f"/customers/{KEY}/")
    html = response.content.decode()
    assert response.context["customer"].customer_class == "vip"
    assert 'id="pin-reason">年度大客户，合同约定<' in html
    assert "由 boss 于" in html
    assert response.context["class_reason"].startswith("核心客户：")  # the rule's, shown beside
    assert [p.reason for p in response.context["pins"]] == ["年度大客户，合同约定"]


def _timeline_shop(lake: Lake) -> None:
    # 23 orders of this customer an hour apart and one of another: 24 events in the lake.
    rows: list[tuple[str, str, str, str | None, str]] = [
        (f"o{i:02d}", KEY, f"2025-06-01 {i:02d}:00:00", f"2025-06-01 {i:02d}:05:00", "10.00")
        for i in range(23)
    ]
    rows.append(("x1", OTHER, "2025-06-02 09:00:00", None, "5.00"))
    lake.write("orders", orders_table(rows))
    lake.write(
        "dsr_ratings",
        pa.table(
            {
                "platform": ["taobao"],
                "order_id": ["o05"],
                "customer_key": [KEY],
                "rated_at": [utc("2025-06-03 08:00:00")],
                "description": pa.array([5], pa.int8()),
                "service": pa.array([4], pa.int8()),
                "logistics": pa.array([3], pa.int8()),
            }
        ),
    )


def test_timeline_is_newest_first_and_paginated(
    client: Client, make_user, zhang: Customer, lake: Lake
) -> None:
    _timeline_shop(lake)
    login(client, make_user, "manager")
    first = client.get(f"/customers/{KEY}/")
    rows = first.context["timeline_rows"]
    # 24 events of this customer (23 orders + 1 rating): pages of 20 → 2 pages.
    assert (first.context["timeline"].total, first.context["timeline"].pages) == (24, 2)
    assert [(r.kind, r.ref) for r in rows[:3]] == [
        ("rating", "o05"),
        ("order", "o22"),
        ("order", "o21"),
    ]
    assert rows[0].summary == "描述 5 · 服务 4 · 物流 3"
    second = client.get(f"/customers/{KEY}/?page=2")
    assert [r.ref for r in second.context["timeline_rows"]] == ["o03", "o02", "o01", "o00"]
    # Another customer's order x1 is on neither page (as a whole word: a random CSRF token
    # may contain the letters "x1").
    pages = first.content.decode() + second.content.decode()
    assert re.search(r"(?<![A-Za-z0-9])x1(?![A-Za-z0-9])", pages) is None
    # A page past the end shows the last one.
    assert client.get(f"/customers/{KEY}/?page=9").context["timeline"].number == 2


def test_the_index_is_built_again_when_the_lake_changes(zhang: Customer, lake: Lake) -> None:
    _timeline_shop(lake)
    first = timeline.ensure_index()
    assert first is not None and first.exists()
    assert timeline.timeline_page(KEY).total == 24
    lake.write("orders", orders_table([("o99", KEY, "2025-07-01 10:00:00", None, "1.00")]))
    second = timeline.ensure_index()
    assert second != first and not first.exists()  # the old state's file is removed
    page = timeline.timeline_page(KEY)
    assert (page.total, page.rows[0]["ref"]) == (25, "o99")


def test_a_large_lake_reads_directly_while_the_index_is_built_in_the_background(
    zhang: Customer, lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    _timeline_shop(lake)
    started: list[str] = []
    monkeypatch.setattr(timeline, "INLINE_BUILD_BYTES", 0)  # every lake counts as large
    monkeypatch.setattr(timeline, "_build_in_background", started.append)
    direct = timeline.timeline_page(KEY, 2)
    assert started == [timeline.index_token()]  # the build was handed to the background
    assert not timeline.index_path(timeline.index_token()).exists()
    timeline.ensure_index()  # what the background thread does
    indexed = timeline.timeline_page(KEY, 2)
    assert (direct.total, direct.number) == (indexed.total, indexed.number) == (24, 2)
    assert direct.rows == indexed.rows


def test_loyalty_components_in_words() -> None:
    from guanxi.customers.models import CustomerStanding
    from guanxi.customers.profile_presenters import loyalty_components

    def part(figure, level, high, medium):
        return {"figure": figure, "level": level, "high_at": high, "medium_at": medium}

    standing = CustomerStanding(
        loyalty="medium",
        loyalty_components={
            "frequency": part(3.0, "medium", 4.0, 2.0),
            "amount": part(1250.5, "high", 1200.0, 500.0),
            "recommend": part(None, "unknown", 9.0, 7.0),
            "after_sales": part(3.25, "low", 4.5, 3.5),
            # (medium 1 + high 2 + low 0) ÷ 3 known components = 1.00
            "points": 1.0,
        },
    )
    assert loyalty_components(standing) == [
        ("购买频率", "中 · 3 （高 ≥ 4，中 ≥ 2）"),
        ("购买金额", "高 · ¥1,250.50 （高 ≥ ¥1,200.00，中 ≥ ¥500.00）"),
        ("推荐意愿", "未知 （高 ≥ 9，中 ≥ 7）"),
        ("售后服务满意度", "低 · 3.25 （高 ≥ 4.5，中 ≥ 3.5）"),
        ("平均得分（高 2、中 1、低 0）", "1.00"),
    ]
    assert loyalty_components(None) == []
