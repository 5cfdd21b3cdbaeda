"""The ticket pages: queues and visibility, the ticket page's actions and masking, the
create form (prefilled from a chat session, unknown order refused), attachments (sealed,
size-limited), routing settings."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from guanxi.servicedesk import services
from guanxi.servicedesk.models import (
    Attachment,
    Department,
    RoutingRule,
    State,
    Ticket,
    TicketEvent,
)
from tests.customers.helpers import KEY, MOBILE, customer

pytestmark = pytest.mark.django_db


def _ticket(subject: str = "快递破损", **fields) -> Ticket:
    return services.create_ticket(kind="complaint", channel="chat", subject=subject, **fields)


def _count(page: str, kind: str, value: str) -> int:
    """The figure on the queue's count pill ``data-<kind>="<value>"``."""
    found = re.search(rf'data-{kind}="{value}"[^>]*>[^<]*<b>(\d+)</b>', page)
    assert found, (kind, value)
    return int(found.group(1))


def test_an_agent_sees_own_and_team_tickets_only(desk, signed_in):
    mine = _ticket("我的")
    team = _ticket("同组的")
    other = _ticket("别组的")
    services.assign(mine.pk, by=desk.manager, agent=desk.a)
    services.assign(team.pk, by=desk.manager, agent=desk.b)
    services.assign(other.pk, by=desk.manager, agent=desk.c)
    client = signed_in("agent_a")
    page = client.get("/servicedesk/?scope=mine").content.decode()
    assert f'data-ticket="{mine.pk}"' in page and f'data-ticket="{team.pk}"' not in page
    page = client.get("/servicedesk/?scope=team").content.decode()
    assert f'data-ticket="{team.pk}"' in page and f'data-ticket="{other.pk}"' not in page
    # ?scope=all is not an agent's: it falls back to their own queue
    page = client.get("/servicedesk/?scope=all").content.decode()
    assert f'data-ticket="{other.pk}"' not in page
    assert client.get(f"/servicedesk/{team.pk}/").status_code == 200
    assert client.get(f"/servicedesk/{other.pk}/").status_code == 404
    assert client.post(f"/servicedesk/{other.pk}/act/", {"action": "claim"}).status_code == 404
    # the manager sees every queue, with the counts on top
    page = signed_in("mgr").get("/servicedesk/?scope=all").content.decode()
    assert all(f'data-ticket="{t.pk}"' in page for t in (mine, team, other))
    assert signed_in("mkt").get("/servicedesk/").status_code == 403


def test_queue_filters_and_bulk_assignment(desk, signed_in):
    first, second, third = _ticket("一"), _ticket("二"), _ticket("三", category="logistics")
    client = signed_in("mgr")
    page = client.get("/servicedesk/?scope=all").content.decode()
    # two received (no category), one classified (created with one); all three ordinary
    assert _count(page, "state", "received") == 2 and _count(page, "state", "classified") == 1
    assert _count(page, "tier", "ordinary") == 3 and _count(page, "tier", "escalated") == 0
    page = client.get("/servicedesk/?scope=all&state=classified").content.decode()
    assert f'data-ticket="{third.pk}"' in page and f'data-ticket="{first.pk}"' not in page
    page = client.get(f"/servicedesk/?scope=all&number={second.pk}").content.decode()
    assert f'data-ticket="{second.pk}"' in page
    response = client.post(
        "/servicedesk/assign/", {"agent": "kf_c", "ticket": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert set(Ticket.objects.filter(assignee=desk.c).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    # an agent may not bulk-assign
    assert signed_in("agent_a").post("/servicedesk/assign/", {"agent": "kf_a"}).status_code == 403


def test_ticket_page_masks_free_text_and_runs_the_actions(desk, signed_in):
    customer()
    ticket = _ticket(f"客户 {MOBILE} 说包裹破了", customer_key=KEY, description=f"回电 {MOBILE}")
    services.assign(ticket.pk, by=desk.manager, agent=desk.a)
    client = signed_in("agent_a")
    page = client.get(f"/servicedesk/{ticket.pk}/").content.decode()
    assert MOBILE not in page  # masked for an agent (no reveal permission)
    assert f"/customers/{KEY}/" in page and 'id="guidance-panel"' in page
    assert MOBILE in signed_in("mgr").get(f"/servicedesk/{ticket.pk}/").content.decode()
    act = f"/servicedesk/{ticket.pk}/act/"
    assert client.post(act, {"action": "classify", "category": "product"}).status_code == 302
    assert client.post(act, {"action": "move", "state": "in_progress"}).status_code == 302
    # escalation without a reason: refused beside the field, nothing changed
    response = client.post(act, {"action": "escalate", "tier": "escalated", "reason": ""})
    assert response.status_code == 422 and "reason" in response.content.decode()
    assert (
        client.post(
            act, {"action": "escalate", "tier": "escalated", "reason": "买家投诉到 12315"}
        ).status_code
        == 302
    )
    assert client.post(act, {"action": "reply", "note": "已补发"}).status_code == 302
    assert client.post(act, {"action": "move", "state": "resolved"}).status_code == 302
    assert client.post(act, {"action": "move", "state": "closed"}).status_code == 302
    ticket.refresh_from_db()
    assert (ticket.state, ticket.tier, ticket.category) == (State.CLOSED, "escalated", "product")
    events = ticket.events.count()
    # a closed ticket cannot be edited: clear message, history unchanged
    response = client.post(act, {"action": "note", "note": "再补充"})
    assert response.status_code == 422 and "closed" in response.content.decode()
    assert ticket.events.count() == events
    page = client.get(f"/servicedesk/{ticket.pk}/").content.decode()
    assert 'data-move="reopened"' in page and 'data-move="in_progress"' not in page


@override_settings(GUANXI_TICKET_ATTACHMENT_MAX_BYTES=1000)
def test_attachments_are_sealed_limited_and_downloadable(desk, signed_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = _ticket()
    services.assign(ticket.pk, by=desk.manager, agent=desk.a)
    client = signed_in("agent_a")
    url = f"/servicedesk/{ticket.pk}/attachments/"
    big = SimpleUploadedFile("label.jpg", b"x" * 1001, content_type="image/jpeg")
    response = client.post(url, {"file": big})
    assert response.status_code == 422 and "1,000" in response.content.decode()
    assert not Attachment.objects.exists()
    small = SimpleUploadedFile(
        "label.txt", "收件人 13812345678".encode(), content_type="text/plain"
    )
    assert client.post(url, {"file": small}).status_code == 302
    stored = Attachment.objects.get()
    assert b"13812345678" not in bytes(stored.content)  # ciphertext at rest
    download = client.get(f"/servicedesk/{ticket.pk}/attachments/{stored.pk}/")
    assert download.content == "收件人 13812345678".encode()
    assert download["Content-Disposition"].startswith("attachment")
    assert (
        signed_in("agent_c").get(f"/servicedesk/{ticket.pk}/attachments/{stored.pk}/").status_code
        == 404
    )


def test_new_ticket_prefilled_from_a_chat_session_and_unknown_order_refused(desk, signed_in):
    client = signed_in("agent_a")
    page = client.get(f"/servicedesk/new/?session=s-42&customer={KEY}").content.decode()
    assert 'value="s-42"' in page and f'value="{KEY}"' in page
    response = client.post(
        "/servicedesk/new/",
        {
            "kind": "complaint",
            "channel": "chat",
            "subject": "没收到",
            "tier": "ordinary",
            "order_id": "NO-SUCH-ORDER",
        },
    )
    assert response.status_code == 422
    assert "order_id" in response.content.decode() and not Ticket.objects.exists()
    dept = Department.objects.create(name="客户服务部")
    RoutingRule.objects.create(position=1, department=dept, team="售后组")
    response = client.post(
        "/servicedesk/new/",
        {
            "kind": "complaint",
            "channel": "chat",
            "subject": "没收到",
            "tier": "ordinary",
            "chat_session_id": "s-42",
        },
    )
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/servicedesk/{ticket.pk}/"
    assert (ticket.department, ticket.team, ticket.chat_session_id) == (dept, "售后组", "s-42")


def test_routing_page_edits_departments_and_rules_and_refuses_bad_values(desk, signed_in):
    client = signed_in("mgr")
    assert client.get("/servicedesk/routing/").status_code == 200
    assert signed_in("agent_a").get("/servicedesk/routing/").status_code == 403
    client.post(
        "/servicedesk/routing/",
        {"what": "department", "dnew-name": "市场部", "dnew-position": "3", "dnew-active": "on"},
    )
    dept = Department.objects.get(name="市场部")
    # a rule sending nowhere is refused, nothing saved
    response = client.post(
        "/servicedesk/routing/", {"what": "rule", "rnew-position": "1", "rnew-tier": "escalated"}
    )
    assert response.status_code == 422 and not RoutingRule.objects.exists()
    response = client.post(
        "/servicedesk/routing/",
        {
            "what": "rule",
            "rnew-position": "1",
            "rnew-active": "on",
            "rnew-tier": "bogus",
            "rnew-department": dept.pk,
        },
    )
    assert response.status_code == 422 and not RoutingRule.objects.exists()
    client.post(
        "/servicedesk/routing/",
        {
            "what": "rule",
            "rnew-position": "1",
            "rnew-active": "on",
            "rnew-tier": "escalated",
            "rnew-department": dept.pk,
        },
    )
    rule = RoutingRule.objects.get()
    assert (rule.tier, rule.department) == ("escalated", dept)
    # rename and deactivate the department
    client.post(
        "/servicedesk/routing/",
        {
            "what": "department",
            "pk": dept.pk,
            f"d{dept.pk}-name": "市场与公关部",
            f"d{dept.pk}-position": "3",
        },
    )
    dept.refresh_from_db()
    assert (dept.name, dept.active) == ("市场与公关部", False)
    assert TicketEvent.objects.count() == 0


def test_the_default_departments_and_rules_are_offered_on_an_empty_desk(desk, signed_in):
    client = signed_in("mgr")
    assert 'id="defaults-form"' in client.get("/servicedesk/routing/").content.decode()
    client.post("/servicedesk/routing/", {"what": "defaults"})
    assert list(Department.objects.values_list("name", flat=True)) == [
        "客户服务部",
        "客户关系部",
        "市场部",
    ]
    # 升级 → 客户关系部 (rule 10), 普通 → the catch-all 客户服务部 (rule 90)
    assert str(_ticket(tier="escalated").department) == "客户关系部"
    assert str(_ticket().department) == "客户服务部"
    client.post("/servicedesk/routing/", {"what": "defaults"})  # a second time: no change
    assert RoutingRule.objects.count() == 3


def test_queue_exports_mask_the_subject_for_every_role(desk, signed_in):
    import io

    from python_calamine import CalamineWorkbook

    customer()
    ticket = _ticket(f"回电 {MOBILE}", customer_key=KEY)
    services.assign(ticket.pk, by=desk.manager, agent=desk.a)
    _ticket("别组的")
    client = signed_in("mgr")  # may reveal on the page, never in a file
    body = client.get("/servicedesk/export.csv?scope=all&status=any").content.decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert len(lines) == 3 and MOBILE not in body and f"{ticket.pk},回电 " in lines[2]
    response = signed_in("agent_a").get("/servicedesk/export.xlsx?scope=mine")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    table = sheet.get_sheet_by_index(0).to_python()
    assert [row[0] for row in table[2:]] == [ticket.pk]  # the title row, the header, one ticket
    assert MOBILE not in repr(table)
