"""Customer satisfaction after resolution (CSAT, 满意度回访; SPEC §6, seed 000 项目三 任务四).

Two ways in: a signed link the customer opens without logging in (single use, expires after
``GUANXI_CSAT_DAYS`` days), or an agent typing in what the customer said on a follow-up
call. Either way one rating 1–5 with a comment per ticket, a ``TicketEvent(action="csat")``,
and a resolved ticket moves on to "feedback given".

The link's token is ``django.core.signing`` over the request's random nonce (salted for this
purpose), so a token cannot be forged or guessed, and altering one character makes it
invalid. Expiry and single use are checked against the row, not the token: the row is the
truth (an agent may see when a link was made and whether it was used).

``csat_summary`` gives the reports their figures: per agent, team and tier the answers, the
mean rating and the share of 4–5 ratings (the CSAT %).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from guanxi.core.errors import UserInputError
from guanxi.servicedesk import states
from guanxi.servicedesk.models import CsatRequest, State, Ticket, TicketEvent

SALT = "guanxi.servicedesk.csat"
COMMENT_LENGTH = 1000
SATISFIED = 4  # a rating of 4 or 5 counts as satisfied (the usual CSAT definition)


class CsatError(UserInputError):
    """A link that cannot be answered, or a rating that cannot be taken. ``code`` is one of
    tampered, expired, used, rating, comment, state; ``field`` names the input at fault."""

    def __init__(self, message: str, code: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def link_days() -> int:
    return int(getattr(settings, "GUANXI_CSAT_DAYS", 7))


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def token_for(request: CsatRequest) -> str:
    return signing.dumps(request.nonce, salt=SALT)


def path_for(request: CsatRequest) -> str:
    """The public page of the link (relative; the view makes it absolute)."""
    return reverse("servicedesk:csat_answer", args=[token_for(request)])


def open_request(ticket: Ticket, at: dt.datetime | None = None) -> CsatRequest | None:
    """The ticket's link that can still be answered, if any."""
    return (
        ticket.csat.filter(
            source=CsatRequest.Source.LINK, answered_at__isnull=True, expires_at__gt=_now(at)
        )
        .order_by("-created_at")
        .first()
    )


def answered(ticket: Ticket) -> CsatRequest | None:
    return ticket.csat.filter(answered_at__isnull=False).order_by("-answered_at").first()


def request_for(ticket: Ticket, now: dt.datetime | None = None) -> CsatRequest | None:
    """The CSAT link of a resolved ticket: the open one if there is one, else a new one;
    ``None`` once the ticket has a rating (one rating per ticket) or while it is not
    finished. Call it when a ticket is resolved; the panel calls it again on demand (a
    fresh link after the first one expired)."""
    now = _now(now)
    if ticket.state not in states.FINISHED or answered(ticket) is not None:
        return None
    current = open_request(ticket, now)
    if current is not None:
        return current
    return CsatRequest.objects.create(
        ticket=ticket,
        source=CsatRequest.Source.LINK,
        nonce=secrets.token_hex(16),
        created_at=now,
        expires_at=now + dt.timedelta(days=link_days()),
    )


def request_of_token(token: str, at: dt.datetime | None = None) -> CsatRequest:
    """The request a public link names, or ``CsatError`` saying why it cannot be answered."""
    try:
        nonce = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise CsatError(
            "this link is not valid (it was altered or cut short)", "tampered"
        ) from None
    request = CsatRequest.objects.select_related("ticket").filter(nonce=nonce).first()
    if request is None or request.source != CsatRequest.Source.LINK:
        raise CsatError("this link is not valid (it was altered or cut short)", "tampered")
    _check_open(request, _now(at))
    return request


def _check_open(request: CsatRequest, at: dt.datetime) -> None:
    if request.answered_at is not None:
        raise CsatError("this link was already used: thank you for your answer", "used")
    if request.expires_at <= at:
        raise CsatError(f"this link expired on {request.expires_at:%Y-%m-%d}", "expired")
    other = request.ticket.csat.filter(answered_at__isnull=False).exclude(pk=request.pk)
    if other.exists():
        raise CsatError("this ticket was already rated", "used")


def clean_rating(rating: Any, comment: Any) -> tuple[int, str]:
    """A rating 1–5 and a comment of at most ``COMMENT_LENGTH`` characters."""
    try:
        value = int(str(rating).strip())
    except ValueError:
        raise CsatError("rating: choose a score from 1 to 5", "rating", "rating") from None
    if not 1 <= value <= 5:
        raise CsatError(f"rating: {value} is not a score from 1 to 5", "rating", "rating")
    text = str(comment or "").strip()
    if len(text) > COMMENT_LENGTH:
        raise CsatError(
            f"comment: {len(text)} characters; keep it to {COMMENT_LENGTH}", "comment", "comment"
        )
    return value, text


def _record(request: CsatRequest, rating: int, comment: str, by: Any, at: dt.datetime) -> None:
    """Store the answer, keep it in the ticket's history and move resolved → feedback."""
    request.rating = rating
    request.comment = comment
    request.answered_at = at
    request.save()
    TicketEvent.objects.create(
        ticket=request.ticket,
        at=at,
        by=by if getattr(by, "pk", None) else None,
        action=TicketEvent.Action.CSAT,
        from_value=request.source,
        to_value=str(rating),
        note=comment,
    )
    if request.ticket.state == State.RESOLVED:
        # Imported here: services imports this module (its resolve hook calls request_for).
        from guanxi.servicedesk import services

        services.transition(request.ticket_id, State.FEEDBACK, by=by, at=at, note="CSAT")


@transaction.atomic
def answer(token: str, rating: Any, comment: Any, at: dt.datetime | None = None) -> CsatRequest:
    """The customer's answer through the link. The row is locked, so a double submit (two
    tabs) records one answer and refuses the other as used."""
    at = _now(at)
    value, text = clean_rating(rating, comment)
    found = request_of_token(token, at)
    request = CsatRequest.objects.select_for_update().select_related("ticket").get(pk=found.pk)
    _check_open(request, at)
    _record(request, value, text, None, at)
    return request


@transaction.atomic
def enter_from_call(
    ticket_id: int, rating: Any, comment: Any, *, by: Any, at: dt.datetime | None = None
) -> CsatRequest:
    """An agent's entry of the rating a customer gave on the phone (source=agent)."""
    at = _now(at)
    value, text = clean_rating(rating, comment)
    try:
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    except Ticket.DoesNotExist:
        raise CsatError(f"ticket #{ticket_id} does not exist", "state", "ticket") from None
    if ticket.state not in states.FINISHED:
        raise CsatError(
            f"state: ticket #{ticket_id} is {ticket.state}; a rating is taken after it is resolved",
            "state",
            "state",
        )
    if answered(ticket) is not None:
        raise CsatError(f"rating: ticket #{ticket_id} was already rated", "used", "rating")
    request = CsatRequest.objects.create(
        ticket=ticket,
        source=CsatRequest.Source.AGENT,
        nonce=secrets.token_hex(16),
        created_at=at,
        expires_at=at,
        entered_by=by if getattr(by, "pk", None) else None,
    )
    _record(request, value, text, by, at)
    # The customer answered: an open link of the same ticket can no longer be used.
    ticket.csat.filter(source=CsatRequest.Source.LINK, answered_at__isnull=True).update(
        expires_at=at
    )
    return request


@dataclass(frozen=True)
class CsatRow:
    """One line of the CSAT figures: ``dimension`` is agent, team, tier or all."""

    dimension: str
    key: str
    label: str
    asked: int  # links made plus entries from calls
    answered: int
    mean: float | None  # mean rating, two decimals
    satisfied: int  # ratings of 4 or 5
    csat_pct: float | None  # satisfied / answered × 100, one decimal

    @property
    def response_pct(self) -> float | None:
        return round(100 * self.answered / self.asked, 1) if self.asked else None


_GROUPS = (
    ("agent", "ticket__assignee__agent_id", "ticket__assignee__name"),
    ("team", "ticket__team", "ticket__team"),
    ("tier", "ticket__tier", "ticket__tier"),
)


def _row(dimension: str, key: str, label: str, values: dict[str, Any]) -> CsatRow:
    answered_count = values["answered"]
    mean = values["mean"]
    return CsatRow(
        dimension=dimension,
        key=key,
        label=label,
        asked=values["asked"],
        answered=answered_count,
        mean=round(float(mean), 2) if mean is not None else None,
        satisfied=values["satisfied"],
        csat_pct=round(100 * values["satisfied"] / answered_count, 1) if answered_count else None,
    )


def csat_summary(tickets: QuerySet[Ticket]) -> list[CsatRow]:
    """CSAT of ``tickets`` (any queryset, e.g. ``visible_tickets(user)`` filtered to a
    period): one row for all, then one per agent, team and tier (those with no request left
    out; an unassigned ticket counts under agent "" and a ticket without team under team "").
    Each ticket has at most one answer, so ``answered`` counts tickets."""
    requests = CsatRequest.objects.filter(ticket__in=tickets.values("pk"))
    measures = {
        "asked": Count("pk"),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "mean": Avg("rating", filter=Q(answered_at__isnull=False)),
        "satisfied": Count("pk", filter=Q(answered_at__isnull=False, rating__gte=SATISFIED)),
    }
    rows = []
    total = requests.aggregate(**measures)
    if total["asked"]:
        rows.append(_row("all", "", "", total))
    for dimension, key_field, label_field in _GROUPS:
        grouped = requests.values(key_field, label_field).annotate(**measures).order_by(key_field)
        for values in grouped:
            key = values[key_field] or ""
            rows.append(_row(dimension, key, values[label_field] or "", values))
    return rows


def rows_of(rows: Iterable[CsatRow], dimension: str) -> list[CsatRow]:
    return [row for row in rows if row.dimension == dimension]
