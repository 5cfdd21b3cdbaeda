"""Reads of the service desk: which tickets a user may see, and the agent behind a login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast

from guanxi.accounts.models import Agent
from guanxi.servicedesk import states
from guanxi.servicedesk.models import RoutingRule, Ticket


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


def may_see(user: Any, ticket_id: int) -> Ticket | None:
    """The ticket if ``user`` may see it, else None (pages answer 404: an agent is not
    told that a ticket of another team exists)."""
    return visible_tickets(user).filter(pk=ticket_id).first()


@dataclass(frozen=True)
class QueueFilters:
    """The queue page's filters; empty strings mean "any"."""

    scope: str = "mine"  # mine | team | unassigned | all
    state: str = ""
    tier: str = ""
    category: str = ""
    kind: str = ""
    channel: str = ""
    department: str = ""  # a department id
    team: str = ""
    agent: str = ""  # an agent_id
    sla_state: str = ""
    status: str = "open"  # open | closed | "" (both)
    number: str = ""  # the ticket number, or part of it


SCOPES = ("mine", "team", "unassigned", "all")


def queue(user: Any, filters: QueueFilters) -> QuerySet[Ticket]:
    """The tickets of one queue, newest first. ``mine``: assigned to the user's agent;
    ``team``: the agent's team's; ``unassigned``: the visible ones nobody holds (what an
    agent may claim); ``all``: everything the user may see (managers: every queue)."""
    return _filtered(visible_tickets(user), agent_of(user), filters)


def queue_all(filters: QueueFilters) -> QuerySet[Ticket]:
    """``queue`` for the installation's operator (the CLI without ``--as``): every ticket."""
    tickets = Ticket.objects.select_related("assignee", "department", "customer")
    return _filtered(tickets, None, filters)


def _filtered(
    tickets: QuerySet[Ticket], agent: Agent | None, filters: QueueFilters
) -> QuerySet[Ticket]:
    if filters.scope == "mine":
        tickets = tickets.filter(assignee=agent) if agent else tickets.none()
    elif filters.scope == "team":
        tickets = tickets.filter(team=agent.team) if agent and agent.team else tickets.none()
    elif filters.scope == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    if filters.status == "open":
        tickets = tickets.filter(state__in=states.OPEN)
    elif filters.status == "closed":
        tickets = tickets.filter(state__in=states.FINISHED)
    exact = {
        "state": filters.state,
        "tier": filters.tier,
        "category": filters.category,
        "kind": filters.kind,
        "channel": filters.channel,
        "team": filters.team,
        "sla_state": filters.sla_state,
        "assignee__agent_id": filters.agent,
    }
    tickets = tickets.filter(**{k: v for k, v in exact.items() if v})
    if filters.department.isdigit():
        tickets = tickets.filter(department_id=int(filters.department))
    number = filters.number.strip().lstrip("#")
    if number.isdigit():
        tickets = tickets.annotate(number=Cast("id", CharField())).filter(number__contains=number)
    elif number:
        tickets = tickets.none()
    return tickets


def counts(tickets: QuerySet[Ticket]) -> dict[str, dict[str, int]]:
    """How many of ``tickets`` per state and per tier (the figures atop the queue)."""
    by_state = dict(tickets.order_by().values_list("state").annotate(n=Count("id")))
    by_tier = dict(tickets.order_by().values_list("tier").annotate(n=Count("id")))
    return {"state": by_state, "tier": by_tier}


def teams() -> list[str]:
    """Every team name an agent or a rule uses, sorted."""
    names = set(Agent.objects.exclude(team="").values_list("team", flat=True))
    names |= set(RoutingRule.objects.exclude(team="").values_list("team", flat=True))
    return sorted(names)


def order_lookup(order_id: str, platform: str = "") -> dict[str, Any] | None:
    """The order ``order_id`` from the lake's orders (platform, customer key, status,
    amount, signing time), or None when no imported order has that number."""
    from guanxi import lake

    shop = lake.get()
    if not shop.exists("orders"):
        return None
    orders = shop.table("orders")
    wanted = orders.filter(orders.order_id == order_id)
    if platform:
        wanted = wanted.filter(wanted.platform == platform)
    rows = shop.arrow(
        wanted.select(
            "platform", "order_id", "customer_key", "status", "amount", "signed_at"
        ).limit(1)
    ).to_pylist()
    return rows[0] if rows else None


def session_agents(session_id: str) -> set[str] | None:
    """The agents who wrote in chat session ``session_id`` (who may open its transcript),
    or None when the lake has no such session."""
    from guanxi import lake

    shop = lake.get()
    if not session_id or not shop.exists("chat_messages"):
        return None
    chats = shop.table("chat_messages")
    mine = chats.filter(chats.session_id == session_id)
    rows = shop.arrow(mine.select("agent_id").distinct()).to_pylist()
    if not rows:
        return None
    return {r["agent_id"] for r in rows if r["agent_id"]}
