"""Tying imported rows to customers: platform buyer id → customer_key, creating when new.

Certain matches only (SPEC §1 cleaning): the same buyer id on the same platform, or the same
normalised mobile or email, is the same person. A new buyer whose phone matches an existing
customer is attached to that customer as another identity. Everything else becomes a new
customer; uncertain look-alikes (same name and city, different phone) are left for the
merge page to propose. Personal values are encrypted and indexed before they are written.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import connection, transaction

from guanxi.core import crypto, pii
from guanxi.customers import sealing, services
from guanxi.customers.models import Customer, CustomerClass, PlatformIdentity

CHUNK = 5000  # keys per IN (...) query: well under SQLite's limit of 32,766 variables
HELPER_MIN = 20_000  # buyers in a file from which the cryptography goes to a helper process
LARGE_LOAD = 50_000  # buyers from which SQLite gets a large page cache and memory look-ups
REBUILD_MIN = 50_000  # new customers from which SQLite's indexes are rebuilt, not updated
PRELOAD_LIMIT = 250_000  # existing customers whose keys a large load reads into memory
CACHE_KIB = 393_216  # SQLite's page cache during a large load: 384 MB
ORDINARY = CustomerClass.ORDINARY.value
GENDERS = ("female", "male")


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


PERSON_FIELDS = tuple(Person.__dataclass_fields__)


@dataclass(slots=True)
class People:
    """A chunk of people column by column, as a file gives them (cheaper to build and to
    read than one ``Person`` each: a million buyers come from DuckDB in half a second)."""

    buyer: list[str]
    name: list[str]
    mobile: list[str]
    email: list[str]
    address: list[str]
    gender: list[str]
    birth_date: list[dt.date | None]
    province: list[str]
    city: list[str]
    tags: list[str]
    notes: list[str]

    @classmethod
    def of(cls, people: Iterable[Person]) -> People:
        rows = list(people)
        return cls(*([getattr(p, f) for p in rows] for f in PERSON_FIELDS))

    def __len__(self) -> int:
        return len(self.buyer)

    def person(self, n: int) -> Person:
        return Person(*(getattr(self, f)[n] for f in PERSON_FIELDS))


@dataclass(frozen=True)
class Resolution:
    keys: pa.Table  # buyer, customer_key
    created: int
    matched: int
    invalid_contacts: int  # phones/emails that could not be normalised (kept out)
    filled: int = 0  # existing customers whose blank fields were filled in


def _no_checkpoint(step: str) -> None:
    pass


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
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


def resolve(
    platform: str,
    people: Iterable[Person],
    *,
    fill_blanks: bool = False,
    helper: bool | None = None,
) -> Resolution:
    """Customer keys for ``people`` (distinct buyers), creating customers as needed.

    With ``fill_blanks`` (customer-file imports), known customers get the fields they lack
    from the file; values they already have are never overwritten by an import.
    """
    chunk = People.of(people)
    return resolve_chunks(
        platform, [chunk], expected=len(chunk), fill_blanks=fill_blanks, helper=helper
    )


def resolve_chunks(
    platform: str,
    chunks: Iterable[People],
    *,
    expected: int,
    fill_blanks: bool = False,
    helper: bool | None = None,
    checkpoint: Callable[[str], None] | None = None,
) -> Resolution:
    """``resolve`` for the buyers of a whole file, given a chunk at a time (bounded memory;
    a buyer appears in one chunk only). ``expected``: about how many buyers there are in
    all, to choose how to write; ``helper``: the cryptography in a helper process (None:
    when there are at least ``HELPER_MIN`` buyers); ``checkpoint`` is called with the name
    of each step as it is done (the crash tests kill the process there).

    Everything happens in one transaction: an error or a crash leaves no customer of the
    file behind.
    """
    with transaction.atomic():
        resolver = _Resolver(platform, expected=expected, fill_blanks=fill_blanks, helper=helper)
        resolver.checkpoint = checkpoint or _no_checkpoint
        try:
            resolver.run(chunks)
        finally:
            resolver.close()
    return resolver.resolution()


@dataclass(slots=True)
class _Plan:
    """What one chunk writes."""

    people: People
    at: dict[str, int]  # each buyer's row in ``people``
    keys: dict[str, str]  # buyer → customer key, for every buyer of the chunk
    batch: sealing.Batch  # the new customers and identities
    tags: list[tuple[int, tuple[str, ...]]]  # new customers' tags
    sealed: sealing.Pending | None = None


class _Resolver:
    """Resolves one file's buyers chunk by chunk (see ``resolve_chunks``).

    How it keeps pace with a million new customers:
    - look-ups only where something can be found: none for buyers when the platform had no
      buyer before the import, none for phones and emails when there was no customer; with
      few existing customers and a large load (SQLite) their keys are read once into memory;
    - customers created by the import are found again (the same phone twice) in memory;
    - the cryptography of chunk n + 1 runs in a helper process while chunk n is written
      (``sealing``);
    - rows go in with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), and on SQLite a
      load that is large next to the tables drops their secondary indexes and builds them
      again at the end (one sort instead of a million random inserts), in the same
      transaction.
    The customers, identities and counts are those of the customer-by-customer algorithm
    this replaced (kept as tests/customers/reference.py and compared in tests).
    """

    def __init__(
        self, platform: str, *, expected: int, fill_blanks: bool, helper: bool | None
    ) -> None:
        self.platform = platform
        self.expected = expected
        self.fill_blanks = fill_blanks
        self.vendor = connection.vendor
        self.quote = connection.ops.quote_name
        self.customers_table = self.quote(Customer._meta.db_table)
        self.identities_table = self.quote(PlatformIdentity._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.customers_table}")
            self.existing = int(cursor.fetchone()[0])
            cursor.execute(
                f"SELECT 1 FROM {self.identities_table} WHERE platform = %s LIMIT 1", [platform]
            )
            self.had_buyers = cursor.fetchone() is not None
        # A large load on SQLite with few existing customers looks them up in memory (their
        # keys read once), so that the indexes may go while the rows are written.
        self.in_memory = (
            self.vendor == "sqlite"
            and not fill_blanks
            and expected >= LARGE_LOAD
            and self.existing <= PRELOAD_LIMIT
        )
        self.known_buyers: dict[bytes, str] = {}
        self.known_contacts: dict[str, dict[bytes, tuple[int, str]]] = {
            "mobile_index": {},
            "email_index": {},
        }
        if self.in_memory:
            self._preload()
        # Customers created by this import, by phone and by email: (chunk, key, id).
        self.created_mobile: dict[bytes, tuple[int, str, int]] = {}
        self.created_email: dict[bytes, tuple[int, str, int]] = {}
        self.ids = services.NewIds()
        self.chunk = 0
        self.seen = 0
        self.created = self.matched = self.invalid = self.filled = 0
        self.buyers: list[str] = []
        self.keys: list[str] = []
        self.now = services.now_value()
        self.dropped: list[str] = []  # CREATE INDEX statements to run again at the end
        self.decided = False
        self.cache_size: int | None = None
        self.checkpoint: Callable[[str], None] = _no_checkpoint
        self.key_pool: deque[str] = deque()
        if self.vendor == "sqlite":
            self._large_page_cache()
        use_helper = expected >= HELPER_MIN if helper is None else helper
        self.crypto = sealing.start(crypto.cipher(), helper=use_helper)

    # -- what exists ----------------------------------------------------------------------

    def _preload(self) -> None:
        with connection.cursor() as cursor:
            if self.had_buyers:
                cursor.execute(
                    f"SELECT i.buyer_id_index, c.customer_key FROM {self.identities_table} i "
                    f"JOIN {self.customers_table} c ON c.id = i.customer_id "
                    "WHERE i.platform = %s",
                    [self.platform],
                )
                self.known_buyers = {bytes(i): k for i, k in cursor.fetchall()}
            if not self.existing:
                return
            for column, found in self.known_contacts.items():
                cursor.execute(
                    f"SELECT {column}, id, customer_key FROM {self.customers_table} "
                    f"WHERE length({column}) > 0 ORDER BY customer_key"
                )
                for index, cid, key in cursor.fetchall():
                    found.setdefault(bytes(index), (cid, key))

    def _buyers_known(self, indexes: list[bytes]) -> dict[bytes, str]:
        if not self.had_buyers:
            return {}
        if self.in_memory:
            known = self.known_buyers
            return {i: known[i] for i in indexes if i in known}
        found: dict[bytes, str] = {}
        with connection.cursor() as cursor:
            for chunk in _chunks(indexes):
                cursor.execute(
                    f"SELECT i.buyer_id_index, c.customer_key FROM {self.identities_table} i "
                    f"JOIN {self.customers_table} c ON c.id = i.customer_id "
                    f"WHERE i.platform = %s AND i.buyer_id_index IN ({_marks(chunk)})",
                    [self.platform, *chunk],
                )
                found.update((bytes(i), k) for i, k in cursor.fetchall())
        return found

    def _contacts_known(self, column: str, indexes: set[bytes]) -> dict[bytes, tuple[int, str]]:
        """Existing customers by phone or email index: the lowest customer key of each."""
        indexes.discard(b"")  # no phone or email: nothing to look for
        if not self.existing or not indexes:
            return {}
        if self.in_memory:
            known = self.known_contacts[column]
            return {i: known[i] for i in indexes if i in known}
        found: dict[bytes, tuple[int, str]] = {}
        with connection.cursor() as cursor:
            for chunk in _chunks(sorted(indexes)):
                cursor.execute(
                    f"SELECT {column}, id, customer_key FROM {self.customers_table} "
                    f"WHERE {column} IN ({_marks(chunk)}) ORDER BY customer_key",
                    list(chunk),
                )
                for index, cid, key in cursor.fetchall():
                    found.setdefault(bytes(index), (cid, key))
        return found

    # -- the pipeline ---------------------------------------------------------------------

    def _submit_index(self, people: People) -> sealing.Pending:
        return self.crypto.submit("index", self.platform, people.buyer, people.mobile, people.email)

    def run(self, chunks: Iterable[People]) -> None:
        """Plan chunk n (its indexes were computed meanwhile) and hand its encryption over,
        then write chunk n - 1; at the end the last one, and the indexes again."""
        source = iter(chunks)
        current = next(source, None)
        indexed = self._submit_index(current) if current is not None else None
        previous: _Plan | None = None
        while current is not None and indexed is not None:
            following = next(source, None)
            following_indexed = self._submit_index(following) if following is not None else None
            plan = self._plan(current, indexed.result())
            if previous is not None:
                self._write(previous)
                self.checkpoint("customers-chunk-written")
            previous = plan
            if self.fill_blanks:  # filling blanks reads what was written: no overlap
                self._write(plan)
                previous = None
            current, indexed = following, following_indexed
        if previous is not None:
            self._write(previous)
        self.checkpoint("customers-written")
        self._restore_indexes()
        self.checkpoint("customers-indexed")

    def _plan(self, people: People, indexed: sealing.Indexed) -> _Plan:
        self.chunk += 1
        chunk, platform = self.chunk, self.platform
        at: dict[str, int] = {}  # each buyer's (first) row in the chunk
        for n, buyer in enumerate(people.buyer):
            if buyer and buyer not in at:
                at[buyer] = n
        buyer_index = indexed.buyer
        known = self._buyers_known([buyer_index[n] for n in at.values()])
        keys: dict[str, str] = {}
        if known:
            keys = {b: known[buyer_index[n]] for b, n in at.items() if buyer_index[n] in known}
        new = [b for b in at if b not in keys] if keys else list(at)
        mobile_index, email_index = indexed.mobile_index, indexed.email_index
        by_mobile: dict[bytes, tuple[int, str]] = {}
        by_email: dict[bytes, tuple[int, str]] = {}
        if self.existing:
            by_mobile = self._contacts_known("mobile_index", {mobile_index[at[b]] for b in new})
            by_email = self._contacts_known("email_index", {email_index[at[b]] for b in new})
        created_mobile, created_email = self.created_mobile, self.created_email
        self.matched += len(keys)
        batch = sealing.Batch()
        tags: list[tuple[int, tuple[str, ...]]] = []
        ids = self.ids.take(len(new))
        used = 0
        self._reserve_keys(len(new))
        new_key = self.key_pool.popleft
        bad = indexed.bad
        owners, buyers, buyer_indexes = batch.owners, batch.buyers, batch.buyer_index
        for buyer in new:
            n = at[buyer]
            if bad[n]:
                self.invalid += 1
            mi, ei = mobile_index[n], email_index[n]
            # A customer with this phone, else this email: one that existed (the lowest
            # key, as a look-up in key order finds it) or one made in an earlier chunk.
            hit: tuple[int, str] | None = None
            mine = None
            if mi:
                mine = created_mobile.get(mi)
                hit = by_mobile.get(mi) if by_mobile else None
                if mine is not None and mine[0] < chunk and (hit is None or mine[1] < hit[1]):
                    hit = (mine[2], mine[1])
            if hit is None and ei:
                theirs = created_email.get(ei)
                hit = by_email.get(ei) if by_email else None
                if theirs is not None and theirs[0] < chunk and (hit is None or theirs[1] < hit[1]):
                    hit = (theirs[2], theirs[1])
            if hit is not None:
                owners.append(hit[0])
                keys[buyer] = hit[1]
                self.matched += 1
            elif mine is not None:  # the same phone earlier in this chunk: one customer
                owners.append(mine[2])
                keys[buyer] = mine[1]
            else:
                key = new_key()
                cid = ids[used]
                used += 1
                province, city = people.province[n], people.city[n]
                if not (province or city):
                    province, city = pii.region_of(people.address[n])
                birth = people.birth_date[n]
                gender = people.gender[n]
                batch.ids.append(cid)
                batch.keys.append(key)
                batch.names.append(people.name[n].strip())
                batch.births.append(birth.isoformat() if birth else "")
                batch.mobiles.append(indexed.mobile[n])
                batch.emails.append(indexed.email[n])
                batch.addresses.append(people.address[n].strip())
                batch.notes.append(people.notes[n])
                batch.genders.append(gender if gender in GENDERS else "")
                batch.provinces.append(province)
                batch.cities.append(city)
                batch.mobile_index.append(mi)
                batch.email_index.append(ei)
                owners.append(cid)
                if people.tags[n]:
                    tags.append((cid, people.person(n).tag_list()))
                keys[buyer] = key
                if mi:
                    created_mobile[mi] = (chunk, key, cid)
                if ei:
                    before = created_email.get(ei)
                    if before is None or key < before[1]:
                        created_email[ei] = (chunk, key, cid)
            buyers.append(buyer)
            buyer_indexes.append(buyer_index[n])
        self.ids.give_back(ids[used:])
        batch.classes = [ORDINARY] * used
        batch.platforms = [platform] * len(owners)
        self.seen += len(at)
        self.created += used
        self.buyers.extend(keys)
        self.keys.extend(keys.values())
        plan = _Plan(people, at, keys, batch, [t for t in tags if t[1]])
        if owners:
            plan.sealed = self.crypto.submit("seal", *batch.plain())
        return plan

    def _reserve_keys(self, count: int) -> None:
        """Keys for up to ``count`` new customers, drawn at once (in ascending order); those
        left over serve the next chunk."""
        missing = count - len(self.key_pool)
        if missing > 0:
            self.key_pool.extend(services.new_customer_keys(max(missing, 1000)))

    def _write(self, plan: _Plan) -> None:
        if plan.sealed is not None:
            customers, identities = plan.batch.rows(plan.sealed.result(), self.now)
            if customers and not self.decided:
                self._decide()
            services.insert_rows(Customer, services.CUSTOMER_COLUMNS, customers)
            services.insert_rows(PlatformIdentity, services.IDENTITY_COLUMNS, identities)
            services.tags_insert(plan.tags)
        if self.fill_blanks:
            by_buyer = {b: plan.people.person(n) for b, n in plan.at.items()}
            self.filled += _fill_blanks(by_buyer, plan.keys, contacts_all=True)

    # -- indexes that do not fight the load (SQLite) --------------------------------------

    def _decide(self) -> None:
        """Before the first insert: drop the secondary indexes of the customer tables when
        the load is large next to them (SQLite; ``_restore_indexes`` builds them again)."""
        self.decided = True
        if not self.in_memory or not self.seen:
            return
        estimate = self.created * max(self.expected, self.seen) // self.seen
        if estimate < REBUILD_MIN or 2 * estimate < self.existing:
            return
        tables = [Customer._meta.db_table, PlatformIdentity._meta.db_table]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({_marks(tables)}) ORDER BY name",
                tables,
            )
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {self.quote(name)}")
                self.dropped.append(sql)

    def _restore_indexes(self) -> None:
        with connection.cursor() as cursor:
            while self.dropped:
                cursor.execute(self.dropped.pop())

    def _large_page_cache(self) -> None:
        """A page cache big enough for the customer tables' indexes while a large load goes
        in (SQLite). Inserting 993,341 customers with the indexes in place spent 48 s in
        SQLite with the connection's usual 128 MB, 36 s with 512 MB (peak 1.8 GB); 384 MB
        keeps the import well under 2 GB."""
        if self.expected < LARGE_LOAD:
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            self.cache_size = int(cursor.fetchone()[0])  # the connection's own, restored
            cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")  # allocated only as used

    def close(self) -> None:
        self.crypto.close()
        if self.cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {self.cache_size}")
                cursor.execute("PRAGMA shrink_memory")

    def resolution(self) -> Resolution:
        table = pa.table(
            {
                "buyer": pa.array(self.buyers, pa.string()),
                "customer_key": pa.array(self.keys, pa.string()),
            }
        )
        return Resolution(table, self.created, self.matched, self.invalid, self.filled)


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


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
