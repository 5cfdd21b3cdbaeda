"""An erasure (PIPL Art. 47) wipes the free text of the customer's tickets — subject,
description, escalation reason, notes, attachments, mail — and keeps the tickets' numbers,
states and tiers (the desk's figures still count them)."""

from __future__ import annotations

import pytest

from guanxi.lake import Lake
from guanxi.privacy import services as privacy
from guanxi.servicedesk import services
from guanxi.servicedesk.models import Attachment, MailMessage, Ticket, TicketEvent
from tests.customers.helpers import KEY, MOBILE, customer

pytestmark = pytest.mark.django_db


def test_erasure_wipes_the_tickets_free_text_and_keeps_the_numbers(lake: Lake) -> None:
    person = customer()
    ticket = services.create_ticket(
        kind="complaint",
        channel="chat",
        subject=f"{MOBILE} 的包裹",
        description="地址：文三路",
        customer_key=KEY,
    )
    other = services.create_ticket(kind="inquiry", channel="phone", subject="别人的发票")
    services.escalate(ticket.pk, "escalated", f"客户 {MOBILE} 投诉到 315", by=None)
    services.add_note(ticket.pk, "已回电", by=None, reply=True)
    services.add_attachment(ticket.pk, name="面单.jpg", content=b"label", by=None)
    MailMessage.objects.create(
        direction="in",
        status="appended",
        ticket=ticket,
        address="a@example.com",
        subject="退货",
        body=f"电话 {MOBILE}",
        at=ticket.created_at,
    )
    privacy.customer_erase(customer=person, by="manager1")
    ticket.refresh_from_db()
    assert (ticket.pk, ticket.tier, ticket.state) == (ticket.pk, "escalated", "received")
    assert (ticket.subject, ticket.description, ticket.escalation_reason) == ("—", "", "")
    assert set(TicketEvent.objects.filter(ticket=ticket).values_list("note", flat=True)) == {""}
    assert not Attachment.objects.filter(ticket=ticket).exists()
    mail = MailMessage.objects.get()
    assert (mail.address, mail.subject, mail.body) == ("", "", "")
    assert Ticket.objects.get(pk=other.pk).subject == "别人的发票"  # others untouched
