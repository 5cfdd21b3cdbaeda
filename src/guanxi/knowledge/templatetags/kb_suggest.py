"""``{% kb_suggestions ticket %}``: the knowledge base's best answers for a ticket, on the
ticket page, each with its copy/insert button (``knowledge.search.suggest``)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.knowledge.search import Hit, suggest, ticket_text

register = template.Library()

SUGGESTIONS = 5


@register.inclusion_tag("knowledge/_suggestions.html", takes_context=True)
def kb_suggestions(context: Any, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    can_view = bool(user is not None and user.has_perm("knowledge.view_entry"))
    about = ticket_text(str(ticket.subject or ""), str(ticket.description or ""))
    hits = suggest(about, SUGGESTIONS) if can_view else []
    return {
        "request": request,
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
        "can_view": can_view,
        "query": link_query(hits),
        "hits": hits,
    }


def link_query(hits: list[Hit]) -> str:
    """The "search the knowledge base" link's words: those the suggestions matched, taken
    from the entries' own text. Never the ticket's words: a subject can hold a phone or a
    name, and a URL ends up in access logs and browser history."""
    words: list[str] = []
    for hit in hits:
        for part, matched in (*hit.question_parts, *hit.answer_parts):
            if matched and part not in words:
                words.append(part)
    return " ".join(words[:6])
