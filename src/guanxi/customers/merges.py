"""Merging duplicate customers (SPEC §1 cleaning), keeping history, and undoing merges.

Certain duplicates — the same normalised mobile or email on two records — are merged
automatically (after every import, or from the merge page). Uncertain look-alikes — the same
name in the same city with different phones — are only proposed; a person decides.

A merge keeps the older record (the survivor): the duplicate's platform identities and tags
move to it, its personal fields fill the survivor's blanks (never overwrite), and its facts
in the lake are re-keyed to the survivor's ``customer_key``. The duplicate stays in the
database marked ``merged_into``, and the ``CustomerMerge`` row records exactly what moved,
so an undo moves exactly that back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from guanxi import lake
from guanxi.core.errors import UserInputError
from guanxi.customers import services
from guanxi.customers.models import (
    PERSONAL_FIELDS,
    Customer,
    CustomerMerge,
    MergeDismissal,
    PlatformIdentity,
)

# Lake tables with a customer_key column (facts that follow the customer).
FACT_TABLES = ("orders", "refunds", "chat_messages", "dsr_ratings", "reviews")
FILLABLE = PERSONAL_FIELDS
INDEXES = {
    "name": ("name_index",),
    "mobile": ("mobile_index", "mobile_tail_index"),
    "email": ("email_index",),
}


class MergeError(UserInputError):
    pass


def active() -> Q:
    return Q(merged_into__isnull=True)


def _index_values(customer: Customer, field: str) -> dict[str, bytes]:
    value = getattr(customer, field)
    if field == "name":
        return {"name_index": services.name_index(value)}
    if field == "mobile":
        return {
            "mobile_index": services.mobile_index(value),
            "mobile_tail_index": services.mobile_tail_index(value),
        }
    if field == "email":
        return {"email_index": services.email_index(value)}
    return {}


@transaction.atomic
def merge(
    survivor: Customer, duplicate: Customer, *, reason: str, by: str = "", automatic: bool = False
) -> CustomerMerge:
    if survivor.pk == duplicate.pk:
        raise MergeError("a customer cannot be merged into itself")
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise MergeError(
            f"{duplicate.customer_key} or {survivor.customer_key} was already merged; "
            "undo that merge first"
        )
    filled = [f for f in FILLABLE if getattr(duplicate, f) and not getattr(survivor, f)]
    for f in filled:
        setattr(survivor, f, getattr(duplicate, f))
        for column, value in _index_values(survivor, f).items():
            setattr(survivor, column, value)
    moved_identities = list(duplicate.identities.values_list("id", flat=True))
    PlatformIdentity.objects.filter(id__in=moved_identities).update(customer=survivor)
    have = set(survivor.tags.values_list("id", flat=True))
    added_tags = [t for t in duplicate.tags.values_list("id", flat=True) if t not in have]
    survivor.tags.add(*added_tags)
    survivor.save()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into"])
    shop = lake.get()
    moved_rows = {}
    for table in FACT_TABLES:
        rows = shop.rekey(table, duplicate.customer_key, survivor.customer_key)
        if rows:
            moved_rows[table] = [_jsonable(r) for r in rows]
    if moved_rows:
        _derived_follow()
    return CustomerMerge.objects.create(
        survivor=survivor,
        merged=duplicate,
        reason=reason,
        automatic=automatic,
        merged_by=by,
        moved_identities=moved_identities,
        filled_fields=filled,
        added_tags=added_tags,
        lake_rows=moved_rows,
    )


def _derived_follow() -> None:
    """Refresh the lake's derived tables once the merge is committed (their sessions and
    attributed orders carry the customer keys just moved)."""
    from guanxi.imports import derived  # imports resolves customers: a late import

    transaction.on_commit(derived.request_refresh)


def _jsonable(row: dict[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@transaction.atomic
def undo(record: CustomerMerge) -> CustomerMerge:
    if record.undone_at is not None:
        raise MergeError(f"merge #{record.pk} was already undone")
    blocking = (
        CustomerMerge.objects.filter(undone_at__isnull=True, pk__gt=record.pk)
        .filter(Q(survivor=record.merged) | Q(merged=record.survivor))
        .first()
    )
    if blocking is not None:
        raise MergeError(
            f"merge #{record.pk} cannot be undone while a later merge involving the same "
            f"customers stands (#{blocking.pk}); undo that first"
        )
    survivor, duplicate = record.survivor, record.merged
    PlatformIdentity.objects.filter(id__in=record.moved_identities).update(customer=duplicate)
    survivor.tags.remove(*record.added_tags)
    for f in record.filled_fields:
        setattr(survivor, f, "")
        for column in INDEXES.get(f, ()):
            setattr(survivor, column, b"")
    survivor.save()
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into"])
    shop = lake.get()
    for table, rows in record.lake_rows.items():
        shop.rekey(table, survivor.customer_key, duplicate.customer_key, only=rows)
    if record.lake_rows:
        _derived_follow()
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    return record


def merge_certain(*, by: str = "") -> list[CustomerMerge]:
    """Merge every group of active customers sharing a mobile or an email (certain)."""
    done = []
    for column, reason in (("mobile_index", "same_mobile"), ("email_index", "same_email")):
        dupes = (
            Customer.objects.filter(active())
            .exclude(**{column: b""})
            .values(column)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        for group in dupes:
            members = list(
                Customer.objects.filter(active(), **{column: group[column]}).order_by("id")
            )
            survivor = members[0]
            for duplicate in members[1:]:
                done.append(merge(survivor, duplicate, reason=reason, by=by, automatic=True))
    return done


@dataclass(frozen=True)
class Proposal:
    """Two active customers who look like one person, for a human to judge."""

    first: Customer
    second: Customer
    reason: str  # same_name_city


def proposals(limit: int = 100) -> list[Proposal]:
    """Same full name (blind index) and same city, different phones: maybe one person."""
    groups = (
        Customer.objects.filter(active())
        .exclude(name_index=b"")
        .exclude(city="")
        .values("name_index", "city")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    dismissed = set(MergeDismissal.objects.values_list("first_id", "second_id"))
    found: list[Proposal] = []
    by_group: dict[tuple[bytes, str], list[Customer]] = defaultdict(list)
    keys = [(g["name_index"], g["city"]) for g in groups[: limit * 2]]
    if not keys:
        return []
    query = Q()
    for name_index, city in keys:
        query |= Q(name_index=name_index, city=city)
    for customer in Customer.objects.filter(active()).filter(query).order_by("id"):
        by_group[(bytes(customer.name_index), customer.city)].append(customer)
    for members in by_group.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if (first.pk, second.pk) in dismissed:
                    continue
                if first.mobile_index and first.mobile_index == second.mobile_index:
                    continue  # certain: merge_certain handles it
                found.append(Proposal(first, second, "same_name_city"))
                if len(found) >= limit:
                    return found
    return found


def dismiss(first: Customer, second: Customer, *, by: str = "") -> None:
    low, high = sorted((first, second), key=lambda c: c.pk)
    MergeDismissal.objects.get_or_create(first=low, second=high, defaults={"dismissed_by": by})
