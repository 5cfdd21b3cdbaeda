"""What the ticket pages show: free text masked with what the master knows about the
customer (``ingest.pii.mask_free_text``) unless the user may reveal personal data, labels
for codes, the history as readable lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from guanxi.core import pii
from guanxi.customers import selectors as customer_selectors
from guanxi.ingest.pii import KnownValues, mask_free_text
from guanxi.servicedesk import states
from guanxi.servicedesk.labels import SLA_LABELS, STATE_CHOICES, STATE_LABELS
from guanxi.servicedesk.models import (
    Category,
    SlaState,
    Ticket,
    TicketEvent,
    Tier,
)

LABELS: dict[str, dict[str, Any]] = {
    TicketEvent.Action.CREATED: STATE_LABELS,
    TicketEvent.Action.STATE: STATE_LABELS,
    TicketEvent.Action.TIER: dict(Tier.choices),
    TicketEvent.Action.CATEGORY: dict(Category.choices),
}


def may_reveal(user: Any) -> bool:
    return bool(user.has_perm("customers.reveal_personal"))


def known_for(keys: list[str]) -> dict[str, KnownValues]:
    return customer_selectors.known_values(keys)


def masked(texts: list[str], known: KnownValues | None) -> list[str]:
    """``texts`` as the user may see them: ``known`` None means revealed (no masking)."""
    if known is None:
        return texts
    return mask_free_text(texts, known)


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    subject: str
    agent: str
    sla: str  # the badge's CSS class
    state_label: Any
    sla_label: Any


def queue_rows(tickets: list[Ticket], *, reveal: bool) -> list[Row]:
    known = {} if reveal else known_for([t.customer_key for t in tickets])
    rows = []
    for t in tickets:
        subject = (
            t.subject
            if reveal
            else masked([t.subject], known.get(t.customer_key, KnownValues()))[0]
        )
        agent = f"{t.assignee.agent_id} {t.assignee.name}".strip() if t.assignee else ""
        rows.append(
            Row(
                t,
                subject,
                agent,
                sla_class(t.sla_state),
                STATE_LABELS.get(t.state, t.state),
                SLA_LABELS.get(t.sla_state, t.sla_state),
            )
        )
    return rows


def sla_class(state: str) -> str:
    return {
        SlaState.BREACHED: "sla-breached",
        SlaState.AT_RISK: "sla-at-risk",
        SlaState.PAUSED: "sla-paused",
        SlaState.MET: "sla-met",
    }.get(SlaState(state) if state in SlaState.values else SlaState.ON_TRACK, "sla-on-track")


def _event_value(action: str, value: str) -> str:
    return str(LABELS.get(action, {}).get(value, value))


def history(events: list[TicketEvent], known: KnownValues | None) -> list[dict[str, Any]]:
    notes = masked([e.note for e in events], known)
    out = []
    for event, note in zip(events, notes, strict=True):
        out.append(
            {
                "at": event.at,
                "by": event.by.get_username() if event.by else _("系统"),
                "action": event.get_action_display(),
                "code": event.action,
                "before": _event_value(event.action, event.from_value),
                "after": _event_value(event.action, event.to_value),
                "note": note,
            }
        )
    return out


def moves(ticket: Ticket) -> list[tuple[str, Any]]:
    """The states the ticket may go to next, as (value, label), in life-cycle order."""
    allowed = states.MOVES.get(ticket.state, frozenset())
    return [(value, label) for value, label in STATE_CHOICES if value in allowed]


def customer_label(ticket: Ticket) -> str:
    """The customer's name, always masked here: revealing it is the 360° profile's
    (audited) click, one link away."""
    if ticket.customer is None or not ticket.customer.name:
        return ""
    return pii.mask_name(ticket.customer.name)
