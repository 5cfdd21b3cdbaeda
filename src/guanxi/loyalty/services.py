"""Writes to the points ledger: earn for paid orders, claw back for refunds, redeem, adjust,
expire, and the shop's points rules.

Every write locks the balance rows (``PointsAccount``) of the customers it touches, in
customer order, before it reads their lots, so two writers for one customer take turns on
PostgreSQL (``SELECT … FOR UPDATE``) and SQLite (one writer at a time). A debit then also
lowers the balance with a conditional ``UPDATE … WHERE balance >= n``, and the database
refuses a negative balance: a redemption cannot overdraw even if the lock were missing.

Spending (a redemption or a negative adjustment) uses the oldest points first: lots by
earning date, then by entry. Points past their expiry date are expired before any debit, so
a redemption never spends points that have lapsed but were not yet swept by ``expire``.

A refund takes back what its order earned, at most once (see ``claw_back_refunds``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from guanxi.core.audit import audit_record
from guanxi.core.errors import UserInputError
from guanxi.customers.models import Customer
from guanxi.loyalty.models import (
    EntryKind,
    PointsAccount,
    PointsAllocation,
    PointsEntry,
    PointsSettings,
)
from guanxi.loyalty.orders import PaidOrder, RefundedOrder
from guanxi.loyalty.rules import PointsRules
from guanxi.loyalty.selectors import points_rules

AUDIT_REDEEM = "points_redeem"
AUDIT_ADJUST = "points_adjust"
SYSTEM = "system"
REASON_LENGTH = 200
# Refunds seen before their order earned: the clawback is recorded with 0 points, and the
# order then never earns (whatever order the imports come in).
REFUNDED_BEFORE_EARNING = "refunded before it earned"


class PointsError(UserInputError):
    """A points operation cannot be done; the message names the argument at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.detail = message


class InsufficientPointsError(PointsError):
    """A debit larger than the customer's balance (nothing was written)."""


@dataclass
class EarnReport:
    orders: int = 0  # orders that earned now
    points: int = 0
    already_earned: int = 0
    refunded_first: int = 0  # refunded before they earned: never earn
    unpaid: int = 0
    zero_points: int = 0  # paid too little for a whole point
    no_customer: int = 0  # no customer_key, or one the master does not know (erased)

    def describe(self) -> str:
        return (
            f"{self.orders} order(s) earned {self.points} point(s); "
            f"{self.already_earned} had earned before, {self.refunded_first} refunded first, "
            f"{self.unpaid} unpaid, {self.zero_points} under one point, "
            f"{self.no_customer} without a known customer"
        )


@dataclass
class ClawbackReport:
    orders: int = 0  # orders whose points were taken back now
    points: int = 0  # points taken back
    shortfall: int = 0  # points those orders had earned that were already spent
    already: int = 0  # clawed back before
    before_earning: int = 0  # refunded before they earned: marked, never earn
    not_clawing: int = 0  # refunds still processing, closed, or exchanges
    no_customer: int = 0

    def describe(self) -> str:
        return (
            f"{self.orders} refunded order(s) gave back {self.points} point(s) "
            f"({self.shortfall} already spent); {self.already} clawed back before, "
            f"{self.before_earning} refunded before earning, {self.not_clawing} not a "
            f"completed refund, {self.no_customer} without a known customer"
        )


@dataclass
class ExpireReport:
    customers: int = 0
    points: int = 0

    def describe(self) -> str:
        return f"{self.points} point(s) of {self.customers} customer(s) expired"


def _actor_name(actor: User | None, by: str) -> str:
    if actor is not None:
        return actor.get_username()
    return by or SYSTEM


def _now(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise PointsError("at", f"{at} has no time zone; give an aware time")
    if at > timezone.now():
        raise PointsError("at", f"{at.isoformat()} is in the future")
    return at


def _whole_points(points: object) -> int:
    if isinstance(points, bool) or not isinstance(points, int):
        raise PointsError("points", f"{points!r} is not a whole number of points")
    return points


def _accounts_locked(customer_ids: Iterable[int]) -> dict[int, PointsAccount]:
    """The balance rows of these customers (created at 0 when missing), locked in customer
    order so that two writers never wait on each other crosswise."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    PointsAccount.objects.bulk_create(
        [PointsAccount(customer_id=i) for i in ids], ignore_conflicts=True
    )
    locked = PointsAccount.objects.select_for_update().filter(customer_id__in=ids)
    return {a.customer_id: a for a in locked.order_by("customer_id")}


@dataclass
class _Lot:
    entry_id: int
    customer_id: int
    remaining: int


def _open_lots(customer_ids: Sequence[int], *, lapsed_by: dt.datetime | None = None) -> list[_Lot]:
    """The customers' lots with points left, oldest first (by earning date, then entry);
    only those lapsed by ``lapsed_by`` when given. Read under the balance rows' lock."""
    lots = PointsEntry.objects.filter(customer_id__in=customer_ids, earned_at__isnull=False)
    if lapsed_by is not None:
        lots = lots.filter(expires_at__lte=lapsed_by)
    rows = (
        lots.annotate(used=Coalesce(Sum("used_by__points"), 0))
        .filter(points__gt=F("used"))
        .order_by("customer_id", "earned_at", "id")
        .values_list("id", "customer_id", "points", "used")
    )
    return [_Lot(i, c, points - used) for i, c, points, used in rows]


def _take(debit: PointsEntry, lots: Iterable[_Lot], points: int) -> list[PointsAllocation]:
    """Allocations of up to ``points`` from ``lots`` in the order given."""
    allocations: list[PointsAllocation] = []
    left = points
    for lot in lots:
        if left == 0:
            break
        used = min(lot.remaining, left)
        if used:
            allocations.append(PointsAllocation(debit=debit, lot_id=lot.entry_id, points=used))
            lot.remaining -= used
            left -= used
    return allocations


def _lower_balance(account: PointsAccount, points: int) -> None:
    """``balance -= points`` only while the balance covers it (the last guard)."""
    if points == 0:
        return
    lowered = PointsAccount.objects.filter(pk=account.pk, balance__gte=points).update(
        balance=F("balance") - points
    )
    if lowered != 1:  # another writer got there first (no lock held?): say what is left
        left = PointsAccount.objects.get(pk=account.pk).balance
        raise InsufficientPointsError("points", f"{points} is more than the balance of {left}")
    account.balance -= points


def _shift_balances(deltas: dict[int, int]) -> None:
    """``balance += delta`` per customer, in one statement run for all (their rows are
    locked; Django's ``bulk_update`` is an order of magnitude slower here). The CHECK
    constraint still refuses a negative balance."""
    rows = [(delta, customer_id) for customer_id, delta in deltas.items() if delta]
    if not rows:
        return
    table = connection.ops.quote_name(PointsAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET balance = balance + %s WHERE customer_id = %s", rows
        )


def _expire_locked(accounts: dict[int, PointsAccount], as_of: dt.datetime, by: str) -> ExpireReport:
    """Expire the lapsed lots of these (locked) customers: one entry per customer."""
    report = ExpireReport()
    by_customer: dict[int, list[_Lot]] = defaultdict(list)
    for lot in _open_lots(list(accounts), lapsed_by=as_of):
        by_customer[lot.customer_id].append(lot)
    if not by_customer:
        return report
    entries = PointsEntry.objects.bulk_create(
        [
            PointsEntry(
                customer_id=customer_id,
                kind=EntryKind.EXPIRE,
                points=-sum(lot.remaining for lot in lots),
                reason=f"lapsed by {as_of.isoformat()}",
                actor_name=by,
                created_at=as_of,
            )
            for customer_id, lots in by_customer.items()
        ]
    )
    allocations: list[PointsAllocation] = []
    deltas: dict[int, int] = {}
    for entry in entries:
        lots = by_customer[entry.customer_id]
        allocations += _take(entry, lots, -entry.points)
        account = accounts[entry.customer_id]
        if account.balance + entry.points < 0:  # never: the lots are part of the balance
            raise InsufficientPointsError(
                "points", f"{-entry.points} is more than the balance of {account.balance}"
            )
        account.balance += entry.points
        deltas[entry.customer_id] = entry.points
        report.customers += 1
        report.points += -entry.points
    _shift_balances(deltas)
    PointsAllocation.objects.bulk_create(allocations)
    return report


def expire(
    as_of: dt.datetime | None = None, *, by: str = SYSTEM, batch_size: int = 500
) -> ExpireReport:
    """Expire every lot whose expiry date is at or before ``as_of`` (default now), oldest
    first; what was spent of a lot does not expire. Running it again expires nothing more.
    ``as_of`` may not be in the future: points do not lapse ahead of their date."""
    if as_of is not None and as_of > timezone.now():
        raise PointsError("as_of", f"{as_of.isoformat()} is in the future")
    moment = _now(as_of)
    lapsed = (
        PointsEntry.objects.filter(earned_at__isnull=False, expires_at__lte=moment)
        .annotate(used=Coalesce(Sum("used_by__points"), 0))
        .filter(points__gt=F("used"))
        .values_list("customer_id", flat=True)
    )
    customer_ids = sorted(set(lapsed))
    report = ExpireReport()
    for chunk in itertools.batched(customer_ids, batch_size):
        with transaction.atomic():
            done = _expire_locked(_accounts_locked(chunk), moment, by)
        report.customers += done.customers
        report.points += done.points
    return report


def _customer_ids(keys: Iterable[str]) -> dict[str, int]:
    """customer_key → the customer who holds it now (a merged record's survivor)."""
    found = Customer.objects.filter(customer_key__in=set(keys)).values_list(
        "customer_key", "id", "merged_into_id"
    )
    return {key: survivor or pk for key, pk, survivor in found}


def earn_for_orders(
    orders: Iterable[PaidOrder],
    *,
    rules: PointsRules | None = None,
    by: str = SYSTEM,
    batch_size: int = 2000,
) -> EarnReport:
    """Earn points for paid orders: ⌊paid amount × rate⌋ each, earned at the payment time,
    expiring ``expiry_months`` later. Idempotent: an order that earned before, or that was
    refunded before it earned, earns nothing (re-importing the same orders changes nothing).
    Orders without a known customer are counted and skipped."""
    rules = rules or points_rules()
    report = EarnReport()
    for chunk in itertools.batched(orders, batch_size):
        with transaction.atomic():
            _earn_chunk(chunk, rules, by, report)
    return report


def _earn_chunk(
    chunk: Sequence[PaidOrder], rules: PointsRules, by: str, report: EarnReport
) -> None:
    earning: dict[tuple[str, str], tuple[PaidOrder, int]] = {}
    for order in chunk:
        if order.paid_at is None:
            report.unpaid += 1
            continue
        points = rules.points_for(Decimal(order.amount))
        if points == 0:
            report.zero_points += 1
        elif not order.customer_key:
            report.no_customer += 1
        elif (order.platform, order.order_id) in earning:
            report.already_earned += 1  # the same order twice in one batch
        else:
            earning[order.platform, order.order_id] = (order, points)
    ids = _customer_ids(o.customer_key for o, _ in earning.values() if o.customer_key)
    _accounts_locked(ids.values())  # held to the end: a racing import waits, then sees ours
    recorded = set(
        PointsEntry.objects.filter(
            kind__in=[EntryKind.EARN, EntryKind.CLAWBACK],
            order_id__in={order_id for _, order_id in earning},
        ).values_list("platform", "order_id", "kind")
    )
    time_zone = settings.TIME_ZONE
    entries: list[PointsEntry] = []
    deltas: dict[int, int] = {}
    for (platform, order_id), (order, points) in earning.items():
        customer_id = ids.get(order.customer_key or "")
        if customer_id is None:
            report.no_customer += 1
        elif (platform, order_id, EntryKind.EARN) in recorded:
            report.already_earned += 1
        elif (platform, order_id, EntryKind.CLAWBACK) in recorded:
            report.refunded_first += 1
        else:
            assert order.paid_at is not None
            entries.append(
                PointsEntry(
                    customer_id=customer_id,
                    kind=EntryKind.EARN,
                    points=points,
                    platform=platform,
                    order_id=order_id,
                    earned_at=order.paid_at,
                    expires_at=rules.expires_at(order.paid_at, time_zone),
                    actor_name=by,
                )
            )
            deltas[customer_id] = deltas.get(customer_id, 0) + points
            report.orders += 1
            report.points += points
    PointsEntry.objects.bulk_create(entries)
    _shift_balances(deltas)


def claw_back_refunds(
    refunds: Iterable[RefundedOrder], *, by: str = SYSTEM, batch_size: int = 500
) -> ClawbackReport:
    """Take back the points of refunded orders, at most once per order, never below 0.

    A successful refund of money (``refund_only`` or ``return_refund``; not an exchange,
    nor a refund still processing or closed) takes back everything its order earned, a
    partial refund too, less what of it had already expired. The order's own points go
    first, then the customer's oldest; when the customer has spent them and has too few
    left, the clawback takes what there is and records the rest as its ``shortfall`` (the
    balance never goes below 0; the shop decides about the shortfall). A refund seen
    before its order earned records a clawback of 0, and the order then never earns."""
    report = ClawbackReport()
    for chunk in itertools.batched(refunds, batch_size):
        with transaction.atomic():
            _claw_back_chunk(chunk, by, report)
    return report


def _claw_back_chunk(chunk: Sequence[RefundedOrder], by: str, report: ClawbackReport) -> None:
    refunded: dict[tuple[str, str], RefundedOrder] = {}
    for refund in chunk:
        if not refund.claws_back:
            report.not_clawing += 1
        elif (refund.platform, refund.order_id) in refunded:
            report.already += 1  # a second refund of the same order
        else:
            refunded[refund.platform, refund.order_id] = refund
    order_ids = {order_id for _, order_id in refunded}
    earnings = PointsEntry.objects.filter(kind=EntryKind.EARN, order_id__in=order_ids)
    ids = _customer_ids(r.customer_key for r in refunded.values() if r.customer_key)
    accounts = _accounts_locked([*earnings.values_list("customer_id", flat=True), *ids.values()])
    # Read again under the lock: an import may have earned for these orders meanwhile.
    earned = {
        (e.platform, e.order_id): e for e in earnings.all() if (e.platform, e.order_id) in refunded
    }
    clawed = set(
        PointsEntry.objects.filter(kind=EntryKind.CLAWBACK, order_id__in=order_ids).values_list(
            "platform", "order_id"
        )
    )
    for key, refund in refunded.items():
        if key in clawed:
            report.already += 1
            continue
        earning = earned.get(key)
        if earning is None:
            customer_id = ids.get(refund.customer_key or "")
            if customer_id is None:
                report.no_customer += 1
                continue
            PointsEntry.objects.create(
                customer_id=customer_id,
                kind=EntryKind.CLAWBACK,
                points=0,
                platform=refund.platform,
                order_id=refund.order_id,
                reason=REFUNDED_BEFORE_EARNING,
                actor_name=by,
                created_at=refund.refunded_at,
            )
            report.before_earning += 1
            continue
        account = accounts.get(earning.customer_id)
        if account is None:  # earned meanwhile by a customer the refund does not name
            account = _accounts_locked([earning.customer_id])[earning.customer_id]
        _claw_back_order(earning, refund, account, by, report)


def _claw_back_order(
    earning: PointsEntry,
    refund: RefundedOrder,
    account: PointsAccount,
    by: str,
    report: ClawbackReport,
) -> None:
    expired = PointsAllocation.objects.filter(lot=earning, debit__kind=EntryKind.EXPIRE).aggregate(
        n=Coalesce(Sum("points"), 0)
    )["n"]
    owed = earning.points - expired
    lots = _open_lots([earning.customer_id])
    # The order's own points first, then the oldest of the others.
    lots.sort(key=lambda lot: lot.entry_id != earning.pk)
    taken = min(owed, sum(lot.remaining for lot in lots))
    entry = PointsEntry.objects.create(
        customer_id=earning.customer_id,
        kind=EntryKind.CLAWBACK,
        points=-taken,
        platform=earning.platform,
        order_id=earning.order_id,
        shortfall=owed - taken,
        actor_name=by,
        created_at=refund.refunded_at,
    )
    PointsAllocation.objects.bulk_create(_take(entry, lots, taken))
    _lower_balance(account, taken)
    report.orders += 1
    report.points += taken
    report.shortfall += owed - taken


def _debit(
    *,
    customer: Customer,
    points: int,
    kind: EntryKind,
    reason: str,
    actor: User | None,
    by: str,
    at: dt.datetime,
) -> PointsEntry:
    """A redemption or negative adjustment of ``points`` (> 0), oldest points first,
    audited in the same transaction.

    The customer's lapsed points expire first, in a transaction of their own: they have
    lapsed whether or not the debit then goes through."""
    name = _actor_name(actor, by)
    with transaction.atomic():
        _expire_locked(_accounts_locked([customer.pk]), at, name)
    with transaction.atomic():
        account = _accounts_locked([customer.pk])[customer.pk]
        _expire_locked({customer.pk: account}, at, name)  # lapsed since: normally nothing
        if points > account.balance:
            most = "" if account.balance == 0 else f"; give at most {account.balance}"
            raise InsufficientPointsError(
                "points", f"{points} is more than the balance of {account.balance}{most}"
            )
        entry = PointsEntry.objects.create(
            customer=customer,
            kind=kind,
            points=-points,
            reason=reason,
            actor=actor,
            actor_name=name,
            created_at=at,
        )
        allocations = _take(entry, _open_lots([customer.pk]), points)
        assert sum(a.points for a in allocations) == points, "lots and balance disagree"
        PointsAllocation.objects.bulk_create(allocations)
        _lower_balance(account, points)
        audit_record(
            actor=actor,
            actor_name=name,
            action=AUDIT_REDEEM if kind == EntryKind.REDEEM else AUDIT_ADJUST,
            fields=f"points -{points}",
            subject=customer.customer_key,
        )
    return entry


def redeem(
    customer: Customer,
    points: int,
    actor: User | None = None,
    *,
    by: str = "",
    reason: str = "",
    at: dt.datetime | None = None,
) -> PointsEntry:
    """Spend ``points`` (> 0) of the customer's balance, oldest points first, audited.
    Raises ``InsufficientPointsError`` (no redemption written) when the balance is
    smaller."""
    points = _whole_points(points)
    if points <= 0:
        raise PointsError("points", f"{points} is not a positive number of points to redeem")
    return _debit(
        customer=customer,
        points=points,
        kind=EntryKind.REDEEM,
        reason=_clean_reason(reason, customer, required=False),
        actor=actor,
        by=by,
        at=_now(at),
    )


def _clean_reason(reason: object, customer: Customer, *, required: bool) -> str:
    """The reason as stored: trimmed, and masked like any free text (the customer's own
    name, phone or address, and phone/ID/e-mail patterns) — the ledger is read by staff
    without reveal permission."""
    from guanxi.customers.selectors import known_values
    from guanxi.ingest.pii import KnownValues, mask_free_text

    if not isinstance(reason, str):
        raise PointsError("reason", f"{reason!r} is not text")
    text = reason.strip()
    if required and not text:
        raise PointsError("reason", "an adjustment needs a reason (e.g. 补偿物流延误)")
    if len(text) > REASON_LENGTH:
        raise PointsError("reason", f"{len(text)} characters; keep it to {REASON_LENGTH}")
    known = known_values([customer.customer_key]).get(customer.customer_key, KnownValues())
    return mask_free_text([text], known)[0]


def adjust(
    customer: Customer,
    points: int,
    reason: str,
    actor: User | None = None,
    *,
    by: str = "",
    at: dt.datetime | None = None,
    rules: PointsRules | None = None,
) -> PointsEntry:
    """Add (``points`` > 0) or take away (< 0) points by hand, with a reason; audited.

    Points added are a lot earned now that expires like an order's; points taken away
    go oldest first and may not exceed the balance (``InsufficientPointsError``)."""
    points = _whole_points(points)
    if points == 0:
        raise PointsError("points", "0 changes nothing; give a positive or negative number")
    text = _clean_reason(reason, customer, required=True)
    moment = _now(at)
    if points < 0:
        return _debit(
            customer=customer,
            points=-points,
            kind=EntryKind.ADJUST,
            reason=text,
            actor=actor,
            by=by,
            at=moment,
        )
    rules = rules or points_rules()
    name = _actor_name(actor, by)
    with transaction.atomic():
        account = _accounts_locked([customer.pk])[customer.pk]
        entry = PointsEntry.objects.create(
            customer=customer,
            kind=EntryKind.ADJUST,
            points=points,
            earned_at=moment,
            expires_at=rules.expires_at(moment, settings.TIME_ZONE),
            reason=text,
            actor=actor,
            actor_name=name,
            created_at=moment,
        )
        PointsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + points)
        audit_record(
            actor=actor,
            actor_name=name,
            action=AUDIT_ADJUST,
            fields=f"points {points:+d}",
            subject=customer.customer_key,
        )
    return entry


@transaction.atomic
def rules_update(*, points_per_yuan: object, expiry_months: object, by: str) -> PointsRules:
    """Save the shop's points rules after checking them (``PointsRuleError`` names the
    field; nothing is saved then). Lots already earned keep their expiry date."""
    rules = PointsRules(points_per_yuan=points_per_yuan, expiry_months=expiry_months)  # type: ignore[arg-type]
    PointsSettings.objects.get_or_create(pk=1)
    row = PointsSettings.objects.select_for_update().get(pk=1)
    row.points_per_yuan = rules.points_per_yuan
    row.expiry_months = rules.expiry_months
    row.updated_by = by
    row.save()
    return rules
