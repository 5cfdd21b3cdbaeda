"""Writes to the customer master. Personal values are normalised, indexed and encrypted here."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

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


def _row(record: CustomerRecord, now: Any) -> tuple[Any, ...]:
    """The database row of ``record`` in CUSTOMER_COLUMNS order: normalised, indexed,
    personal values encrypted."""
    try:
        mobile = pii.normalise_mobile(record.mobile) if record.mobile else ""
        email = pii.normalise_email(record.email) if record.email else ""
    except pii.InvalidContactError as exc:
        raise UserInputError(f"customer {record.customer_key}: {exc}") from exc
    name = record.name.strip()
    birth = record.birth_date.isoformat() if record.birth_date else ""
    return (
        record.customer_key,
        _sealed(name),
        name_index(name),
        record.gender,
        _sealed(birth),
        _sealed(mobile),
        mobile_index(mobile),
        mobile_tail_index(mobile),
        _sealed(email),
        email_index(email),
        _sealed(record.address.strip()),
        record.province,
        record.city,
        _sealed(record.notes),
        record.customer_class,
        now,
        now,
    )


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT ``rows`` with one ``executemany``.

    Imports create customers by the hundred thousand; Django's ``bulk_create`` spends ~0.4 ms
    per row compiling SQL, ten times the cost of the insert itself. Values arrive ready for
    the database (already encrypted), so one statement with placeholders is enough.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _sealed(value: str) -> str:
    return crypto.cipher().encrypt(value) if value else ""


CUSTOMER_COLUMNS = [
    "customer_key", "name", "name_index", "gender", "birth_date", "mobile", "mobile_index",
    "mobile_tail_index", "email", "email_index", "address", "province", "city", "notes",
    "customer_class", "created_at", "updated_at",
]  # fmt: skip


@transaction.atomic
def customers_bulk_create(records: Iterable[CustomerRecord], *, batch_size: int = 2000) -> int:
    """Insert many customers with their identities and tags in one transaction."""
    records = list(records)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [_row(record, now) for record in records]
    _insert(Customer, CUSTOMER_COLUMNS, rows)
    by_key: dict[str, int] = {}
    keys = [r.customer_key for r in records]
    for start in range(0, len(keys), batch_size):
        by_key.update(
            Customer.objects.filter(customer_key__in=keys[start : start + batch_size]).values_list(
                "customer_key", "id"
            )
        )
    _insert(
        PlatformIdentity,
        ["customer_id", "platform", "buyer_id", "buyer_id_index"],
        [
            (by_key[r.customer_key], platform, _sealed(buyer_id), buyer_index(platform, buyer_id))
            for r in records
            for platform, buyer_id in r.identities
        ],
    )
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
    return len(records)


def customer_create(record: CustomerRecord) -> Customer:
    customers_bulk_create([record])
    return Customer.objects.get(customer_key=record.customer_key)


def tags_add(customer: Customer, names: Sequence[str]) -> None:
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    customer.tags.add(*Tag.objects.filter(name__in=names))
