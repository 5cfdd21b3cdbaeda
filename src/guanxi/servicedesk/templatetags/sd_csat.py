"""``{% csat_panel ticket %}`` on the ticket page: the customer's rating and comment once
answered, else the link (made on demand, copied or mailed) and the form for a rating taken
on a call. The comment is a customer's free text: masked unless the page shows personal
data revealed (the ticket page's ``revealed``, set after an audited reveal)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.servicedesk import csat, mail_out, states

register = template.Library()


def masked_text(ticket: Any, texts: list[str], context: Any) -> list[str]:
    """The ticket's free texts as the viewer may see them: plain when the page is revealed
    by a user who may reveal, else masked (the customer's known values, then patterns)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if context.get("revealed") and user is not None and user.has_perm("customers.reveal_personal"):
        return texts
    from guanxi.customers.selectors import known_values
    from guanxi.ingest.pii import KnownValues, mask_free_text

    known = KnownValues()
    if ticket.customer_key:
        known = known_values([ticket.customer_key]).get(ticket.customer_key, KnownValues())
    return mask_free_text(texts, known)


@register.inclusion_tag("servicedesk/_csat_panel.html", takes_context=True)
def csat_panel(context: Any, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    answer = csat.answered(ticket)
    link = None if answer else csat.open_request(ticket)
    comment = masked_text(ticket, [answer.comment], context)[0] if answer else ""
    finished = ticket.state in states.FINISHED
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "ticket": ticket,
        "answer": answer,
        "comment": comment,
        "link": link,
        "link_url": request.build_absolute_uri(csat.path_for(link)) if link and request else "",
        "finished": finished,
        "may_change": bool(user and user.has_perm("servicedesk.change_ticket")),
        "has_email": bool(finished and not answer and mail_out.recipient(ticket)),
        "days": csat.link_days(),
        "scale": range(1, 6),
    }
