"""The customer-by-customer algorithm the bulk resolver replaced, kept as the tests' oracle.

This is ``guanxi.customers.identities.resolve`` as it was before the bulk path (ORM look-ups
per chunk, customers saved through the model fields, which encrypt each value as it is
saved), with the blind indexes in their present form. An import called it once per chunk
of buyers, each chunk in its own transaction; ``resolve_chunks`` does the same. The bulk
resolver must create exactly what this creates.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
from django.db import transaction

from guanxi.customers import services
from guanxi.customers.identities import Person, Resolution, _clean_contact, _fill_blanks
from guanxi.customers.models import Customer, CustomerClass, PlatformIdentity

CHUNK = 5000


def resolve_chunks(
    platform: str, chunks: Iterable[list[Person]], *, fill_blanks: bool = False
) -> Resolution:
    parts = [resolve(platform, chunk, fill_blanks=fill_blanks) for chunk in chunks]
    return Resolution(
        keys=pa.concat_tables([p.keys for p in parts]),
        created=sum(p.created for p in parts),
        matched=sum(p.matched for p in parts),
        invalid_contacts=sum(p.invalid_contacts for p in parts),
        filled=sum(p.filled for p in parts),
    )


@transaction.atomic
def resolve(platform: str, people: Iterable[Person], *, fill_blanks: bool = False) -> Resolution:
    by_buyer: dict[str, Person] = {}
    for person in people:
        if person.buyer and person.buyer not in by_buyer:
            by_buyer[person.buyer] = person
    index_of = {b: services.buyer_index(platform, b) for b in by_buyer}
    known: dict[bytes, str] = {}
    indexes = list(index_of.values())
    for start in range(0, len(indexes), CHUNK):
        rows = PlatformIdentity.objects.filter(
            platform=platform, buyer_id_index__in=indexes[start : start + CHUNK]
        ).values_list("buyer_id_index", "customer__customer_key")
        known.update((bytes(i), k) for i, k in rows)
    keys: dict[str, str] = {b: known[i] for b, i in index_of.items() if i in known}

    new = [p for b, p in by_buyer.items() if b not in keys]
    contacts = {p.buyer: _clean_contact(p) for p in new}
    invalid = sum(1 for _m, _e, bad in contacts.values() if bad)
    mobile_idx = {b: services.mobile_index(m) for b, (m, _e, _x) in contacts.items() if m}
    email_idx = {b: services.email_index(e) for b, (_m, e, _x) in contacts.items() if e}
    by_mobile: dict[bytes, tuple[int, str]] = {}
    for cid, key, idx in Customer.objects.filter(
        mobile_index__in=sorted(set(mobile_idx.values()))
    ).values_list("id", "customer_key", "mobile_index"):
        by_mobile.setdefault(bytes(idx), (cid, key))
    by_email: dict[bytes, tuple[int, str]] = {}
    for cid, key, idx in Customer.objects.filter(
        email_index__in=sorted(set(email_idx.values()))
    ).values_list("id", "customer_key", "email_index"):
        by_email.setdefault(bytes(idx), (cid, key))

    attach: list[PlatformIdentity] = []
    records: list[services.CustomerRecord] = []
    records_by_key: dict[str, services.CustomerRecord] = {}
    matched = len(keys)
    pending_by_mobile: dict[str, str] = {}
    for person in new:
        mobile, email, _bad = contacts[person.buyer]
        hit = by_mobile.get(mobile_idx.get(person.buyer, b"")) or by_email.get(
            email_idx.get(person.buyer, b"")
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
    for record in records:
        _save(record)
    for identity in attach:
        identity.save()
    filled = _fill_blanks(by_buyer, keys, contacts_all=fill_blanks) if fill_blanks else 0
    table = pa.table(
        {
            "buyer": pa.array(list(keys), pa.string()),
            "customer_key": pa.array(list(keys.values()), pa.string()),
        }
    )
    return Resolution(table, len(records), matched, invalid, filled)


def _save(record: services.CustomerRecord) -> None:
    """One customer through the model (its fields encrypt as they save)."""
    name = record.name.strip()
    customer = Customer.objects.create(
        customer_key=record.customer_key,
        name=name,
        name_index=services.name_index(name),
        gender=record.gender,
        birth_date=record.birth_date.isoformat() if record.birth_date else "",
        mobile=record.mobile,
        mobile_index=services.mobile_index(record.mobile),
        mobile_tail_index=services.mobile_tail_index(record.mobile),
        email=record.email,
        email_index=services.email_index(record.email),
        address=record.address.strip(),
        province=record.province,
        city=record.city,
        notes=record.notes,
        customer_class=CustomerClass.ORDINARY,
    )
    for platform, buyer in record.identities:
        PlatformIdentity.objects.create(
            customer=customer,
            platform=platform,
            buyer_id=buyer,
            buyer_id_index=services.buyer_index(platform, buyer),
        )
    if record.tags:
        services.tags_add(customer, list(record.tags))
