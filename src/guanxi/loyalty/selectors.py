"""Reads of the points ledger: the shop's rules, a customer's balance, entries and the lots
with points left (what expires when)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Coalesce

from guanxi.customers.models import Customer
from guanxi.loyalty.models import PointsAccount, PointsEntry, PointsSettings
from guanxi.loyalty.rules import PointsRules


def points_rules() -> PointsRules:
    """The shop's saved points rules, or the defaults while nobody has saved any."""
    row = PointsSettings.objects.filter(pk=1).first()
    if row is None:
        return PointsRules()
    return PointsRules(points_per_yuan=row.points_per_yuan, expiry_months=row.expiry_months)


def balance(customer: Customer) -> int:
    """The sum of the customer's ledger entries (0 without any); never negative."""
    total = PointsEntry.objects.filter(customer=customer).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    return int(total)


def ledger(customer: Customer) -> QuerySet[PointsEntry]:
    """The customer's entries in the order they were written."""
    return PointsEntry.objects.filter(customer=customer).order_by("id")


@dataclass(frozen=True)
class OpenLot:
    """Points earned (or added by hand) that are neither spent nor expired yet."""

    entry_id: int
    kind: str
    platform: str
    order_id: str
    earned_at: dt.datetime
    expires_at: dt.datetime | None
    points: int
    remaining: int


def open_lots(customer: Customer) -> list[OpenLot]:
    """The customer's lots with points left, oldest first (the order they are spent in)."""
    rows = (
        PointsEntry.objects.filter(customer=customer, earned_at__isnull=False)
        .annotate(used=Coalesce(Sum("used_by__points"), 0))
        .filter(points__gt=F("used"))
        .order_by("earned_at", "id")
    )
    return [
        OpenLot(
            entry_id=e.pk,
            kind=e.kind,
            platform=e.platform,
            order_id=e.order_id,
            earned_at=e.earned_at,
            expires_at=e.expires_at,
            points=e.points,
            remaining=e.points - e.used,
        )
        for e in rows
        if e.earned_at is not None
    ]


@dataclass(frozen=True)
class LedgerCheck:
    """The ledger's invariant for one customer: these three agree and are ≥ 0."""

    entries: int  # Σ entries
    lots: int  # Σ remaining points of the open lots
    account: int  # the balance row

    @property
    def consistent(self) -> bool:
        return self.entries == self.lots == self.account >= 0


def ledger_check(customer: Customer) -> LedgerCheck:
    account = PointsAccount.objects.filter(customer=customer).first()
    return LedgerCheck(
        entries=balance(customer),
        lots=sum(lot.remaining for lot in open_lots(customer)),
        account=account.balance if account is not None else 0,
    )
