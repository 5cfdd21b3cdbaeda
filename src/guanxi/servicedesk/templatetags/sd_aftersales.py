"""``{% aftersales_panel ticket %}``: the after-sales case on the ticket page — its decision
with the reasons, the form to create or edit it, the order's refunds from the lake and, on
疑难/升级 tickets, the platform penalty reference."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("servicedesk/_aftersales_panel.html", takes_context=True)
def aftersales_panel(context: Any, ticket: Any) -> dict[str, Any]:
    from guanxi.servicedesk.views_aftersales import panel_context

    request = context["request"]
    panel = panel_context(request, ticket)
    # The page's own context (csrf_token, perms, LANGUAGE_CODE) for the form.
    return {**context.flatten(), **panel}
