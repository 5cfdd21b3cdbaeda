"""Reads for the 360° customer profile: the master, the standing row the recompute keeps
(facts, class and why, RFM, loyalty), the member-score history, the points ledger, the pins
and the change history from the app database — and one page of the timeline from the
per-customer lake index (``customers.timeline``). No raw lake table is scanned here: that
is what keeps the page fast on a large shop (docs/customers.md, profile)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from guanxi.customers import timeline
from guanxi.customers.models import ClassPin, Customer, CustomerChange, CustomerStanding
from guanxi.ingest.pii import KnownValues
from guanxi.loyalty.models import MemberScore, PointsAccount, PointsEntry

LEDGER_SHOWN = 20
CHANGES_SHOWN = 20
PINS_SHOWN = 10
SCORE_MONTHS = 24
TIMELINE_PAGE = 20


@dataclass
class Profile:
    customer: Customer
    standing: CustomerStanding | None
    pin: ClassPin | None
    pins: list[ClassPin]  # newest first, the standing one included
    scores: list[MemberScore]  # oldest first (the chart's order)
    points_balance: int
    ledger: list[PointsEntry]  # newest first
    ledger_count: int
    changes: list[CustomerChange]  # newest first
    changes_count: int
    timeline: timeline.TimelinePage


def standing_of(customer: Customer) -> CustomerStanding | None:
    return CustomerStanding.objects.filter(customer=customer).first()


def member_scores(customer: Customer, months: int = SCORE_MONTHS) -> list[MemberScore]:
    """The customer's last ``months`` monthly scores, oldest first."""
    latest = list(MemberScore.objects.filter(customer=customer).order_by("-month")[:months])
    return latest[::-1]


def points_balance(customer: Customer) -> int:
    """The balance row (kept equal to Σ entries in the transaction writing each entry; the
    ledger's own check compares them): one row read instead of summing the ledger."""
    account = PointsAccount.objects.filter(customer=customer).first()
    return account.balance if account is not None else 0


def ledger_latest(customer: Customer, limit: int = LEDGER_SHOWN) -> QuerySet[PointsEntry]:
    return PointsEntry.objects.filter(customer=customer).order_by("-id")[:limit]


def profile(customer: Customer, *, timeline_page: int = 1) -> Profile:
    pins = list(ClassPin.objects.filter(customer=customer).order_by("-pinned_at", "-id"))
    changes = CustomerChange.objects.filter(customer=customer)
    ledger = PointsEntry.objects.filter(customer=customer)
    return Profile(
        customer=customer,
        standing=standing_of(customer),
        pin=next((p for p in pins if p.removed_at is None), None),
        pins=pins[:PINS_SHOWN],
        scores=member_scores(customer),
        points_balance=points_balance(customer),
        ledger=list(ledger.select_related(None).order_by("-id")[:LEDGER_SHOWN]),
        ledger_count=ledger.count(),
        changes=list(changes.order_by("-changed_at", "-id")[:CHANGES_SHOWN]),
        changes_count=changes.count(),
        timeline=timeline.timeline_page(customer.customer_key, timeline_page, size=TIMELINE_PAGE),
    )


def known_values_of(customer: Customer) -> KnownValues:
    """``selectors.known_values`` for one customer already loaded: its values and those of
    the records merged into it, found through the ``merged_into`` foreign key (indexed).
    The general look-up's OR over a join scans the whole master on SQLite: 2 s a page on
    the large demo. Personal data: never log or store what this returns."""
    merged = list(Customer.objects.filter(merged_into=customer).prefetch_related("identities"))
    records = [customer, *merged]
    return KnownValues(
        names=tuple(r.name for r in records if r.name),
        mobiles=tuple(r.mobile for r in records if r.mobile),
        emails=tuple(r.email for r in records if r.email),
        addresses=tuple(r.address for r in records if r.address),
        accounts=tuple(i.buyer_id for r in records for i in r.identities.all()),
    )
