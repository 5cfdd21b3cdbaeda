"""``{% kb_suggestions ticket %}``: the knowledge base's best answers for a ticket, on the
ticket page, each with its copy/insert button (``knowledge.search.suggest``)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.knowledge.search import suggest, ticket_text

register = template.Library()

SUGGESTIONS = 5


@register.inclusion_tag("knowledge/_suggestions.html", takes_context=True)
def kb_suggestions(context: Any, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    can_view = bool(user is not None and user.has_perm("knowledge.view_entry"))
    about = ticket_text(str(ticket.subject or ""), str(ticket.description or ""))
    return {
        "request": request,
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
        "can_view": can_view,
        "query": str(ticket.subject or "")[:100],
        "hits": suggest(about, SUGGESTIONS) if can_view else [],
    }
