"""The 360° profile in Chromium (issue 15 item 8): a manager opens a customer, reveals the
phone (an audit entry appears), pins a class with a reason (shown on the page) and edits a
field; the page at 1440 and 390 px in Chinese and English, without horizontal overflow on
the phone. Screenshots under var/screenshots/ (GUANXI_SHOTS)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.core.models import AuditEntry
from guanxi.customers.models import ClassPin, Customer, CustomerChange, CustomerStanding
from guanxi.lake import Lake
from guanxi.loyalty import services as points
from guanxi.loyalty.models import MemberScore
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, MEASURE, PHONE, SHOTS
from tests.customers.helpers import KEY, MOBILE, customer
from tests.customers.test_free_text_privacy import free_text_shop
from tests.factories import orders_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shop(lake: Lake) -> Customer:
    zhang = customer()
    free_text_shop(lake)
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", KEY, "2024-06-15 10:00:00", "2024-06-15 10:02:00", "268.00"),
                ("o2", KEY, "2024-06-21 20:00:00", "2024-06-21 20:01:00", "129.90"),
            ]
        ),
    )
    CustomerStanding.objects.create(
        customer=zhang,
        as_of=dt.date(2024, 6, 30),
        computed_at=timezone.now(),
        orders=2,
        paid_orders=2,
        paid_amount=Decimal("397.90"),
        paid_items=2,
        trailing_orders=2,
        trailing_paid_orders=2,
        trailing_paid_amount=Decimal("397.90"),
        first_order_at=dt.datetime(2024, 6, 15, 2, tzinfo=dt.UTC),
        last_order_at=dt.datetime(2024, 6, 21, 12, tzinfo=dt.UTC),
        categories=["女装"],
        refunds=1,
        refund_amount=Decimal("10.00"),
        sessions=2,
        trailing_sessions=2,
        reviews=1,
        mean_rating=5.0,
        mean_days_between=6.4,
        rule_class="vip",
        class_rule="vip_top_share",
        class_figure=Decimal("397.900"),
        class_threshold=Decimal("350.000"),
        recency_days=9,
        frequency=2,
        monetary=Decimal("397.90"),
        r_score=5,
        f_score=4,
        m_score=5,
        rfm_group="important_value",
        member_score=1080,
        member_tier="super",
    )
    for month, score in ((4, 720), (5, 940), (6, 1080)):
        MemberScore.objects.create(
            customer=zhang,
            month=dt.date(2024, month, 1),
            as_of=dt.date(2024, month, 8),
            purchase=score - 380,
            interaction=200,
            credit=180,
            score=score,
            tier="super" if score >= 1000 else "ordinary",
            computed_at=timezone.now(),
        )
    points.adjust(zhang, 400, "开业赠送", by="manager1")
    return zhang


def _shots(page, base: str, name: str) -> None:
    """The page at 1440 and 390 px; on the phone nothing may stick out on the right."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1440", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{base}/customers/{KEY}/")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # Plotly draws after load
        if label == "390":
            fit = page.evaluate(MEASURE)
            assert fit["scroll"] <= fit["inner"], fit["wide"]
        page.screenshot(path=str(SHOTS / f"profile-{name}-{label}.png"), full_page=True)


def test_a_manager_reveals_pins_and_edits(
    page, live_server, make_user, lake: Lake, audit_log_emptied_afterwards: None
) -> None:
    _shop(lake)
    manager = make_user("manager")
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    page.goto(f"{base}/customers/{KEY}/")

    # Masked at first; the class explained; the score chart drawn.
    assert page.locator('[data-field="mobile"]').inner_text() == "138****5678"
    assert page.locator("#class-reason").inner_text() == (
        "VIP客户：近 12 个月消费额居前 5 %，¥397.90 ≥ 门槛 ¥350"
    )
    page.wait_for_selector("#score-chart .main-svg")
    assert page.locator("#score-table tbody tr").count() == 3
    assert page.locator("#points-balance").inner_text() == "400"
    assert page.locator("#timeline tbody tr").count() == 6  # 2 orders, 2 chats, refund, review

    # Reveal the phone: plain on the page, one audit entry.
    page.click("form.reveal button")
    page.wait_for_selector("#revealed-note")
    assert page.locator('[data-field="mobile"]').inner_text() == MOBILE
    entry = AuditEntry.objects.get(action="reveal")
    assert (entry.action, entry.subject, entry.actor_username) == ("reveal", KEY, "manager1")

    # Edit a field there: a bad phone is refused naming the field, a good one saved.
    page.click("#edit-master summary")
    page.fill("#id_mobile", "1381234")
    page.click("#edit-master button[type=submit]")
    assert "手机号须为 11 位大陆手机号码" in page.locator(".field-mobile .errorlist").inner_text()
    page.fill("#id_mobile", "13987654321")
    page.fill("#id_city", "宁波")
    page.click("#edit-master button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert page.locator('[data-field="mobile"]').inner_text() == "139****4321"  # masked again
    history = page.locator("#change-history tbody").inner_text()
    assert "138****5678" in history and "139****4321" in history and "宁波" in history
    assert "13987654321" not in page.content()
    assert CustomerChange.objects.count() == 2

    # Pin the class with a reason: shown on the page with who pinned it.
    page.select_option("#pin-form select", "core")
    page.fill("#pin-form input[name=reason]", "线下门店老客户，按核心客户服务")
    page.click("#pin-form button[type=submit]")
    page.wait_for_selector("#pin-reason")
    assert page.locator("#pin-reason").inner_text() == "线下门店老客户，按核心客户服务"
    assert "由 manager1 于" in page.locator("#pin-note").inner_text()
    assert page.locator("#class-pill").inner_text() == "核心客户"
    assert ClassPin.objects.get().reason == "线下门店老客户，按核心客户服务"

    _shots(page, base, "zh")
    page.set_viewport_size(DESKTOP)  # the language buttons sit in the phone's menu
    page.goto(f"{base}/customers/{KEY}/")
    page.click('button[data-lang="en"]')
    page.wait_for_load_state("load")
    _shots(page, base, "en")
    assert page.locator("#class-reason").inner_text() == (
        "Rule: VIP: top 5 % by 12-month spend, ¥397.90 ≥ ¥350 threshold"
    )
