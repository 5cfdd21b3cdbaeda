"""The after-sales case in a browser: a manager opens the case of a 疑难 ticket, the signed
time comes from the lake's order, saving shows the decision with its reasons, the dispute
weighing advises; zh-Hans and English, 1440 px and 390 px (no sideways scrolling)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from django.utils import timezone

from guanxi.lake import Lake
from guanxi.servicedesk.models import AfterSalesCase, Ticket
from tests.browser.test_foundation import _login
from tests.browser.test_phone_layout import DESKTOP, MEASURE, PHONE, SHOTS
from tests.factories import refunds_table, utc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _orders(lake: Lake) -> None:
    lake.write(
        "orders",
        pa.table(
            {
                "platform": ["taobao"],
                "order_id": ["o1"],
                "customer_key": ["c1"],
                "created_at": [utc("2025-05-28T10:00:00")],
                "paid_at": [utc("2025-05-28T10:01:00")],
                "shipped_at": [None],
                "signed_at": [utc("2025-06-01T23:59:00")],
                "closed_at": [None],
                "status": ["signed"],
                "amount": [Decimal("199.00")],
                "item_count": [1],
            }
        ),
    )
    lake.write("refunds", refunds_table([("o1", "2025-06-08T11:00:00")]))


def _shots(page: Any, name: str) -> None:
    """Both widths; at 390 px the page must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in (("1440", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"aftersales-{name}-{width}.png"), full_page=True)
        measured = page.evaluate(MEASURE)
        assert measured["scroll"] <= measured["inner"], (width, measured["wide"])
    page.set_viewport_size(DESKTOP)


def test_manager_decides_a_case(browser: Any, live_server: Any, make_user: Any, lake: Lake) -> None:
    _orders(lake)
    ticket = Ticket.objects.create(
        kind="after_sales",
        channel="dispute",
        subject="鞋子磨脚要求退货",
        created_at=timezone.now(),
        tier="difficult",
        order_id="o1",
        platform="taobao",
    )
    manager = make_user("manager")
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    base = live_server.url
    _login(page, base, manager.username, manager.password)
    page.wait_for_url(f"{base}/store/")
    page.goto(f"{base}/servicedesk/after-sales/{ticket.pk}/")
    assert page.input_value("#id_signed_at") == "2025-06-01T23:59"  # from the lake's order
    _shots(page, "form-zh")
    page.fill("#id_requested_at", "2025-06-08T10:00")
    page.fill("#id_amount", "199")
    page.check('input[name="conditions"][value="tags-removed"]')
    page.click("#aftersales-form button[type=submit]")
    page.wait_for_selector("#aftersales-decision")
    # Within the window (ends 06-09 00:00) but the tags are off: refused, buyer pays.
    assert page.get_attribute("#aftersales-decision", "data-eligible") == "false"
    codes = page.eval_on_selector_all(
        "#aftersales-reasons li", "els => els.map(e => e.dataset.code)"
    )
    assert codes == ["window-open", "condition-tags-removed", "buyer-pays-shipping"]
    assert AfterSalesCase.objects.get(ticket=ticket).decision["eligible"] is False

    # The weighing: 199 order + 12 shipping = 211 at risk; settling at 50 costs less.
    page.fill("#id_settle_cost", "50")
    page.fill("#id_return_shipping", "12")
    page.click("#dispute-form button[type=submit]")
    page.wait_for_selector("#dispute-result")
    assert page.get_attribute(".aftersales-advice", "data-advice") == "settle"
    _shots(page, "zh")

    page.click('button[data-lang="en"]')
    page.wait_for_load_state()
    page.goto(page.url)
    assert "Refused" in page.inner_text("#aftersales-decision")
    assert "Tags removed: not returnable without reason" in page.inner_text("#aftersales-reasons")
    _shots(page, "en")
    context.close()
