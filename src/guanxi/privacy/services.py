"""Writes for PIPL requests: open and close a request, correct a field with history, erase a
customer, record consent. Audit entries name fields and whose, never the values."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from guanxi import lake
from guanxi.core import pii
from guanxi.core.audit import audit_record
from guanxi.core.business_calendar import day_kind
from guanxi.core.errors import UserInputError
from guanxi.customers import services as customer_services
from guanxi.customers.models import PERSONAL_FIELDS, Customer, Gender, PlatformIdentity
from guanxi.imports import derived
from guanxi.performance import figure_cache
from guanxi.privacy.models import (
    Consent,
    ConsentPurpose,
    FieldCorrection,
    PrivacyRequest,
    RequestKind,
    RequestStatus,
)
from guanxi.privacy.selectors import customer_keys, customer_tables

WORKING_DAYS = 15  # PIPL answers are due within 15 working days (GB/T 35273 §8.7)

# Free text a customer wrote (or that quotes them) is emptied when they are erased.
FREE_TEXT = {"chat_messages": ("text",), "reviews": ("text",), "refunds": ("reason",)}
CORRECTABLE = PERSONAL_FIELDS
# Audit action names (at most 16 characters): the privacy requests' own kinds of entry.
AUDIT_OPEN = "pipl_open"
AUDIT_ACCESS = "pipl_access"
AUDIT_CORRECT = "pipl_correct"
AUDIT_ERASE = "pipl_erase"
AUDIT_CONSENT = "pipl_consent"


def due_date(received: dt.date) -> dt.date:
    """The 15th working day after ``received`` (Chinese calendar: holidays off, 调休 days on;
    Monday–Friday for years the calendar does not know yet)."""
    day, counted = received, 0
    while counted < WORKING_DAYS:
        day += dt.timedelta(days=1)
        if day_kind(day).working:
            counted += 1
    return day


def _actor_name(actor: User | None, by: str) -> str:
    return actor.get_username() if actor is not None else by


def request_open(
    *,
    kind: str,
    customer: Customer,
    received_on: dt.date,
    actor: User | None = None,
    by: str = "",
) -> PrivacyRequest:
    if kind not in RequestKind.values:
        raise UserInputError(
            f"request type {kind!r} is unknown; use one of {', '.join(RequestKind.values)}"
        )
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            kind=kind,
            customer=customer,
            received_on=received_on,
            due_on=due_date(received_on),
            opened_by=_actor_name(actor, by),
        )
        audit_record(
            actor=actor,
            actor_name=by,
            action=AUDIT_OPEN,
            fields=kind,
            subject=f"{customer.customer_key} request #{request.pk}",
        )
    return request


def request_close(
    *, request: PrivacyRequest, outcome: str, actor: User | None = None, by: str = ""
) -> PrivacyRequest:
    request.status = RequestStatus.DONE
    request.handled_by = _actor_name(actor, by)
    request.done_at = timezone.now()
    request.outcome = outcome[:300]
    request.save()
    return request


def access_recorded(
    *, customer: Customer, row_count: int, file_format: str, actor: User | None = None, by: str = ""
) -> None:
    """Audit one access export (the values themselves are never logged)."""
    audit_record(
        actor=actor,
        actor_name=by,
        action=AUDIT_ACCESS,
        fields=f"all ({file_format})",
        subject=customer.customer_key,
        row_count=row_count,
    )


def _normalised(field: str, value: str) -> str:
    value = value.strip()
    try:
        if field == "mobile" and value:
            return pii.normalise_mobile(value)
        if field == "email" and value:
            return pii.normalise_email(value)
    except pii.InvalidContactError as exc:
        raise UserInputError(f"{field}: {exc}") from exc
    if field == "birth_date" and value:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise UserInputError(
                f"birth_date: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 1990-05-17"
            ) from None
    if field == "gender" and value not in Gender.values:
        raise UserInputError(
            f"gender: {value!r} is not one of {', '.join(v or '(blank)' for v in Gender.values)}"
        )
    return value


def field_correct(
    *,
    customer: Customer,
    field: str,
    value: str,
    request: PrivacyRequest | None = None,
    actor: User | None = None,
    by: str = "",
) -> FieldCorrection:
    """Correct one field of the master (PIPL Art. 46), keeping the value before and after
    (encrypted) and re-computing the field's blind index."""
    if field not in CORRECTABLE:
        raise UserInputError(
            f"field {field!r} cannot be corrected; correctable: {', '.join(CORRECTABLE)}"
        )
    new = _normalised(field, value)
    old = getattr(customer, field) or ""
    if new == old:
        raise UserInputError(f"{field}: the new value is the same as the stored one")
    setattr(customer, field, new)
    updated = [field, "updated_at"]
    if field == "name":
        customer.name_index = customer_services.name_index(new)
        updated.append("name_index")
    elif field == "mobile":
        customer.mobile_index = customer_services.mobile_index(new)
        customer.mobile_tail_index = customer_services.mobile_tail_index(new)
        updated += ["mobile_index", "mobile_tail_index"]
    elif field == "email":
        customer.email_index = customer_services.email_index(new)
        updated.append("email_index")
    with transaction.atomic():
        customer.save(update_fields=updated)
        correction = FieldCorrection.objects.create(
            customer=customer,
            request=request,
            field=field,
            old_value=old,
            new_value=new,
            corrected_by=_actor_name(actor, by),
        )
        audit_record(
            actor=actor,
            actor_name=by,
            action=AUDIT_CORRECT,
            fields=field,
            subject=customer.customer_key,
        )
    return correction


@dataclass(frozen=True)
class Erasure:
    customers: int  # master records deleted (the customer and duplicates merged into it)
    identities: int
    lake_rows: dict[str, int]  # per lake table, rows unlinked
    files_purged: int

    def describe(self) -> str:
        rows = sum(self.lake_rows.values())
        return (
            f"erased {self.customers} master record(s), {self.identities} account(s); "
            f"unlinked {rows} lake row(s); purged {self.files_purged} old file(s)"
        )


def customer_erase(
    *,
    customer: Customer,
    request: PrivacyRequest | None = None,
    actor: User | None = None,
    by: str = "",
) -> Erasure:
    """Erase a customer (PIPL Art. 47).

    The lake first: every row of the customer (and of duplicates merged into them) gets one
    random tombstone key, so figures keep counting them as one customer who is nobody; their
    free text is emptied; old files and commits are purged. Then the master records, their
    accounts, corrections and consents are deleted and the erasure is audited without the
    erased key or values. A failure in the lake leaves the master in place, so running the
    erasure again finishes it.
    """
    keys = customer_keys(customer)
    tombstone = "erased-" + secrets.token_hex(8)
    shop = lake.get()
    unlinked: dict[str, int] = {}
    purged = 0
    for name in customer_tables():
        unlinked[name] = sum(
            shop.unlink_customer(name, key, tombstone, FREE_TEXT.get(name, ())) for key in keys
        )
    # The derived tables (sessions, attribution …) hold the key too: refresh them from the
    # unlinked rows (while the raw tables' history still shows what changed), then forget
    # every older version of both.
    derived.refresh()
    for name in customer_tables():
        if unlinked[name]:
            purged += shop.purge_history(name)
    purged += shop.derived.purge_history()
    figure_cache.clear()  # its entries may name the erased customers' keys
    from guanxi.customers import timeline  # (pyarrow: not at start-up of `privacy --help`)

    timeline.clear()  # so may the profile's timeline index of earlier lake states
    people = Customer.objects.filter(customer_key__in=keys)
    with transaction.atomic():
        identities = PlatformIdentity.objects.filter(customer__in=people).count()
        count = people.count()
        if request is not None:
            request.customer = None
            request.save(update_fields=["customer"])
        # The service desk keeps the customers' tickets (numbers, states, times count in
        # its figures) but wipes every free text they hold: subject, notes, mail, files.
        from guanxi.servicedesk.services import erase_customer_text

        erase_customer_text(keys)
        # Surveys likewise keep the scores and wipe the words (satisfaction.privacy).
        from guanxi.satisfaction import privacy as satisfaction

        satisfaction.erase_customer_text(keys)
        # Duplicates first: they point at the survivor (merged_into).
        people.exclude(pk=customer.pk).delete()
        Customer.objects.filter(pk=customer.pk).delete()
        erasure = Erasure(count, identities, unlinked, purged)
        audit_record(
            actor=actor,
            actor_name=by,
            action=AUDIT_ERASE,
            fields="master,identities,lake,free_text",
            subject=f"request #{request.pk}" if request is not None else "erased customer",
            row_count=count + identities + sum(unlinked.values()),
        )
        if request is not None:
            request_close(request=request, outcome=erasure.describe(), actor=actor, by=by)
    return erasure


def consent_record(
    *,
    customer: Customer,
    granted: bool,
    source: str,
    purpose: str = ConsentPurpose.MARKETING,
    at: dt.datetime | None = None,
    actor: User | None = None,
    by: str = "",
) -> Consent:
    """Add an entry to the consent register; the newest entry per purpose holds."""
    if purpose not in ConsentPurpose.values:
        raise UserInputError(
            f"purpose {purpose!r} is unknown; use one of {', '.join(ConsentPurpose.values)}"
        )
    if not source.strip():
        raise UserInputError("source: say where the consent was given, e.g. 下单页勾选 or 客服电话")
    with transaction.atomic():
        consent = Consent.objects.create(
            customer=customer,
            purpose=purpose,
            granted=granted,
            source=source.strip()[:60],
            at=at or timezone.now(),
            recorded_by=_actor_name(actor, by),
        )
        audit_record(
            actor=actor,
            actor_name=by,
            action=AUDIT_CONSENT,
            fields=f"{purpose}:{'granted' if granted else 'withdrawn'}",
            subject=customer.customer_key,
        )
    return consent
