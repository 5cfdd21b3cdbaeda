from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("servicedesk/_panel_placeholder.html", takes_context=True)
def kb_suggestions(context: Any, ticket: Any) -> dict[str, Any]:
    return {}
