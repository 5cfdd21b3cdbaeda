"""Reads for accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from guanxi.accounts.models import Agent, Profile
from guanxi.core.business_calendar import Schedule


def agent_id_of(user: AbstractBaseUser | AnonymousUser) -> str:
    """The chat agent id linked to ``user`` ('' when none)."""
    if not user.is_authenticated:
        return ""
    profile = Profile.objects.filter(user_id=user.pk).only("agent_id").first()
    return profile.agent_id if profile else ""


def agent_nicknames() -> dict[str, str]:
    """Every name an agent goes by (nicknames, display name, id) → that agent's id."""
    names: dict[str, str] = {}
    for agent in Agent.objects.all():
        for nickname in (*agent.nickname_list, agent.name, agent.agent_id):
            names.setdefault(nickname, agent.agent_id)
    return names


def agent_schedules() -> dict[str, Schedule]:
    """The rota of every agent who has one (agent id → schedule)."""
    agents = Agent.objects.exclude(workday_hours="", restday_hours="")
    return {a.agent_id: a.schedule for a in agents}


def agent_teams() -> dict[str, str]:
    """The team of every agent in one (agent id → team name)."""
    return dict(Agent.objects.exclude(team="").values_list("agent_id", "team"))
