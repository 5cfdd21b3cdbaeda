"""Reads of the service desk: which tickets a user may see, and the agent behind a login."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from guanxi.accounts.models import Agent
from guanxi.servicedesk.models import Ticket


def agent_of(user: Any) -> Agent | None:
    """The roster agent a login answers chats as (Profile.agent_id), if any."""
    profile = getattr(user, "guanxi_profile", None)
    agent_id = getattr(profile, "agent_id", "") if profile is not None else ""
    if not agent_id:
        return None
    return Agent.objects.filter(agent_id=agent_id).first()


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    """Every ticket for a user who may see all queues; an agent sees the tickets assigned
    to them or to their team, nothing else (pages, API, CLI and exports all read this)."""
    tickets = Ticket.objects.select_related("assignee", "department", "customer")
    if not user.is_authenticated or not user.has_perm("servicedesk.view_ticket"):
        return tickets.none()
    if user.has_perm("servicedesk.view_all_tickets"):
        return tickets
    agent = agent_of(user)
    if agent is None:
        return tickets.none()
    mine = Q(assignee=agent)
    if agent.team:
        mine |= Q(team=agent.team)
    return tickets.filter(mine)
