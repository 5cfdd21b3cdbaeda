"""``{% mail_panel ticket %}`` on the ticket page: the ticket's mail thread (in and out,
with failures and bounces and why) and a reply form that sends by SMTP. Bodies and
subjects are the customer's free text, masked like the rest of the ticket."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.core.pii import mask_email
from guanxi.servicedesk import mail_out
from guanxi.servicedesk.models import MailMessage, State
from guanxi.servicedesk.templatetags.sd_csat import masked_text

register = template.Library()


@register.inclusion_tag("servicedesk/_mail_panel.html", takes_context=True)
def mail_panel(context: Any, ticket: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    entries = list(ticket.mail.order_by("at", "id"))
    texts = masked_text(ticket, [text for m in entries for text in (m.subject, m.body)], context)
    revealed = bool(context.get("revealed")) and bool(
        user and user.has_perm("customers.reveal_personal")
    )
    thread = [
        {
            "entry": entry,
            "subject": texts[2 * i],
            "body": texts[2 * i + 1],
            "address": entry.address if revealed else mask_email(entry.address),
            "failed": entry.status
            in (MailMessage.Status.FAILED, MailMessage.Status.BOUNCE, MailMessage.Status.MALFORMED),
        }
        for i, entry in enumerate(entries)
    ]
    to = mail_out.recipient(ticket)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "ticket": ticket,
        "thread": thread,
        "to": (to if revealed else mask_email(to)) if to else "",
        "subject": masked_text(ticket, [mail_out.subject_for(ticket)], context)[0],
        "may_reply": bool(user and user.has_perm("servicedesk.change_ticket"))
        and ticket.state != State.CLOSED,
        "closed": ticket.state == State.CLOSED,
    }
