from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("servicedesk/_panel_placeholder.html", takes_context=True)
def guidance_panel(context: Any, ticket: Any) -> dict[str, Any]:
    return {}
