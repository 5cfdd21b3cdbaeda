"""Routing (分派): the first active rule, by position, whose set fields all match the ticket
sends it to a department, a team and possibly an agent. Blank fields of a rule match
anything, so a rule with every field blank is the catch-all. A manual assignment overrides
the rules and is never undone by a later re-routing (see ``services.escalate``)."""

from __future__ import annotations

from guanxi.servicedesk.models import RoutingRule, Ticket

MATCHED_FIELDS = ("kind", "category", "tier", "channel", "platform")


def matches(rule: RoutingRule, ticket: Ticket) -> bool:
    return all(
        not getattr(rule, field) or getattr(rule, field) == getattr(ticket, field)
        for field in MATCHED_FIELDS
    )


def rule_for(ticket: Ticket) -> RoutingRule | None:
    rules = RoutingRule.objects.filter(active=True).select_related("department", "agent")
    return next((rule for rule in rules if matches(rule, ticket)), None)
