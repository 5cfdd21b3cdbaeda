"""Who may see one agent's detail and one conversation (pages and API alike).

Managers and admins (``accounts.view_all_agents``) see every agent and every session; an
agent sees only their own detail and only the sessions they served (sent a message in);
everyone else nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AbstractUser, AnonymousUser

from guanxi.accounts.selectors import agent_id_of

User = AbstractUser | AnonymousUser


def may_view_agent(user: User, agent_id: str) -> bool:
    if user.has_perm("accounts.view_all_agents"):
        return True
    own = agent_id_of(user)
    return bool(own) and own == agent_id


def may_view_session(user: User, served_by: Collection[str]) -> bool:
    """``served_by``: the agents who sent a message in the session."""
    if user.has_perm("accounts.view_all_agents"):
        return True
    own = agent_id_of(user)
    return bool(own) and own in served_by
