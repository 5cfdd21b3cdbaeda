"""The triage panel on the ticket page: the model's suggestions for the ticket's text and
its held-out accuracy, with a button to accept a suggested category or tier that differs
from the ticket's (the agent's click, recorded in the history like any other change)."""

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from guanxi.servicedesk import triage
from guanxi.servicedesk.models import State

register = template.Library()

NAMES = {"category": _("问题分类"), "tier": _("级别"), "sentiment": _("情绪")}


@register.inclusion_tag("servicedesk/_triage_panel.html", takes_context=True)
def triage_panel(context: Any, ticket: Any) -> dict[str, Any]:
    text = "\n".join(t for t in (ticket.subject, ticket.description) if t and t.strip())
    suggestion = triage.suggest(text) if text else None
    evaluation = triage.accuracy()
    request = context.get("request")
    user = getattr(request, "user", None)
    may_change = bool(
        user is not None
        and user.has_perm("servicedesk.change_ticket")
        and ticket.state != State.CLOSED
    )
    rows = []
    for name in triage.CHOICES:
        suggested = getattr(suggestion, name) if suggestion else None
        rows.append(
            {
                "key": name,
                # Category and tier can be taken over; the sentiment is stored already.
                "accept": may_change
                and name in ("category", "tier")
                and suggested is not None
                and suggested.value != getattr(ticket, name),
                "name": NAMES[name],
                "suggested": suggested,
                "percent": round(suggested.confidence * 100) if suggested else None,
                "accuracy": _percent(evaluation.model[name].accuracy),
                "macro_f1": f"{evaluation.model[name].macro_f1:.2f}",
                "baseline": _percent(evaluation.baseline[name].accuracy),
            }
        )
    return {
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "rows": rows,
        "has_text": bool(text),
        "evaluation": evaluation,
        "sha": evaluation.sha256[:12],
    }


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"
