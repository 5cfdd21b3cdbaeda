"""Routing (分派): the first active rule, by position, whose set fields all match the ticket
sends it to a department, a team and possibly an agent. Blank fields of a rule match
anything, so a rule with every field blank is the catch-all. A manual assignment overrides
the rules and is never undone by a later re-routing (see ``services.escalate``)."""

from __future__ import annotations

from django.db import transaction

from guanxi.servicedesk.models import Department, RoutingRule, Ticket, Tier

MATCHED_FIELDS = ("kind", "category", "tier", "channel", "platform")


def matches(rule: RoutingRule, ticket: Ticket) -> bool:
    return all(
        not getattr(rule, field) or getattr(rule, field) == getattr(ticket, field)
        for field in MATCHED_FIELDS
    )


def rule_for(ticket: Ticket) -> RoutingRule | None:
    rules = RoutingRule.objects.filter(active=True).select_related("department", "agent")
    return next((rule for rule in rules if matches(rule, ticket)), None)


# The seeds' three departments and a starting rule set the shop then edits: escalated and
# difficult tickets to 客户关系部 (the manager's), everything else to 客户服务部 (catch-all,
# last). 市场部 gets no rule: a manager sends it a public bad review by hand.
DEFAULT_DEPARTMENTS = (("客户服务部", 1), ("客户关系部", 2), ("市场部", 3))
DEFAULT_RULES = (
    (10, Tier.ESCALATED, "客户关系部"),
    (20, Tier.DIFFICULT, "客户关系部"),
    (90, "", "客户服务部"),
)


@transaction.atomic
def defaults_ensure() -> bool:
    """Create the default departments and rules on a desk that has neither (a fresh
    installation); True if it did. Not a data migration: every test database (and every
    other part's test) would then route all its tickets by rules it did not write."""
    if Department.objects.exists() or RoutingRule.objects.exists():
        return False
    made = {
        name: Department.objects.create(name=name, position=position)
        for name, position in DEFAULT_DEPARTMENTS
    }
    for position, tier, department in DEFAULT_RULES:
        RoutingRule.objects.create(position=position, tier=tier, department=made[department])
    return True
