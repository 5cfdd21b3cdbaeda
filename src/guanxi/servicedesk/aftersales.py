"""After-sales cases (售后单) on a ticket: who may act, saving a case with the calculator's
decision, the lake's facts about its order (signed time, refunds) and linking imported
refunds to their case.

Every change of a case adds a ``TicketEvent(action="after_sales")`` in the same
transaction, so the ticket's history says who changed what and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import UserInputError
from guanxi.ingest.pii import mask_patterns
from guanxi.servicedesk import returns
from guanxi.servicedesk.models import AfterSalesCase, State, Ticket, TicketEvent

CHANGE_TICKET = "servicedesk.change_ticket"


class AfterSalesError(UserInputError):
    """A case that cannot be saved; ``field`` names the form field at fault."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


# -- who may act ---------------------------------------------------------------------------


def ticket_actionable(user: Any, ticket: Ticket) -> bool:
    """May ``user`` edit this ticket's case? ``servicedesk.change_ticket`` and the ticket in
    their sight (``selectors.visible_tickets``, the one rule of who sees which ticket)."""
    from guanxi.servicedesk.selectors import visible_tickets

    return user.has_perm(CHANGE_TICKET) and visible_tickets(user).filter(pk=ticket.pk).exists()


# -- saving a case -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseInput:
    case_kind: str
    reason: str
    signed_at: dt.datetime
    requested_at: dt.datetime
    conditions: tuple[str, ...] = ()
    amount: Decimal | None = None
    refund_id: str = ""


def case_decide(data: CaseInput) -> returns.ReturnDecision:
    """The calculator on a case's input, in the shop's time zone (``settings.TIME_ZONE``)."""
    return returns.return_decide(
        signed_at=data.signed_at,
        requested_at=data.requested_at,
        reason=data.reason,
        conditions=data.conditions,
        case_kind=data.case_kind,
        time_zone=settings.TIME_ZONE,
    )


def _summary(case: AfterSalesCase | None) -> str:
    """``return/no-reason/eligible`` — the event's from/to value (64 characters at most)."""
    if case is None or not case.decision:
        return ""
    verdict = "eligible" if case.decision.get("eligible") else "refused"
    return f"{case.case_kind}/{case.reason}/{verdict}"[:64]


FIELDS = ("case_kind", "reason", "signed_at", "requested_at", "conditions", "amount", "refund_id")


def case_save(*, ticket: Ticket, data: CaseInput, by: Any) -> AfterSalesCase:
    """Create or edit the ticket's case, take the decision and record the change.

    A closed ticket is not edited (reopen it first); bad input raises ``AfterSalesError``
    naming the field, and nothing is written.
    """
    if ticket.state == State.CLOSED:
        raise AfterSalesError("ticket", _("工单已关闭，重开后才能修改售后单。"))
    if data.amount is not None and data.amount < 0:
        raise AfterSalesError("amount", _("金额不能为负数。"))
    try:
        decision = case_decide(data)
    except returns.ReturnsInputError as exc:
        if exc.field == "requested":
            raise AfterSalesError(
                "requested_at", _("申请时间早于签收时间：请检查两个时间（申请应在签收之后）。")
            ) from exc
        raise AfterSalesError(exc.field, exc.detail) from exc
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.state == State.CLOSED:
            raise AfterSalesError("ticket", _("工单已关闭，重开后才能修改售后单。"))
        case = AfterSalesCase.objects.filter(ticket=locked).first()
        before = _summary(case)
        changed: list[str] = []
        if case is None:
            case = AfterSalesCase(ticket=locked)
            changed = ["created"]
        values: dict[str, Any] = {
            "case_kind": data.case_kind,
            "reason": data.reason,
            "signed_at": data.signed_at,
            "requested_at": data.requested_at,
            "conditions": list(data.conditions),
            "amount": data.amount,
            "refund_id": data.refund_id.strip(),
        }
        for name in FIELDS:
            if getattr(case, name) != values[name]:
                setattr(case, name, values[name])
                if changed != ["created"]:
                    changed.append(name)
        case.decision = decision.as_stored()
        case.save()
        if changed:
            TicketEvent.objects.create(
                ticket=locked,
                at=timezone.now(),
                by=by if getattr(by, "is_authenticated", False) else None,
                action=TicketEvent.Action.AFTER_SALES,
                from_value=before,
                to_value=_summary(case),
                note=", ".join(changed),
            )
    return case


# -- the lake: the order's signed time and refunds -------------------------------------------


@dataclass(frozen=True)
class RefundRow:
    refund_id: str
    order_id: str
    kind: str
    status: str
    amount: Decimal
    requested_at: dt.datetime
    reason: str  # masked: free text can hold a phone or an address


def _store() -> Any:
    from guanxi import lake

    return lake.get()


def order_signed_at(order_id: str, platform: str = "") -> dt.datetime | None:
    """When the lake's order was signed for (``orders.signed_at``), or None."""
    if not order_id:
        return None
    store = _store()
    if not store.exists("orders"):
        return None
    orders = store.table("orders")
    hit = orders.filter(orders.order_id == order_id)
    if platform:
        hit = hit.filter(hit.platform == platform)
    rows = store.arrow(hit.select("signed_at").limit(1)).to_pylist()
    return rows[0]["signed_at"] if rows else None


def order_refunds(order_ids: Iterable[str], platform: str = "") -> list[RefundRow]:
    """The lake's refunds of these orders, newest request first."""
    wanted = sorted({o for o in order_ids if o})
    if not wanted:
        return []
    store = _store()
    if not store.exists("refunds"):
        return []
    refunds = store.table("refunds")
    hit = refunds.filter(refunds.order_id.isin(wanted))
    if platform:
        hit = hit.filter(hit.platform == platform)
    columns = hit.select(
        "refund_id", "order_id", "kind", "status", "amount", "requested_at", "reason"
    ).order_by([hit.requested_at.desc(), hit.refund_id])
    return [
        RefundRow(
            refund_id=row["refund_id"],
            order_id=row["order_id"],
            kind=row["kind"],
            status=row["status"],
            amount=row["amount"],
            requested_at=row["requested_at"],
            reason=mask_patterns(row["reason"] or ""),
        )
        for row in store.arrow(columns).to_pylist()
    ]


def link_refunds(*, order_ids: Iterable[str] | None = None) -> int:
    """Set ``refund_id`` on the cases whose ticket's order got a refund in the lake (the
    newest refund of the order); cases that already name a refund keep it. Returns how many
    cases were linked. ``order_ids`` narrows the look-up to an import's orders.

    Call after each import of refunds; running it twice links nothing more.
    """
    cases = AfterSalesCase.objects.filter(refund_id="").exclude(ticket__order_id="")
    if order_ids is not None:
        cases = cases.filter(ticket__order_id__in=list(order_ids))
    pending = list(cases.select_related("ticket"))
    if not pending:
        return 0
    newest: dict[str, RefundRow] = {}
    for row in order_refunds(c.ticket.order_id for c in pending):
        newest.setdefault(row.order_id, row)  # newest first
    linked = 0
    now = timezone.now()
    for case in pending:
        refund = newest.get(case.ticket.order_id)
        if refund is None:  # no refund of this order (yet)
            continue
        with transaction.atomic():
            updated = AfterSalesCase.objects.filter(pk=case.pk, refund_id="").update(
                refund_id=refund.refund_id
            )
            if updated:
                TicketEvent.objects.create(
                    ticket=case.ticket,
                    at=now,
                    by=None,
                    action=TicketEvent.Action.AFTER_SALES,
                    from_value="",
                    to_value=f"refund:{refund.refund_id}"[:64],
                    note="refund linked from the import",
                )
                linked += 1
    return linked
