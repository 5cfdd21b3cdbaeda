"""``{% sla_panel ticket %}``: the ticket page's SLA panel (due times, business time used vs
target for first response and resolution, the state badge), read live at render time."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.servicedesk import sla, sla_presenters
from guanxi.servicedesk.models import Ticket, Tier

register = template.Library()


@register.inclusion_tag("servicedesk/_sla_panel.html", takes_context=True)
def sla_panel(context: Any, ticket: Ticket) -> dict[str, Any]:
    service = sla.service_schedule()
    tier_targets = sla.targets()
    reading = sla.reading_of(ticket, timezone.now(), tier_targets=tier_targets, service=service)
    target = tier_targets.get(ticket.tier, sla.DEFAULT_TARGETS[Tier.ORDINARY])
    if sla.schedule_of(ticket, service) is not service and ticket.assignee is not None:
        source = _("按 %(name)s 的排班计时") % {"name": ticket.assignee.name}
    else:
        source = _("按店铺服务时间计时")
    return sla_presenters.panel(ticket, reading, float(target.at_risk_share), source)
