"""The triage panel on the ticket page: the model's suggestions for the ticket's text and
its held-out accuracy (the accept buttons belong to the ticket page)."""

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from guanxi.servicedesk import triage

register = template.Library()

NAMES = {"category": _("问题分类"), "tier": _("级别"), "sentiment": _("情绪")}


@register.inclusion_tag("servicedesk/_triage_panel.html", takes_context=True)
def triage_panel(context: Any, ticket: Any) -> dict[str, Any]:
    text = "\n".join(t for t in (ticket.subject, ticket.description) if t and t.strip())
    suggestion = triage.suggest(text) if text else None
    evaluation = triage.accuracy()
    rows = []
    for name in triage.CHOICES:
        suggested = getattr(suggestion, name) if suggestion else None
        rows.append(
            {
                "name": NAMES[name],
                "suggested": suggested,
                "percent": round(suggested.confidence * 100) if suggested else None,
                "accuracy": _percent(evaluation.model[name].accuracy),
                "macro_f1": f"{evaluation.model[name].macro_f1:.2f}",
                "baseline": _percent(evaluation.baseline[name].accuracy),
            }
        )
    return {
        "rows": rows,
        "has_text": bool(text),
        "evaluation": evaluation,
        "sha": evaluation.sha256[:12],
    }


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"
