"""``/api/servicedesk/…``: tickets — list (the queue's filters), detail with history,
create, move, assign, claim, note. The same rules as the pages: a ticket outside the
user's ``selectors.visible_tickets`` is a 404 (an agent sees only their own and their
team's), a refused change a 422 naming the field. Free text is masked unless the user may
reveal personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from guanxi.accounts.models import Agent
from guanxi.ingest.pii import KnownValues
from guanxi.servicedesk import presenters, selectors, services
from guanxi.servicedesk.models import Department, Ticket

router = Router(tags=["servicedesk"])
MAX_PAGE_SIZE = 200


class RefusedOut(Schema):
    """A refused change: ``field`` names the input at fault."""

    detail: str
    field: str


class TicketOut(Schema):
    id: int
    kind: str
    channel: str
    category: str
    tier: str
    state: str
    subject: str
    customer_key: str
    platform: str
    order_id: str
    chat_session_id: str
    product_id: str
    department: str
    team: str
    assignee: str
    sla_state: str
    created_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int


class EventOut(Schema):
    at: dt.datetime
    by: str
    action: str
    from_value: str
    to_value: str
    note: str


class TicketDetailOut(TicketOut):
    description: str
    escalation_reason: str
    moves: list[str]
    history: list[EventOut]


class TicketPage(Schema):
    count: int
    page: int
    pages: int
    tickets: list[TicketOut]


class TicketIn(Schema):
    kind: str
    channel: str
    subject: str
    description: str = ""
    customer_key: str = ""
    platform: str = ""
    order_id: str = ""
    chat_session_id: str = ""
    product_id: str = ""
    category: str = ""
    tier: str = "ordinary"


class MoveIn(Schema):
    state: str
    note: str = ""


class AssignIn(Schema):
    agent: str = ""
    team: str | None = None
    department: str = ""


class NoteIn(Schema):
    note: str
    reply: bool = False


class Filters(Schema):
    scope: str = "all"
    state: str = ""
    tier: str = ""
    category: str = ""
    kind: str = ""
    channel: str = ""
    department: str = ""
    team: str = ""
    agent: str = ""
    sla_state: str = ""
    status: str = ""
    number: str = ""
    page: int = 1
    page_size: int = 50


def _refused(exc: services.TicketError) -> Status:
    return Status(422, {"detail": str(exc), "field": exc.field})


def _visible(request: HttpRequest, ticket_id: int) -> Ticket:
    if not request.user.has_perm("servicedesk.view_ticket"):
        raise HttpError(403, "needs the permission to view tickets")
    ticket = selectors.may_see(request.user, ticket_id)
    if ticket is None:
        raise HttpError(404, f"no ticket #{ticket_id} in your queues")
    return ticket


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(f"servicedesk.{perm}"):
        raise HttpError(403, f"needs servicedesk.{perm}")


def _known(request: HttpRequest, keys: list[str]) -> dict[str, KnownValues] | None:
    return None if presenters.may_reveal(request.user) else presenters.known_for(keys)


def _texts(texts: list[str], known: dict[str, KnownValues] | None, key: str) -> list[str]:
    return presenters.masked(texts, None if known is None else known.get(key, KnownValues()))


def _out(ticket: Ticket, subject: str) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "kind": ticket.kind,
        "channel": ticket.channel,
        "category": ticket.category,
        "tier": ticket.tier,
        "state": ticket.state,
        "subject": subject,
        "customer_key": ticket.customer_key,
        "platform": ticket.platform,
        "order_id": ticket.order_id,
        "chat_session_id": ticket.chat_session_id,
        "product_id": ticket.product_id,
        "department": ticket.department.name if ticket.department else "",
        "team": ticket.team,
        "assignee": ticket.assignee.agent_id if ticket.assignee else "",
        "sla_state": ticket.sla_state,
        "created_at": ticket.created_at,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
        "reopen_count": ticket.reopen_count,
    }


def _detail(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    ticket = Ticket.objects.select_related("assignee", "department").get(pk=ticket.pk)
    known = _known(request, [ticket.customer_key])
    events = list(ticket.events.select_related("by"))
    texts = _texts(
        [ticket.subject, ticket.description, ticket.escalation_reason, *[e.note for e in events]],
        known,
        ticket.customer_key,
    )
    return _out(ticket, texts[0]) | {
        "description": texts[1],
        "escalation_reason": texts[2],
        "moves": [value for value, _label in presenters.moves(ticket)],
        "history": [
            {
                "at": e.at,
                "by": e.by.get_username() if e.by else "",
                "action": e.action,
                "from_value": e.from_value,
                "to_value": e.to_value,
                "note": note,
            }
            for e, note in zip(events, texts[3:], strict=True)
        ],
    }


@router.get("/tickets", response=TicketPage)
def ticket_list(request: HttpRequest, filters: Query[Filters]) -> dict[str, Any]:
    """Tickets the user may see (``scope`` mine | team | unassigned | all), newest first."""
    if not request.user.has_perm("servicedesk.view_ticket"):
        raise HttpError(403, "needs the permission to view tickets")
    values = filters.dict()
    page_no, size = values.pop("page"), min(max(values.pop("page_size"), 1), MAX_PAGE_SIZE)
    if values["scope"] not in selectors.SCOPES:
        raise HttpError(422, f"scope: one of {', '.join(selectors.SCOPES)}")
    tickets = selectors.queue(request.user, selectors.QueueFilters(**values))
    page = Paginator(tickets, size).get_page(page_no)
    rows = list(page.object_list)
    known = _known(request, [t.customer_key for t in rows])
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "tickets": [_out(t, _texts([t.subject], known, t.customer_key)[0]) for t in rows],
    }


@router.get("/tickets/{ticket_id}", response=TicketDetailOut)
def ticket_detail(request: HttpRequest, ticket_id: int) -> dict[str, Any]:
    return _detail(request, _visible(request, ticket_id))


Answer = Status
CHANGED = {200: TicketDetailOut, 422: RefusedOut}


@router.post("/tickets", response={201: TicketDetailOut, 422: RefusedOut})
def ticket_create(request: HttpRequest, body: TicketIn) -> Answer:
    _need(request, "add_ticket")
    try:
        ticket = services.create_ticket(by=request.user, **body.dict())
    except services.TicketError as exc:
        return _refused(exc)
    return Status(201, _detail(request, ticket))


def _change(request: HttpRequest, ticket_id: int, change: Any) -> Answer:
    _need(request, "change_ticket")
    ticket = _visible(request, ticket_id)
    try:
        change(ticket)
    except services.TicketError as exc:
        return _refused(exc)
    return Status(200, _detail(request, ticket))


@router.post("/tickets/{ticket_id}/move", response=CHANGED)
def ticket_move(request: HttpRequest, ticket_id: int, body: MoveIn) -> Answer:
    return _change(
        request,
        ticket_id,
        lambda t: services.transition(t.pk, body.state, by=request.user, note=body.note),
    )


@router.post("/tickets/{ticket_id}/assign", response=CHANGED)
def ticket_assign(request: HttpRequest, ticket_id: int, body: AssignIn) -> Answer:
    _need(request, "assign_ticket")

    def assign(ticket: Ticket) -> None:
        agent = Agent.objects.filter(agent_id=body.agent).first() if body.agent else None
        if body.agent and agent is None:
            raise services.TicketError(f"agent: no agent {body.agent!r}", "agent")
        department = None
        if body.department:
            department = Department.objects.filter(name=body.department).first()
            if department is None:
                raise services.TicketError(
                    f"department: no department {body.department!r}", "department"
                )
        if agent is None and department is None and body.team is None:
            raise services.TicketError("agent: give an agent, a team or a department", "agent")
        services.assign(
            ticket.pk, by=request.user, agent=agent, team=body.team, department=department
        )

    return _change(request, ticket_id, assign)


@router.post("/tickets/{ticket_id}/claim", response=CHANGED)
def ticket_claim(request: HttpRequest, ticket_id: int) -> Answer:
    def claim(ticket: Ticket) -> None:
        agent = selectors.agent_of(request.user)
        if agent is None:
            raise services.TicketError("assignee: this login is linked to no agent", "assignee")
        services.claim(ticket.pk, agent, by=request.user)

    return _change(request, ticket_id, claim)


@router.post("/tickets/{ticket_id}/note", response=CHANGED)
def ticket_note(request: HttpRequest, ticket_id: int, body: NoteIn) -> Answer:
    return _change(
        request,
        ticket_id,
        lambda t: services.add_note(t.pk, body.note, by=request.user, reply=body.reply),
    )
