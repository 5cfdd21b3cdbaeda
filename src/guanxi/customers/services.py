"""Writes to the customer master. Personal values are normalised, indexed and encrypted here."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from guanxi.core import crypto, pii
from guanxi.core.errors import UserInputError
from guanxi.customers.models import Customer, CustomerClass, PlatformIdentity, Tag


@dataclass
class CustomerRecord:
    """Plain personal data for one customer, before encryption."""

    name: str = ""
    gender: str = ""
    birth_date: dt.date | None = None
    mobile: str = ""
    email: str = ""
    address: str = ""
    province: str = ""
    city: str = ""
    notes: str = ""
    customer_class: str = CustomerClass.ORDINARY
    tags: Sequence[str] = ()
    identities: Sequence[tuple[str, str]] = ()  # (platform, buyer id)
    customer_key: str = field(default_factory=lambda: new_customer_key())


def new_customer_key() -> str:
    return "c" + secrets.token_hex(8)


def name_index(name: str) -> str:
    return crypto.cipher().blind_index("name:" + name.strip()) if name.strip() else ""


def mobile_index(mobile: str) -> str:
    return crypto.cipher().blind_index("mobile:" + mobile) if mobile else ""


def mobile_tail_index(mobile: str) -> str:
    """Index of the last four digits ("尾号1234"), the way agents usually ask."""
    return crypto.cipher().blind_index("mobile-tail:" + mobile[-4:]) if mobile else ""


def email_index(email: str) -> str:
    return crypto.cipher().blind_index("email:" + email) if email else ""


def buyer_index(platform: str, buyer_id: str) -> str:
    return crypto.cipher().blind_index(f"buyer:{platform}:{buyer_id.strip()}")


def _build(record: CustomerRecord) -> Customer:
    try:
        mobile = pii.normalise_mobile(record.mobile) if record.mobile else ""
        email = pii.normalise_email(record.email) if record.email else ""
    except pii.InvalidContactError as exc:
        raise UserInputError(f"customer {record.customer_key}: {exc}") from exc
    return Customer(
        customer_key=record.customer_key,
        name=record.name.strip(),
        name_index=name_index(record.name),
        gender=record.gender,
        birth_date=record.birth_date.isoformat() if record.birth_date else "",
        mobile=mobile,
        mobile_index=mobile_index(mobile),
        mobile_tail_index=mobile_tail_index(mobile),
        email=email,
        email_index=email_index(email),
        address=record.address.strip(),
        province=record.province,
        city=record.city,
        notes=record.notes,
        customer_class=record.customer_class,
    )


@transaction.atomic
def customers_bulk_create(records: Iterable[CustomerRecord], *, batch_size: int = 2000) -> int:
    """Insert many customers with their identities and tags in one transaction."""
    records = list(records)
    customers = [_build(r) for r in records]
    Customer.objects.bulk_create(customers, batch_size=batch_size)
    by_key = dict(
        Customer.objects.filter(customer_key__in=[r.customer_key for r in records]).values_list(
            "customer_key", "id"
        )
    )
    identities = [
        PlatformIdentity(
            customer_id=by_key[r.customer_key],
            platform=platform,
            buyer_id=buyer_id,
            buyer_id_index=buyer_index(platform, buyer_id),
        )
        for r in records
        for platform, buyer_id in r.identities
    ]
    PlatformIdentity.objects.bulk_create(identities, batch_size=batch_size)
    tag_names = sorted({t for r in records for t in r.tags})
    if tag_names:
        Tag.objects.bulk_create([Tag(name=n) for n in tag_names], ignore_conflicts=True)
        tag_ids = dict(Tag.objects.filter(name__in=tag_names).values_list("name", "id"))
        through = Customer.tags.through
        through.objects.bulk_create(
            [
                through(customer_id=by_key[r.customer_key], tag_id=tag_ids[t])
                for r in records
                for t in r.tags
            ],
            batch_size=batch_size,
        )
    return len(customers)


def customer_create(record: CustomerRecord) -> Customer:
    customers_bulk_create([record])
    return Customer.objects.get(customer_key=record.customer_key)
