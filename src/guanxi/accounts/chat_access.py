"""Who may read chat text: one rule for every page, export and API answer that shows it.

Managers and admins (``accounts.view_all_agents``) read every conversation. An agent reads
the sessions they served (sent a message in); with ``GUANXI_AGENT_CHAT_SCOPE=customer``
also the rest of the history of every customer they served, so an after-sale agent sees
what was promised before the sale. Everyone else (marketing) reads no chat text: the
customer page shows that chats exist, not what was said.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser

from guanxi.accounts.selectors import agent_id_of

User = AbstractUser | AnonymousUser

OWN = "own"
CUSTOMER = "customer"


def chat_scope() -> str:
    """``own`` or ``customer`` (settings.GUANXI_AGENT_CHAT_SCOPE)."""
    return str(getattr(settings, "GUANXI_AGENT_CHAT_SCOPE", OWN))


def reads_all_chats(user: User) -> bool:
    return user.has_perm("accounts.view_all_agents")


def reads_any_chats(user: User) -> bool:
    """Whether ``user`` may read some chat text at all (managers, and agents with an id)."""
    return reads_all_chats(user) or bool(agent_id_of(user))


def may_read_session(
    user: User, *, served_by: Collection[str], served_customer: Callable[[str], bool]
) -> bool:
    """``served_by``: the agents who sent a message in the session; ``served_customer(agent)``
    whether that agent served the session's customer in any session (asked only when the
    scope is ``customer``, since it queries the lake)."""
    if reads_all_chats(user):
        return True
    own = agent_id_of(user)
    if not own:
        return False
    if own in served_by:
        return True
    return chat_scope() == CUSTOMER and served_customer(own)
