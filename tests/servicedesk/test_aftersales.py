"""The after-sales case on a ticket: saving from the panel stores the decision and adds a
history row; a closed ticket or someone else's ticket changes nothing; imported refunds
link to their case."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from django.utils import timezone

from guanxi.servicedesk.aftersales import link_refunds
from guanxi.servicedesk.models import AfterSalesCase, Ticket, TicketEvent
from tests.factories import login, refunds_table, utc

pytestmark = pytest.mark.django_db


def ticket(**fields: Any) -> Ticket:
    values: dict[str, Any] = {
        "kind": "after_sales",
        "channel": "chat",
        "subject": "衬衣想退货",
        "created_at": timezone.now(),
        "tier": "difficult",
        "order_id": "o1",
        "platform": "taobao",
    }
    return Ticket.objects.create(**(values | fields))


FORM = {
    "case_kind": "return",
    "reason": "no-reason",
    "signed_at": "2025-06-01T23:59",
    "requested_at": "2025-06-08T10:00",
    "amount": "199.00",
    "refund_id": "",
}


def test_the_panel_saves_a_decision_and_records_the_change(client: Any, make_user: Any) -> None:
    login(client, make_user, "manager")
    t = ticket()
    page = client.get(f"/servicedesk/after-sales/{t.pk}/")
    assert page.status_code == 200
    assert "描述不符扣分" in page.content.decode()  # the penalty reference of a 疑难 ticket
    assert "订单中没有签收时间，请手工填写。" in page.content.decode()  # no such order here

    saved = client.post(f"/servicedesk/after-sales/{t.pk}/save/", FORM)
    assert saved.status_code == 302
    case = AfterSalesCase.objects.get(ticket=t)
    # 06-01 23:59 → opens 06-02 00:00 → ends 06-09 00:00 (+08:00); asked 06-08 10:00: in time.
    assert case.decision["eligible"] is True
    assert case.decision["deadline"] == "2025-06-09T00:00:00+08:00"
    assert case.decision["shipping_paid_by"] == "buyer"
    assert case.amount == Decimal("199.00")

    client.post(f"/servicedesk/after-sales/{t.pk}/save/", FORM | {"conditions": ["washed"]})
    case.refresh_from_db()
    assert case.decision["eligible"] is False
    events = list(TicketEvent.objects.filter(ticket=t, action="after_sales"))
    assert [(e.from_value, e.to_value, e.note) for e in events] == [
        ("", "return/no-reason/eligible", "created"),
        ("return/no-reason/eligible", "return/no-reason/refused", "conditions"),
    ]
    shown = client.get(f"/servicedesk/after-sales/{t.pk}/").content.decode()
    assert "不予受理" in shown and "商品已洗涤，不予七天无理由退换" in shown


def test_a_closed_ticket_or_bad_input_changes_nothing(client: Any, make_user: Any) -> None:
    login(client, make_user, "manager")
    closed = ticket(state="closed")
    answer = client.post(f"/servicedesk/after-sales/{closed.pk}/save/", FORM)
    assert answer.status_code == 400
    assert "工单已关闭，重开后才能修改售后单。" in answer.content.decode()
    t = ticket()
    early = client.post(
        f"/servicedesk/after-sales/{t.pk}/save/", FORM | {"requested_at": "2025-05-30T10:00"}
    )
    assert early.status_code == 400
    assert "申请时间早于签收时间" in early.content.decode()
    assert not AfterSalesCase.objects.exists()
    assert not TicketEvent.objects.exists()


def test_an_agent_acts_only_on_their_own_tickets(client: Any, make_user: Any) -> None:
    login(client, make_user, "agent", agent_id="kf9")
    t = ticket()
    assert client.get(f"/servicedesk/after-sales/{t.pk}/").status_code == 403
    assert client.post(f"/servicedesk/after-sales/{t.pk}/save/", FORM).status_code == 403
    assert not AfterSalesCase.objects.exists()


def test_refunds_link_to_their_case_and_the_signed_time_comes_from_the_lake(
    client: Any, make_user: Any, lake: Any
) -> None:
    signed = utc("2025-06-01T23:59:00")
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
                "signed_at": [signed],
                "closed_at": [None],
                "status": ["signed"],
                "amount": [Decimal("199.00")],
                "item_count": [1],
            }
        ),
    )
    # Two refunds of o1 (r0 older, r1 newer) and one of another order.
    lake.write(
        "refunds",
        refunds_table(
            [("o1", "2025-06-03T10:00:00"), ("o1", "2025-06-04T10:00:00"), ("o2", "2025-06-04")]
        ),
    )
    login(client, make_user, "manager")
    t = ticket()
    page = client.get(f"/servicedesk/after-sales/{t.pk}/").content.decode()
    assert 'value="2025-06-01T23:59"' in page  # prefilled from orders.signed_at
    assert "<td>r0</td>" in page and "<td>r1</td>" in page  # o1's refunds
    assert "<td>r2</td>" not in page  # o2's is not this order's
    assert "<td>仅退款</td><td>处理中</td>" in page
    client.post(f"/servicedesk/after-sales/{t.pk}/save/", FORM)
    assert link_refunds() == 1
    assert AfterSalesCase.objects.get(ticket=t).refund_id == "r1"  # the newest of o1
    assert link_refunds() == 0
    assert TicketEvent.objects.filter(ticket=t, to_value="refund:r1").count() == 1


def test_the_ticket_page_tag_renders_the_panel(rf: Any, make_user: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.template import Context, Template

    make_user("manager")
    request = rf.get("/servicedesk/7/")
    request.user = get_user_model().objects.get(username="manager1")
    tag = Template("{% load sd_aftersales %}{% aftersales_panel ticket %}")
    ordinary = tag.render(Context({"request": request, "ticket": ticket(tier="ordinary")}))
    assert 'id="aftersales-form"' in ordinary
    assert 'name="next" value="/servicedesk/7/"' in ordinary  # saving comes back here
    assert "描述不符扣分" not in ordinary  # the penalty reference is for 疑难/升级 only
    escalated = tag.render(Context({"request": request, "ticket": ticket(tier="escalated")}))
    assert "描述不符扣分" in escalated and "打开售后单页面（含纠纷风险权衡）" in escalated


def test_an_agent_acts_on_their_team_s_ticket(client: Any, make_user: Any) -> None:
    from guanxi.accounts.models import Agent

    Agent.objects.create(agent_id="kf7", name="小七", team="售后组")
    login(client, make_user, "agent", agent_id="kf7")
    t = ticket(team="售后组")
    assert client.get(f"/servicedesk/after-sales/{t.pk}/").status_code == 200
    assert client.post(f"/servicedesk/after-sales/{t.pk}/save/", FORM).status_code == 302
    assert AfterSalesCase.objects.filter(ticket=t).count() == 1
