"""Reads of the SLA marks: the at-risk and breached queue (scoped to what the user may see)
and the breach counts per agent, team and tier for the performance pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from guanxi.servicedesk import selectors, sla
from guanxi.servicedesk.models import SlaState, State, Ticket, Tier
from guanxi.servicedesk.sla_reading import ClockReading, Reading

VIEW_ALL = "servicedesk.view_all_tickets"
LIST_LIMIT = 300
"""Rows shown on the page (the most urgent first); the export has them all."""


@dataclass(frozen=True)
class AttentionRow:
    ticket: Ticket
    reading: Reading
    clock_name: str  # first_response | resolution
    clock: ClockReading
    url: str | None

    @property
    def overdue(self) -> bool:
        return self.clock.remaining_seconds < 0


def ticket_url(pk: int) -> str | None:
    """The ticket page, by whichever name the tickets module gives it."""
    for name in ("servicedesk:ticket", "servicedesk:ticket_detail"):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    return None


WHICH = {
    "all": [SlaState.AT_RISK, SlaState.BREACHED],
    "at_risk": [SlaState.AT_RISK],
    "breached": [SlaState.BREACHED],
}


def attention(user: Any, now: dt.datetime, which: str = "all") -> tuple[list[AttentionRow], int]:
    """The open tickets marked at risk or breached (by the last refresh) that ``user`` may
    see, read again live at ``now``: breached first, then the least time left. Returns
    every row (the page shows the first ``LIST_LIMIT``) and how many there are."""
    states = WHICH.get(which, WHICH["all"])
    tickets = (
        selectors.visible_tickets(user)
        .exclude(state__in=sla.OPEN_EXCLUDED)
        .filter(sla_state__in=states)
    )
    tickets = tickets.select_related("assignee").prefetch_related(sla.state_events())
    tier_targets = sla.targets()
    service = sla.service_schedule()
    rows = []
    for ticket in tickets.order_by("id"):
        reading = sla.reading_of(ticket, now, tier_targets=tier_targets, service=service)
        name, clock = reading.focus
        rows.append(AttentionRow(ticket, reading, name, clock, ticket_url(ticket.pk)))
    rows.sort(key=lambda r: (r.reading.state != SlaState.BREACHED, r.clock.remaining_seconds))
    return rows, len(rows)


@dataclass(frozen=True)
class BreachRow:
    dimension: str  # agent | team | tier
    key: str
    label: str
    measured: int
    first_response_breached: int
    resolution_breached: int

    @property
    def breached(self) -> int:
        return self.first_response_breached + self.resolution_breached


def _counted(tickets: QuerySet[Ticket], *fields: str) -> list[dict[str, Any]]:
    """Tickets measured, first-response and resolution breaches per value of ``fields``."""
    grouped = tickets.order_by().values(*fields)
    counted = grouped.annotate(
        measured=Count("id"),
        fr=Count("id", filter=Q(first_response_breached=True)),
        res=Count("id", filter=Q(resolution_breached=True)),
    )
    return [dict(r) for r in counted.order_by(*fields)]


def breach_counts(tickets: QuerySet[Ticket]) -> list[BreachRow]:
    """Per agent, per team and per tier of ``tickets`` (any filter: a period, a platform):
    tickets measured, first-response breaches, resolution breaches (a ticket late on both
    counts once in each). Agents by agent id (未分派 for none), teams by the ticket's team
    (未分组 for none), tiers in their order 普通, 疑难, 升级. Counted in the database."""
    rows: list[BreachRow] = []
    for r in _counted(tickets, "assignee__agent_id", "assignee__name"):
        agent_id = r["assignee__agent_id"] or ""
        label = f"{r['assignee__name']} ({agent_id})" if agent_id else _("未分派")
        rows.append(BreachRow("agent", agent_id, label, r["measured"], r["fr"], r["res"]))
    for r in _counted(tickets, "team"):
        label = r["team"] or _("未分组")
        rows.append(BreachRow("team", r["team"], label, r["measured"], r["fr"], r["res"]))
    by_tier = {r["tier"]: r for r in _counted(tickets, "tier")}
    for tier in Tier:
        if tier.value in by_tier:
            r = by_tier[tier.value]
            rows.append(
                BreachRow("tier", tier.value, str(tier.label), r["measured"], r["fr"], r["res"])
            )
    return rows


def state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value
