"""The service desk's SLA breaches and CSAT on the agent performance page: per agent, per
team, per tier, over the tickets the user may see (an agent: their own row only)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanxi.accounts.models import Agent
from guanxi.lake import Lake
from guanxi.servicedesk import services
from guanxi.servicedesk.models import CsatRequest, Ticket
from tests.factories import login, utc

pytestmark = pytest.mark.django_db
Q = "?start=2025-06-01&end=2025-06-30"


@pytest.fixture
def tickets(lake: Lake) -> None:
    kf1 = Agent.objects.create(agent_id="kf1", name="小雨", team="A")
    kf2 = Agent.objects.create(agent_id="kf2", name="小林", team="B")
    # (agent, tier, created, first response late, resolution late, CSAT rating or None)
    plan = [
        (kf1, "ordinary", "2025-06-02 10:00:00", True, False, 5),
        (kf1, "difficult", "2025-06-03 10:00:00", True, True, 3),
        (kf2, "ordinary", "2025-06-04 10:00:00", False, True, 4),
        (kf2, "ordinary", "2025-05-30 10:00:00", True, True, None),  # May: not counted
    ]
    for i, (agent, tier, created, first, resolution, rating) in enumerate(plan):
        t = services.create_ticket(
            kind="complaint", channel="chat", subject="s", tier=tier, at=utc(created)
        )
        services.assign(t.pk, by=None, agent=agent, at=utc(created))
        Ticket.objects.filter(pk=t.pk).update(
            first_response_breached=first, resolution_breached=resolution
        )
        if rating:
            CsatRequest.objects.create(
                ticket=t,
                source="agent",
                nonce=f"n{i}",
                created_at=utc("2025-06-20 10:00:00"),
                expires_at=utc("2025-07-20 10:00:00"),
                answered_at=utc("2025-06-20 10:00:00"),
                rating=rating,
            )


def _cells(page: str, table: str, unit: str) -> list[str]:
    start = page.index(f'id="desk-{table}-table"')
    row = page.index(f'data-desk-unit="{unit}"', start)
    text = page[row : page.index("</tr>", row)]
    return [c.split(">", 1)[1].split("</td>")[0] for c in text.split("<td")[1:]]


def test_manager_sees_breaches_and_csat_per_agent_team_and_tier(
    client: Client, make_user, tickets: None
) -> None:
    login(client, make_user, "manager")
    page = client.get(f"/performance/agents/{Q}").content.decode()
    # kf1: two June tickets, both first response late, one resolution late; CSAT 5 and 3 →
    # mean 4.00, one of two 4–5 = 50 %. kf2: one June ticket (May's is outside), resolution
    # late; CSAT 4.
    assert _cells(page, "agent", "kf1") == ["kf1", "2", "2", "1", "2", "4.00", "50.00%"]
    assert _cells(page, "agent", "kf2") == ["kf2", "1", "0", "1", "1", "4.00", "100.00%"]
    # tiers: ordinary = kf1's first + kf2's June one (first late 1, resolution late 1;
    # CSAT 5, 4 → 4.50, 100 %); difficult = kf1's second; escalated none
    assert _cells(page, "tier", "ordinary") == ["普通", "2", "1", "1", "2", "4.50", "100.00%"]
    assert _cells(page, "tier", "difficult") == ["疑难", "1", "1", "1", "1", "3.00", "0.00%"]
    assert _cells(page, "tier", "escalated") == ["升级", "0", "0", "0", "0", "—", "—"]
    teams = client.get(f"/performance/agents/{Q}&view=team").content.decode()
    assert _cells(teams, "team", "A") == ["A", "2", "2", "1", "2", "4.00", "50.00%"]
    assert _cells(teams, "team", "B")[1:4] == ["1", "0", "1"]


def test_an_agent_sees_only_their_own_desk_figures(
    client: Client, make_user, tickets: None
) -> None:
    login(client, make_user, "agent", agent_id="kf2")
    page = client.get(f"/performance/agents/{Q}").content.decode()
    assert _cells(page, "agent", "kf2")[1:4] == ["1", "0", "1"]
    desk = page[page.index('id="desk-figures"') :]
    assert 'data-desk-unit="kf1"' not in desk
    # the tiers over kf2's own tickets only: one ordinary June ticket
    assert _cells(page, "tier", "ordinary")[1:4] == ["1", "0", "1"]
