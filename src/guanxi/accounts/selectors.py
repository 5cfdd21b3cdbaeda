"""Reads for accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Prefetch

from guanxi.accounts import roles
from guanxi.accounts.models import Agent, Profile
from guanxi.core.business_calendar import Schedule


def login_username(typed: str) -> str | None:
    """The stored username ``typed`` names regardless of case, or None when none (or, for
    names created before case was folded, more than one) does."""
    names = list(User.objects.filter(username__iexact=typed).values_list("username", flat=True)[:2])
    return names[0] if len(names) == 1 else None


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


@dataclass(frozen=True)
class UserRow:
    """One login on the users page (账号管理)."""

    pk: int
    username: str
    role: str  # a key of roles.ROLES, '' when in none
    agent_id: str
    agent_name: str  # the roster's name for agent_id ('' when unlinked or not on the roster)
    is_active: bool
    last_login: dt.datetime | None


def user_rows() -> list[UserRow]:
    """Every login, by username, with role and linked agent; four queries however many users."""
    groups = Prefetch("groups", to_attr="role_groups")
    users = User.objects.order_by("username").prefetch_related(groups)
    linked = dict(Profile.objects.values_list("user_id", "agent_id"))
    names = dict(Agent.objects.values_list("agent_id", "name"))
    rows = []
    for user in users:
        group_names = {g.name for g in user.role_groups}
        agent_id = linked.get(user.pk, "")
        rows.append(
            UserRow(
                pk=user.pk,
                username=user.username,
                role=next((r for r in roles.ROLES if r in group_names), ""),
                agent_id=agent_id,
                agent_name=names.get(agent_id, "") if agent_id else "",
                is_active=user.is_active,
                last_login=user.last_login,
            )
        )
    return rows


def roster_choices() -> list[tuple[str, str]]:
    """The roster's agents as (agent id, "id · name") for linking a login to an agent."""
    return [(a.agent_id, f"{a.agent_id} · {a.name}") for a in Agent.objects.order_by("agent_id")]
