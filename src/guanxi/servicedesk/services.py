"""Writes of the service desk. Every change of a ticket goes through here, in one
transaction with the row locked, and leaves a ``TicketEvent`` (who, when, from→to, note);
then the SLA clock is read again. Errors a user can cause raise ``TicketError`` naming the
field, and change nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from guanxi.accounts.models import Agent
from guanxi.core.errors import UserInputError
from guanxi.servicedesk import csat, routing, sla, states, triage
from guanxi.servicedesk.models import (
    Attachment,
    Category,
    Channel,
    Department,
    Kind,
    State,
    Ticket,
    TicketEvent,
    Tier,
)

Action = TicketEvent.Action
_TIER_ORDER = [Tier.ORDINARY, Tier.DIFFICULT, Tier.ESCALATED]


class TicketError(UserInputError):
    """A change that cannot be made; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AlreadyClaimedError(TicketError):
    """Another agent took the ticket first."""


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _event(
    ticket: Ticket,
    action: str,
    *,
    by: Any,
    at: dt.datetime,
    before: str = "",
    after: str = "",
    note: str = "",
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        by=by if getattr(by, "pk", None) else None,
        at=at,
        from_value=before[:64],
        to_value=after[:64],
        note=note,
    )


def _locked(ticket_id: int, *, edit: bool = True) -> Ticket:
    try:
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise TicketError(f"ticket #{ticket_id} does not exist", "ticket") from None
    if edit and ticket.state == State.CLOSED:
        raise TicketError(f"ticket #{ticket_id} is closed: reopen it before changing it", "state")
    return ticket


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise TicketError(
            f"{field}: {value!r} is not one of {', '.join(v for v in choices.values if v)}",
            field,
        )
    return value


def _route(ticket: Ticket, *, by: Any, at: dt.datetime) -> None:
    rule = routing.rule_for(ticket)
    if rule is None:
        return
    ticket.department = rule.department
    ticket.team = rule.team
    if rule.agent is not None:
        ticket.assignee = rule.agent
    ticket.routed_by_rule = rule
    where = " / ".join(
        part
        for part in (str(rule.department or ""), rule.team, rule.agent_id and str(rule.agent))
        if part
    )
    _event(ticket, Action.ROUTE, by=by, at=at, after=f"rule {rule.pk}", note=where)


@transaction.atomic
def create_ticket(
    *,
    kind: str,
    channel: str,
    subject: str,
    description: str = "",
    customer_key: str = "",
    platform: str = "",
    order_id: str = "",
    chat_session_id: str = "",
    product_id: str = "",
    category: str = "",
    tier: str = Tier.ORDINARY,
    by: Any = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Log a complaint, inquiry or after-sales request and route it by the rules."""
    from guanxi.customers.models import Customer

    at = _now(at)
    if not subject.strip():
        raise TicketError("subject: give the ticket a short title", "subject")
    customer = None
    if customer_key:
        customer = Customer.objects.filter(customer_key=customer_key).first()
        if customer is None:
            raise TicketError(
                f"customer: no customer has the key {customer_key!r}; pick one from the "
                "customer list or leave it empty",
                "customer_key",
            )
    order_id = order_id.strip()
    if order_id:
        order = order_found(order_id, platform)
        if order is None:
            raise TicketError(
                f"order_id: no order {order_id!r}"
                + (f" on {platform}" if platform else "")
                + " in the imported orders; check the number or leave it empty",
                "order_id",
            )
        # The order names its shop and buyer: fill what the form left empty.
        platform = platform or order["platform"]
        if not customer_key and order.get("customer_key"):
            customer_key = order["customer_key"]
            customer = Customer.objects.filter(customer_key=customer_key).first()
    ticket = Ticket(
        kind=_choice(kind, Kind, "kind"),
        channel=_choice(channel, Channel, "channel"),
        category=_choice(category, Category, "category"),
        tier=_choice(tier, Tier, "tier"),
        state=State.CLASSIFIED if category else State.RECEIVED,
        subject=subject.strip()[:300],
        description=description,
        customer=customer,
        customer_key=customer_key,
        platform=platform,
        order_id=order_id,
        chat_session_id=chat_session_id,
        product_id=product_id,
        created_by=by if getattr(by, "pk", None) else None,
        created_at=at,
    )
    # The customer's mood, read by the triage model from their words (a suggestion the
    # agent can see beside the text; category and tier stay the agent's decision).
    ticket.sentiment = triage.suggest(f"{ticket.subject}\n{description}").sentiment.value
    ticket.save()
    _event(ticket, Action.CREATED, by=by, at=at, after=ticket.state)
    _route(ticket, by=by, at=at)
    ticket.save()
    sla.refresh_ticket(ticket, at)
    return ticket


@transaction.atomic
def transition(
    ticket_id: int, target: str, *, by: Any, note: str = "", at: dt.datetime | None = None
) -> Ticket:
    """Move a ticket to ``target`` if the life cycle allows it (``states.MOVES``)."""
    at = _now(at)
    ticket = _locked(ticket_id, edit=target != State.REOPENED)
    _choice(target, State, "state")
    if not states.allowed(ticket.state, target):
        raise TicketError(
            f"state: ticket #{ticket_id} cannot go from {ticket.state} to {target}; "
            f"allowed: {', '.join(sorted(states.MOVES[ticket.state])) or 'none'}",
            "state",
        )
    if target == State.CLASSIFIED and not ticket.category:
        raise TicketError("category: classify the ticket (product, logistics, service)", "category")
    before = ticket.state
    ticket.state = target
    if target in states.ANSWERED and ticket.first_response_at is None:
        ticket.first_response_at = at
    if target == State.RESOLVED:
        ticket.resolved_at = at
    if target == State.CLOSED:
        ticket.closed_at = at
    if target == State.REOPENED:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
    ticket.save()
    _event(ticket, Action.STATE, by=by, at=at, before=before, after=target, note=note)
    sla.refresh_ticket(ticket, at)
    if target == State.RESOLVED:  # CSAT after resolution: the satisfaction link (csat.py)
        csat.request_for(ticket, at)
    return ticket


@transaction.atomic
def classify(ticket_id: int, category: str, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    """Set the category; a received ticket becomes classified."""
    at = _now(at)
    ticket = _locked(ticket_id)
    _choice(category, Category, "category")
    if not category:
        raise TicketError("category: choose product, logistics or service", "category")
    before = ticket.category
    ticket.category = category
    if ticket.state == State.RECEIVED:
        ticket.state = State.CLASSIFIED
        _event(ticket, Action.STATE, by=by, at=at, before=State.RECEIVED, after=State.CLASSIFIED)
    ticket.save()
    _event(ticket, Action.CATEGORY, by=by, at=at, before=before, after=category)
    sla.refresh_ticket(ticket, at)
    return ticket


@transaction.atomic
def escalate(
    ticket_id: int, tier: str, reason: str, *, by: Any, at: dt.datetime | None = None
) -> Ticket:
    """Change the tier (普通 → 疑难 → 升级, or back down). Going up needs a reason; the
    ticket is routed again unless someone assigned it by hand."""
    at = _now(at)
    ticket = _locked(ticket_id)
    _choice(tier, Tier, "tier")
    if tier == ticket.tier:
        raise TicketError(f"tier: ticket #{ticket_id} is already {tier}", "tier")
    up = _TIER_ORDER.index(Tier(tier)) > _TIER_ORDER.index(Tier(ticket.tier))
    if up and not reason.strip():
        raise TicketError("reason: say why the ticket is escalated", "reason")
    before = ticket.tier
    ticket.tier = tier
    if reason.strip():
        ticket.escalation_reason = reason.strip()
    manually_assigned = ticket.events.filter(action=Action.ASSIGN).exists()
    if not manually_assigned:
        _route(ticket, by=by, at=at)
    ticket.save()
    _event(ticket, Action.TIER, by=by, at=at, before=before, after=tier, note=reason.strip())
    sla.refresh_ticket(ticket, at)
    return ticket


@transaction.atomic
def assign(
    ticket_id: int,
    *,
    by: Any,
    agent: Agent | None = None,
    team: str | None = None,
    department: Department | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """The manual override of routing: any of agent, team, department (None = unchanged)."""
    at = _now(at)
    ticket = _locked(ticket_id)
    before = ticket.assignee.agent_id if ticket.assignee else ""
    if agent is not None:
        ticket.assignee = agent
        if agent.team and team is None:
            ticket.team = agent.team
    if team is not None:
        ticket.team = team
    if department is not None:
        ticket.department = department
    ticket.save()
    after = ticket.assignee.agent_id if ticket.assignee else ""
    where = " / ".join(p for p in (str(ticket.department or ""), ticket.team) if p)
    _event(ticket, Action.ASSIGN, by=by, at=at, before=before, after=after, note=where)
    sla.refresh_ticket(ticket, at)
    return ticket


def bulk_assign(ticket_ids: Iterable[int], *, agent: Agent, by: Any) -> int:
    """Assign many tickets to one agent; each is its own change (and event)."""
    count = 0
    for ticket_id in ticket_ids:
        assign(ticket_id, by=by, agent=agent)
        count += 1
    return count


@transaction.atomic
def claim(ticket_id: int, agent: Agent, *, by: Any, at: dt.datetime | None = None) -> Ticket:
    """An agent takes an unassigned ticket. The row lock makes two agents claiming at once
    queue up: the first wins, the second finds it taken and gets ``AlreadyClaimedError``."""
    at = _now(at)
    ticket = _locked(ticket_id)
    if ticket.assignee_id is not None and ticket.assignee_id != agent.pk:
        taken_by = ticket.assignee.agent_id if ticket.assignee else "?"
        raise AlreadyClaimedError(
            f"ticket #{ticket_id} was already taken by {taken_by}", "assignee"
        )
    if ticket.assignee_id == agent.pk:
        return ticket
    ticket.assignee = agent
    if agent.team and not ticket.team:
        ticket.team = agent.team
    ticket.save()
    _event(ticket, Action.ASSIGN, by=by, at=at, after=agent.agent_id, note="claim")
    sla.refresh_ticket(ticket, at)
    return ticket


@transaction.atomic
def add_note(
    ticket_id: int, note: str, *, by: Any, reply: bool = False, at: dt.datetime | None = None
) -> Ticket:
    """An internal note, or (``reply=True``) a reply given to the customer — the first
    reply is the first response."""
    at = _now(at)
    ticket = _locked(ticket_id)
    if not note.strip():
        raise TicketError("note: write something", "note")
    if reply and ticket.first_response_at is None:
        ticket.first_response_at = at
        ticket.save()
    _event(ticket, Action.REPLY if reply else Action.NOTE, by=by, at=at, note=note.strip())
    sla.refresh_ticket(ticket, at)
    return ticket


def order_found(order_id: str, platform: str = "") -> dict[str, Any] | None:
    """The lake's order ``order_id`` (on ``platform`` when given) as a dict, or None."""
    from guanxi.servicedesk.selectors import order_lookup

    return order_lookup(order_id, platform)


def attachment_max_bytes() -> int:
    from django.conf import settings

    return int(settings.GUANXI_TICKET_ATTACHMENT_MAX_BYTES)


@transaction.atomic
def add_attachment(
    ticket_id: int,
    *,
    name: str,
    content: bytes,
    content_type: str = "",
    by: Any,
    at: dt.datetime | None = None,
) -> Attachment:
    """Keep a file on the ticket, sealed with the field cipher (a parcel label's photo
    holds an address). Too large or empty → ``TicketError`` and nothing is saved."""
    import base64

    from guanxi.core.crypto import cipher

    at = _now(at)
    limit = attachment_max_bytes()
    if not content:
        raise TicketError("attachment: the file is empty", "attachment")
    if len(content) > limit:
        raise TicketError(
            f"attachment: {name} is {len(content):,} bytes; files up to {limit:,} bytes "
            f"({limit / 1024 / 1024:.0f} MB) are accepted — send a smaller or compressed file",
            "attachment",
        )
    ticket = _locked(ticket_id)
    sealed = cipher().encrypt(base64.b64encode(content).decode()).encode()
    attachment = Attachment.objects.create(
        ticket=ticket,
        name=(name or "attachment")[:200],
        content_type=content_type[:100],
        size=len(content),
        content=sealed,
        uploaded_at=at,
        uploaded_by=by if getattr(by, "pk", None) else None,
    )
    _event(ticket, Action.EDIT, by=by, at=at, after="attachment", note=attachment.name)
    return attachment


def attachment_content(attachment: Attachment) -> bytes:
    """The plain bytes of an attachment (for a download by a user who may see the ticket)."""
    import base64

    from guanxi.core.crypto import cipher

    return base64.b64decode(cipher().decrypt(bytes(attachment.content).decode()))


@transaction.atomic
def erase_customer_text(customer_keys: Iterable[str]) -> int:
    """The privacy erasure's part of the service desk: every free text of the customers'
    tickets (subject, description, escalation reason, notes, attachments, mail) is wiped;
    the ticket numbers, states, times and tiers stay, so the figures keep counting them.
    Returns how many tickets were wiped."""
    from guanxi.servicedesk.models import CsatRequest, MailMessage

    keys = [k for k in customer_keys if k]
    tickets = Ticket.objects.filter(customer_key__in=keys)
    ids = list(tickets.values_list("pk", flat=True))
    if not ids:
        return 0
    # Encrypted fields are written one row at a time (the field seals each value).
    for ticket in Ticket.objects.filter(pk__in=ids):
        ticket.subject = "—"
        ticket.description = ""
        ticket.escalation_reason = ""
        ticket.save(update_fields=["subject", "description", "escalation_reason"])
    for event in TicketEvent.objects.filter(ticket_id__in=ids):
        event.note = ""
        event.save(update_fields=["note"])
    Attachment.objects.filter(ticket_id__in=ids).delete()
    for mail in MailMessage.objects.filter(ticket_id__in=ids):
        mail.address = mail.subject = mail.body = ""
        mail.save(update_fields=["address", "subject", "body"])
    for answer in CsatRequest.objects.filter(ticket_id__in=ids):
        answer.comment = ""
        answer.save(update_fields=["comment"])
    return len(ids)
