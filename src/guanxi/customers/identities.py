"""Tying imported rows to customers: platform buyer id → customer_key, creating when new.

Certain matches only (SPEC §1 cleaning): the same buyer id on the same platform, or the same
normalised mobile or email, is the same person. A new buyer whose phone matches an existing
customer is attached to that customer as another identity. Everything else becomes a new
customer; uncertain look-alikes (same name and city, different phone) are left for the
merge page to propose. Personal values are encrypted by the model fields as they are saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyarrow as pa
from django.db import transaction

from guanxi.core import pii
from guanxi.customers import services
from guanxi.customers.models import Customer, PlatformIdentity

CHUNK = 5000  # keys per IN (...) query: well under SQLite's limit of 32,766 variables


@dataclass(frozen=True, slots=True)
class Person:
    buyer: str
    name: str = ""
    mobile: str = ""
    email: str = ""
    address: str = ""
    gender: str = ""  # female | male | unknown | ""
    birth_date: dt.date | None = None
    province: str = ""
    city: str = ""
    tags: str = ""  # comma-separated
    notes: str = ""

    def region(self) -> tuple[str, str]:
        """Province and city as given, else read from the address."""
        if self.province or self.city:
            return self.province, self.city
        return pii.region_of(self.address)

    def tag_list(self) -> tuple[str, ...]:
        if not self.tags:
            return ()
        parts = self.tags.replace("，", ",").replace("、", ",").split(",")
        return tuple(t.strip()[:40] for t in parts if t.strip())


@dataclass(frozen=True)
class Resolution:
    keys: pa.Table  # buyer, customer_key
    created: int
    matched: int
    invalid_contacts: int  # phones/emails that could not be normalised (kept out)
    filled: int = 0  # existing customers whose blank fields were filled in


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _clean_contact(person: Person) -> tuple[str, str, bool]:
    """Normalised mobile and email; a malformed one is dropped (and counted), not stored."""
    bad = False
    mobile = email = ""
    if person.mobile:
        try:
            mobile = pii.normalise_mobile(person.mobile)
        except pii.InvalidContactError:
            bad = True
    if person.email:
        try:
            email = pii.normalise_email(person.email)
        except pii.InvalidContactError:
            bad = True
    return mobile, email, bad


@transaction.atomic
def resolve(platform: str, people: Iterable[Person], *, fill_blanks: bool = False) -> Resolution:
    """Customer keys for ``people`` (distinct buyers), creating customers as needed.

    With ``fill_blanks`` (customer-file imports), known customers get the fields they lack
    from the file; values they already have are never overwritten by an import.
    """
    by_buyer: dict[str, Person] = {}
    for person in people:
        if person.buyer and person.buyer not in by_buyer:
            by_buyer[person.buyer] = person
    index_of = services.buyer_indexes(platform, by_buyer)
    known: dict[str, str] = {}
    indexes = list(index_of.values())
    for chunk in _chunks(indexes):
        rows = PlatformIdentity.objects.filter(
            platform=platform, buyer_id_index__in=chunk
        ).values_list("buyer_id_index", "customer__customer_key")
        known.update(rows)
    keys: dict[str, str] = {b: known[i] for b, i in index_of.items() if i in known}

    # New buyers: match by phone or email, else create.
    new = [p for b, p in by_buyer.items() if b not in keys]
    contacts = {p.buyer: _clean_contact(p) for p in new}
    invalid = sum(1 for _m, _e, bad in contacts.values() if bad)
    mobile_idx = {b: services.mobile_index(m) for b, (m, _e, _x) in contacts.items() if m}
    email_idx = {b: services.email_index(e) for b, (_m, e, _x) in contacts.items() if e}
    by_mobile: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(set(mobile_idx.values()))):
        for cid, key, idx in Customer.objects.filter(mobile_index__in=chunk).values_list(
            "id", "customer_key", "mobile_index"
        ):
            by_mobile.setdefault(idx, (cid, key))
    by_email: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(set(email_idx.values()))):
        for cid, key, idx in Customer.objects.filter(email_index__in=chunk).values_list(
            "id", "customer_key", "email_index"
        ):
            by_email.setdefault(idx, (cid, key))

    attach: list[PlatformIdentity] = []
    records: list[services.CustomerRecord] = []
    records_by_key: dict[str, services.CustomerRecord] = {}
    matched = len(keys)
    pending_by_mobile: dict[str, str] = {}  # the same phone twice within this import
    for person in new:
        mobile, email, _bad = contacts[person.buyer]
        hit = by_mobile.get(mobile_idx.get(person.buyer, "")) or by_email.get(
            email_idx.get(person.buyer, "")
        )
        if hit is not None:
            cid, key = hit
            attach.append(
                PlatformIdentity(
                    customer_id=cid,
                    platform=platform,
                    buyer_id=person.buyer,
                    buyer_id_index=index_of[person.buyer],
                )
            )
            keys[person.buyer] = key
            matched += 1
            continue
        if mobile and mobile in pending_by_mobile:
            key = pending_by_mobile[mobile]
            keys[person.buyer] = key
            record = records_by_key[key]
            record.identities = (*record.identities, (platform, person.buyer))
            continue
        province, city = person.region()
        record = services.CustomerRecord(
            name=person.name,
            gender=person.gender if person.gender in ("female", "male") else "",
            birth_date=person.birth_date,
            mobile=mobile,
            email=email,
            address=person.address,
            province=province,
            city=city,
            notes=person.notes,
            tags=person.tag_list(),
            identities=((platform, person.buyer),),
        )
        records.append(record)
        records_by_key[record.customer_key] = record
        keys[person.buyer] = record.customer_key
        if mobile:
            pending_by_mobile[mobile] = record.customer_key
    if records:
        services.customers_bulk_create(
            records, buyer_indexes={(platform, b): i for b, i in index_of.items()}
        )
    if attach:
        PlatformIdentity.objects.bulk_create(attach, batch_size=CHUNK)
    filled = _fill_blanks(by_buyer, keys, contacts_all=fill_blanks) if fill_blanks else 0
    table = pa.table(
        {
            "buyer": pa.array(list(keys), pa.string()),
            "customer_key": pa.array(list(keys.values()), pa.string()),
        }
    )
    return Resolution(table, len(records), matched, invalid, filled)


def _fill_blanks(by_buyer: dict[str, Person], keys: dict[str, str], *, contacts_all: bool) -> int:
    """Fill the empty personal fields of existing customers from the file."""
    person_of_key = {keys[b]: p for b, p in by_buyer.items() if b in keys}
    filled = 0
    key_list = sorted(person_of_key)
    for start in range(0, len(key_list), CHUNK):
        chunk = key_list[start : start + CHUNK]
        for customer in Customer.objects.filter(customer_key__in=chunk):
            person = person_of_key[customer.customer_key]
            mobile, email, _bad = _clean_contact(person)
            province, city = person.region()
            changes = {
                "name": person.name.strip(),
                "gender": person.gender if person.gender in ("female", "male") else "",
                "birth_date": person.birth_date.isoformat() if person.birth_date else "",
                "mobile": mobile,
                "email": email,
                "address": person.address.strip(),
                "province": province,
                "city": city,
                "notes": person.notes,
            }
            changed = [f for f, v in changes.items() if v and not getattr(customer, f)]
            for f in changed:
                setattr(customer, f, changes[f])
            if "name" in changed:
                customer.name_index = services.name_index(customer.name)
            if "mobile" in changed:
                customer.mobile_index = services.mobile_index(mobile)
                customer.mobile_tail_index = services.mobile_tail_index(mobile)
            if "email" in changed:
                customer.email_index = services.email_index(email)
            tags = person.tag_list()
            if tags:
                existing = set(customer.tags.values_list("name", flat=True))
                new = [t for t in tags if t not in existing]
                if new:
                    services.tags_add(customer, new)
                    changed.append("tags")
            if changed:
                customer.save()
                filled += 1
    return filled
