"""The customer rules page: a form per family, a bad value refused beside its field with
nothing saved, a good one saved, reset, "recompute now" queued; class reasons in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import translation

from guanxi.customers import rules as customer_rules
from guanxi.customers import standing
from guanxi.customers.class_reasons import class_reason
from guanxi.customers.models import CustomerRuleSet, CustomerStanding
from guanxi.customers.rules_forms import localised
from guanxi.lake import Lake
from guanxi.metrics.rules import ClassRules
from tests.customers import rfm_shop
from tests.customers.helpers import login

pytestmark = pytest.mark.django_db


def test_only_managers_and_admins_see_the_page(client: Client, make_user) -> None:
    login(client, make_user, "marketing")
    assert client.get("/customers/rules/").status_code == 403
    client.logout()
    login(client, make_user, "manager")
    page = client.get("/customers/rules/")
    assert page.status_code == 200
    html = page.content.decode()
    # every family of FAMILIES with every dataclass field, defaults beside
    for family in customer_rules.FAMILIES:
        assert f'id="family-{family}"' in html
    assert 'name="class_rules-vip_top_share"' in html and 'value="0.05"' in html
    assert 'name="rfm_rules-high_score"' in html and 'name="rfm_rules-deduct_refunds"' in html
    assert "还没有计算过" in html


def _post(client: Client, family: str, **values: str) -> Any:
    data = {"family": family, "action": "save"}
    data |= {f"{family}-{k}": v for k, v in values.items()}
    return client.post("/customers/rules/", data)


def test_a_bad_value_is_refused_beside_its_field_and_nothing_is_saved(
    client: Client, make_user
) -> None:
    login(client, make_user, "manager")
    good = {"trailing_months": "12", "vip_top_share": "1.5", "core_min_paid_orders": "2",
            "potential_by_chat": "on", "potential_by_unpaid_order": "on"}  # fmt: skip
    page = _post(client, "class_rules", **good)
    assert page.status_code == 200
    form = next(f for f in page.context["forms"] if f.family == "class_rules")
    assert list(form.errors) == ["vip_top_share"]
    assert form.errors["vip_top_share"] == [
        "1.5 不是 0 到 1 之间的比例（不含 0）：例如 0.05 表示前 5%"
    ]
    assert 'data-error-for="vip_top_share"' in page.content.decode()
    assert not CustomerRuleSet.objects.filter(class_rules__has_key="vip_top_share").exists()
    page = _post(client, "class_rules", **(good | {"vip_top_share": "abc"}))
    assert page.context["forms"][0].errors["vip_top_share"] == ["abc 不是数字：例如 0.05"]
    page = _post(client, "rfm_rules", high_score="7")
    assert page.context["forms"][1].errors["high_score"] == ["7 超出范围：请填写 2 到 5 之间的整数"]
    page = _post(client, "rfm_rules", high_score="2.5")
    assert "2.5 不是整数" in page.context["forms"][1].errors["high_score"][0]
    with translation.override("en"):  # the page in English: the same message in English
        assert localised("9 is out of range; give a whole number from 2 to 5") == (
            "9 is out of range: give a whole number from 2 to 5"
        )
        assert localised("a new rule's own message") == "a new rule's own message"
    assert customer_rules.rfm_rules().high_score == 3


def test_a_good_value_is_saved_and_reset_restores_the_default(client: Client, make_user) -> None:
    login(client, make_user, "manager")
    done = _post(client, "rfm_rules", high_score="4", deduct_refunds="on")
    assert done.status_code == 302
    rules = customer_rules.rfm_rules()
    assert (rules.high_score, rules.deduct_refunds) == (4, True)
    assert CustomerRuleSet.objects.get().updated_by == "manager1"
    done = _post(client, "class_rules", trailing_months="6", vip_top_share="0.1",
                 core_min_paid_orders="3")  # fmt: skip
    saved = customer_rules.class_rules()
    assert (saved.trailing_months, saved.vip_top_share, saved.potential_by_chat) == (
        6,
        Decimal("0.1"),
        False,  # an unticked box
    )
    client.post("/customers/rules/", {"family": "rfm_rules", "action": "reset"})
    assert customer_rules.rfm_rules().high_score == 3


def test_recompute_now_queues_the_task_and_the_page_shows_its_counts(
    client: Client, make_user, lake: Lake
) -> None:
    rfm_shop.build(lake)
    login(client, make_user, "admin")
    with mock.patch("guanxi.customers.tasks.recompute_standing") as task:
        done = client.post("/customers/rules/", {"action": "recompute"})
    assert done.status_code == 302 and task.enqueue.call_count == 1
    # the test settings run tasks at once: the same button then really recounts
    client.post("/customers/rules/", {"action": "recompute"})
    assert CustomerStanding.objects.count() == 10
    html = client.get("/customers/rules/").content.decode()
    assert 'id="recompute-counts"' in html and "10 位客户" in html


def test_class_reasons_in_words() -> None:
    rules = ClassRules()
    vip = CustomerStanding(
        class_rule="vip_top_share",
        class_figure=Decimal("3240.000"),
        class_threshold=Decimal("2980.000"),
        trailing_paid_orders=4,
    )
    core = CustomerStanding(
        class_rule="core_orders_and_spend",
        class_figure=Decimal("500.500"),
        class_threshold=Decimal("300.000"),
        trailing_paid_orders=3,
    )
    chat = CustomerStanding(class_rule="potential_chat", class_figure=Decimal("2.000"))
    plain = CustomerStanding(class_rule="ordinary", class_figure=Decimal("120.000"))
    with translation.override("en"):
        assert class_reason(vip, rules) == (
            "VIP: top 5 % by 12-month spend, ¥3,240 ≥ ¥2,980 threshold"
        )
        assert class_reason(core, rules) == (
            "Core: 3 paid orders in 12 months (≥ 2) and spend ¥500.50 > median ¥300"
        )
        assert class_reason(chat, rules) == "Potential: never bought, 2 chats in 12 months"
        assert class_reason(plain, rules) == (
            "Ordinary: no other class's rule holds (12-month spend ¥120)"
        )
        assert class_reason(None, rules).startswith("Ordinary: not counted yet")
    with translation.override("zh-hans"):
        assert class_reason(vip, ClassRules(vip_top_share=Decimal("0.1"), trailing_months=6)) == (
            "VIP客户：近 6 个月消费额居前 10 %，¥3,240 ≥ 门槛 ¥2,980"
        )


def test_a_recomputed_standing_explains_itself(lake: Lake) -> None:
    rfm_shop.build(lake)
    standing.recompute(dt.date(2025, 6, 30))
    top = CustomerStanding.objects.get(rule_class="vip")
    # ten buyers in 12 months, 5 %: the top one (c03, 1,200) — threshold its own amount
    with translation.override("en"):
        assert class_reason(top, ClassRules()) == (
            "VIP: top 5 % by 12-month spend, ¥1,200 ≥ ¥1,200 threshold"
        )
