"""The ticket services: life cycle, history, routing and bad input (SPEC §6)."""

from __future__ import annotations

import pytest

from guanxi.accounts.models import Agent
from guanxi.servicedesk import services
from guanxi.servicedesk.models import Department, RoutingRule, State, TicketEvent, Tier

pytestmark = pytest.mark.django_db


def test_a_complaint_is_routed_worked_and_closed_with_every_change_kept():
    dept = Department.objects.create(name="客户服务部")
    agent = Agent.objects.create(agent_id="xiaoyu", name="小雨", team="售后组")
    RoutingRule.objects.create(position=1, category="logistics", department=dept, team="售后组")
    RoutingRule.objects.create(position=2, tier=Tier.ESCALATED, agent=agent)
    ticket = services.create_ticket(
        kind="complaint", channel="chat", subject="快递五天没到", category="logistics"
    )
    assert (ticket.state, ticket.department, ticket.team) == (State.CLASSIFIED, dept, "售后组")
    services.claim(ticket.pk, agent, by=None)
    for target in (State.IN_PROGRESS, State.WAITING, State.RESOLVED, State.CLOSED):
        ticket = services.transition(ticket.pk, target, by=None)
    assert ticket.first_response_at is not None and ticket.closed_at is not None
    moves = list(
        TicketEvent.objects.filter(ticket=ticket, action="state").values_list(
            "from_value", "to_value"
        )
    )
    assert moves == [
        ("classified", "in_progress"),
        ("in_progress", "waiting"),
        ("waiting", "resolved"),
        ("resolved", "closed"),
    ]
    with pytest.raises(services.TicketError, match="closed"):
        services.add_note(ticket.pk, "还想说一句", by=None)
    ticket = services.transition(ticket.pk, State.REOPENED, by=None)
    assert (ticket.reopen_count, ticket.resolved_at, ticket.closed_at) == (1, None, None)


def test_bad_input_names_the_field_and_changes_nothing():
    ticket = services.create_ticket(kind="inquiry", channel="phone", subject="发票")
    with pytest.raises(services.TicketError) as caught:
        services.transition(ticket.pk, State.CLOSED, by=None)
    assert caught.value.field == "state"
    with pytest.raises(services.TicketError) as caught:
        services.escalate(ticket.pk, Tier.ESCALATED, "  ", by=None)
    assert caught.value.field == "reason"
    with pytest.raises(services.TicketError) as caught:
        services.create_ticket(kind="inquiry", channel="fax", subject="x")
    assert caught.value.field == "channel"
    ticket.refresh_from_db()
    assert (ticket.state, ticket.tier, ticket.events.count()) == (State.RECEIVED, "ordinary", 1)


def test_a_second_claim_is_refused():
    a = Agent.objects.create(agent_id="a1", name="甲")
    b = Agent.objects.create(agent_id="b1", name="乙")
    ticket = services.create_ticket(kind="complaint", channel="chat", subject="破损")
    services.claim(ticket.pk, a, by=None)
    with pytest.raises(services.AlreadyClaimedError):
        services.claim(ticket.pk, b, by=None)


def test_a_new_ticket_gets_the_mood_of_its_words():
    angry = services.create_ticket(
        kind="complaint",
        channel="chat",
        subject="太差了",
        description="东西坏了客服也不理人，我要差评",
    )
    glad = services.create_ticket(
        kind="inquiry",
        channel="chat",
        subject="谢谢",
        description="客服很耐心，问题解决了，非常满意",
    )
    assert (angry.sentiment, glad.sentiment) == ("negative", "positive")
