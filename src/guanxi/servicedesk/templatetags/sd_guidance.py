"""``{% guidance_panel ticket %}``: the handling principles and the tier's checklist."""

from typing import Any

from django import template

from guanxi.servicedesk import guidance

register = template.Library()


@register.inclusion_tag("servicedesk/_guidance_panel.html")
def guidance_panel(ticket: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "principles": guidance.PRINCIPLES,
        "checklist": guidance.checklist(ticket.tier),
    }
