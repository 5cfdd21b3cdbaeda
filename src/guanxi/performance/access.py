"""Who may see one agent's detail and one conversation (pages and API alike).

Managers and admins (``accounts.view_all_agents``) see every agent, team (客服组) and the
shop, and every session; an agent sees only their own figures (detail, trend) and only the
sessions they served (sent a message in), or with ``GUANXI_AGENT_CHAT_SCOPE=customer`` the
whole history of the customers they served (accounts.chat_access); everyone else nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AbstractUser, AnonymousUser

from guanxi.accounts import chat_access
from guanxi.accounts.selectors import agent_id_of
from guanxi.customers import selectors as customer_selectors

User = AbstractUser | AnonymousUser


def may_view_agent(user: User, agent_id: str) -> bool:
    if user.has_perm("accounts.view_all_agents"):
        return True
    own = agent_id_of(user)
    return bool(own) and own == agent_id


def may_view_session(user: User, served_by: Collection[str], customer_key: str) -> bool:
    """``served_by``: the agents who sent a message in the session; the rule (and its
    ``customer`` scope) is accounts.chat_access's, the same as the customer page's."""
    return chat_access.may_read_session(
        user,
        served_by=served_by,
        served_customer=lambda agent: (
            bool(customer_key) and customer_selectors.agent_served(agent, customer_key)
        ),
    )


def may_view_units(user: User, view: str) -> bool:
    """Team and shop figures (``view`` ``team`` or ``shop``) are managers'. An agent's own
    team is no exception: in a team of two, the team's figures less the agent's own would
    give the colleague's away."""
    return view == "agent" or user.has_perm("accounts.view_all_agents")


def may_view_trend(user: User, view: str, unit: str) -> bool:
    """The trend of one unit: a team's or the shop's for managers; an agent's for managers
    and for that agent."""
    if not may_view_units(user, view):
        return False
    return view != "agent" or may_view_agent(user, unit)
