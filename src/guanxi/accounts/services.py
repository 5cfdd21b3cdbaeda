"""Writes for accounts: roles, users, and the login throttle."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone

from guanxi.accounts import roles
from guanxi.accounts.models import Agent, LoginAttempt, Profile
from guanxi.core.business_calendar import Schedule


@transaction.atomic
def roles_ensure() -> None:
    """Create or update the role groups with exactly their permissions."""
    for role, codenames in roles.ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


@dataclass(frozen=True)
class NewUser:
    username: str
    role: str
    password: str
    agent_id: str


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    agent_id: str = "",
    password: str | None = None,
) -> NewUser:
    """Create a user in ``role``; without a password, a random one is made and returned once."""
    if role not in roles.ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(roles.ROLES)}")
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username, password=password, is_staff=False, is_superuser=False
    )
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, agent_id=agent_id)
    return NewUser(username=username, role=role, password=password, agent_id=agent_id)


def login_is_throttled(*, username: str, client: str) -> bool:
    """True when this username from this client failed too often in the lock-out window."""
    since = timezone.now() - dt.timedelta(seconds=settings.GUANXI_LOGIN_LOCKOUT_SECONDS)
    failures = LoginAttempt.objects.filter(
        username=username.lower(), client=client, succeeded=False, at__gte=since
    ).count()
    return failures >= settings.GUANXI_LOGIN_MAX_FAILURES


def login_attempt_record(*, username: str, client: str, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username.lower(), client=client, succeeded=succeeded)
    if succeeded:
        LoginAttempt.objects.filter(
            username=username.lower(), client=client, succeeded=False
        ).delete()


@transaction.atomic
def agents_ensure(roster: list[tuple[str, str]]) -> int:
    """Add (agent_id, nickname) pairs missing from the roster; returns how many were added."""
    existing = set(Agent.objects.values_list("agent_id", flat=True))
    new = [
        Agent(agent_id=agent_id, name=nickname, nicknames=nickname)
        for agent_id, nickname in roster
        if agent_id not in existing
    ]
    Agent.objects.bulk_create(new)
    return len(new)


def rotas_fill(rotas: dict[str, tuple[str, str]]) -> int:
    """Give agents without a rota the (workday, rest-day) hours of ``rotas``; a rota set by
    the manager is never overwritten. Returns how many agents got one."""
    filled = 0
    for agent_id, (workday, restday) in rotas.items():
        Schedule.parse(workday, restday)  # a bad rota is a programming error: fail loudly
        filled += Agent.objects.filter(
            agent_id=agent_id, workday_hours="", restday_hours=""
        ).update(workday_hours=workday, restday_hours=restday)
    return filled


def teams_fill(teams: dict[str, str]) -> int:
    """Put agents in no team into the team ``teams`` names for them; a team set by the
    manager is never overwritten. Returns how many agents got one."""
    filled = 0
    for agent_id, team in teams.items():
        filled += Agent.objects.filter(agent_id=agent_id, team="").update(team=team)
    return filled
