"""The bulk resolver creates exactly the customers the customer-by-customer algorithm created.

The oracle is that algorithm (tests/customers/reference.py). Each case starts from the same
customers (fixed keys), resolves the same chunks of buyers both ways, and compares every
customer as stored: decrypted values, blind indexes, identities, tags, which buyers share a
customer, and the counts. The bulk resolver runs in each of its ways: crypto here or in the
helper process, look-ups in the database or in memory, SQLite's indexes kept or rebuilt.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection

from guanxi.core import crypto
from guanxi.customers import identities, sealing, selectors, services
from guanxi.customers.identities import People, Person, Resolution
from guanxi.customers.models import Customer, PlatformIdentity, Tag
from guanxi.privacy import selectors as privacy_selectors
from tests.customers import reference

pytestmark = pytest.mark.django_db

PHONES = [f"1390000{n:04d}" for n in range(25)]
EMAILS = [f"user{n}@example.com" for n in range(15)]
NAMES = ["张三", " 李四 ", "王小明", "欧阳娜娜", "赵六", ""]
ADDRESSES = ["浙江省杭州市西湖区文三路1号", "上海市浦东新区世纪大道2号", "", "某地"]

# Customers before the import: fixed keys, so both runs start from the same master.
EXISTING: list[dict[str, Any]] = [
    {"customer_key": "c0000000000000001", "name": "老客户", "mobile": PHONES[0],
     "identities": (("taobao", "known0"),)},
    {"customer_key": "c0000000000000002", "mobile": PHONES[1], "email": EMAILS[0],
     "identities": (("taobao", "known1"), ("jd", "jd_known1"))},
    # Two customers with one phone (a merge not done yet): the lower key is found.
    {"customer_key": "c00000000000000f3", "mobile": PHONES[2], "identities": (("jd", "jd3"),)},
    {"customer_key": "c00000000000000a3", "mobile": PHONES[2], "name": "同号"},
    {"customer_key": "c0000000000000004", "email": EMAILS[1], "address": "北京市朝阳区1号"},
    {"customer_key": "c0000000000000005", "identities": (("taobao", "known5"),)},
]  # fmt: skip


def _existing() -> None:
    for fields in EXISTING:
        services.customer_create(services.CustomerRecord(**fields))


def _person(rng: random.Random, buyer: str) -> Person:
    def pick(options: list[str], empty: float = 0.3) -> str:
        return "" if rng.random() < empty else rng.choice(options)

    mobile = pick(PHONES)
    if mobile and rng.random() < 0.2:
        mobile = f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}"  # the same phone, written
    if rng.random() < 0.05:
        mobile = "12345"  # malformed: dropped and counted
    email = pick(EMAILS, 0.6)
    if email and rng.random() < 0.2:
        email = email.upper()
    if rng.random() < 0.03:
        email = "not-an-email@"
    return Person(
        buyer=buyer,
        name=pick(NAMES, 0.1),
        mobile=mobile,
        email=email,
        address=pick(ADDRESSES, 0.1),
        gender=rng.choice(["", "female", "male", "unknown"]),
        birth_date=dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(5000))
        if rng.random() < 0.3
        else None,
        tags=pick(["老客户", "VIP，复购", "新客、活动"], 0.7),
        notes=pick(["喜欢红色", "备注"], 0.8),
    )


def _chunks(seed: int, size: int = 240, chunk: int = 60) -> list[list[Person]]:
    """Distinct buyers across chunks (as an import gives them), some of them known, some
    repeated within a chunk (the first one counts), phones and emails that collide."""
    rng = random.Random(seed)
    buyers = [f"buyer{n}" for n in range(size - 4)] + ["known0", "known1", "known5", "jd3"]
    rng.shuffle(buyers)
    people = [_person(rng, b) for b in buyers]
    chunks = [people[i : i + chunk] for i in range(0, len(people), chunk)]
    for part in chunks:
        part.insert(rng.randrange(len(part)), _person(rng, rng.choice(part).buyer))
    return chunks


def _snapshot(result: Resolution) -> dict[str, Any]:
    customers = {}
    for c in Customer.objects.prefetch_related("identities", "tags"):
        customers[c.customer_key] = (
            c.name, bytes(c.name_index), c.gender, c.birth_date, c.mobile,
            bytes(c.mobile_index), bytes(c.mobile_tail_index), c.email, bytes(c.email_index),
            c.address, c.province, c.city, c.notes, c.customer_class, c.merged_into_id,
            sorted((i.platform, i.buyer_id, bytes(i.buyer_id_index)) for i in c.identities.all()),
            sorted(t.name for t in c.tags.all()),
        )  # fmt: skip
    rows = result.keys.to_pylist()
    return {
        "customers": customers,
        "buyers": [(r["buyer"], r["customer_key"]) for r in rows],
        "counts": (result.created, result.matched, result.invalid_contacts, result.filled),
    }


def _reset(monkeypatch: pytest.MonkeyPatch) -> None:
    """The customers before the import, and new customers' keys drawn from the same
    sequence in each run: which of two customers with one email is found first depends on
    their keys (the lower one), so both runs must draw the same ones."""
    Customer.objects.all().delete()
    Tag.objects.all().delete()
    _existing()
    draw = random.Random(0)

    def key() -> str:
        return f"c{draw.getrandbits(64):016x}"

    monkeypatch.setattr(services, "new_customer_key", key)
    monkeypatch.setattr(services, "new_customer_keys", lambda count: [key() for _ in range(count)])


@pytest.fixture
def bulk_modes(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> bool:
    """Whether this run forces the large-load ways (memory look-ups, indexes rebuilt)."""
    large = bool(request.param)
    if large:
        monkeypatch.setattr(identities, "LARGE_LOAD", 1)
        monkeypatch.setattr(identities, "REBUILD_MIN", 1)
    return large


def _compare(
    monkeypatch: pytest.MonkeyPatch,
    chunks: list[list[Person]],
    *,
    helper: bool,
    fill_blanks: bool = False,
) -> None:
    _reset(monkeypatch)
    expected = sum(len(c) for c in chunks)
    fast = _snapshot(
        identities.resolve_chunks(
            "taobao",
            [People.of(c) for c in chunks],
            expected=expected,
            fill_blanks=fill_blanks,
            helper=helper,
        )
    )
    _reset(monkeypatch)
    slow = _snapshot(reference.resolve_chunks("taobao", chunks, fill_blanks=fill_blanks))
    assert fast["counts"] == slow["counts"]
    assert fast["buyers"] == slow["buyers"]
    assert fast["customers"].keys() == slow["customers"].keys()
    for key, values in slow["customers"].items():
        assert fast["customers"][key] == values, key


@pytest.mark.parametrize("bulk_modes", [False, True], indirect=True)
@pytest.mark.parametrize("helper", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_same_customers_as_the_customer_by_customer_algorithm(
    monkeypatch: pytest.MonkeyPatch, bulk_modes: bool, helper: bool, seed: int
) -> None:
    _compare(monkeypatch, _chunks(seed), helper=helper)


@pytest.mark.parametrize("bulk_modes", [False, True], indirect=True)
def test_same_customers_when_a_customer_file_fills_blanks(
    monkeypatch: pytest.MonkeyPatch, bulk_modes: bool
) -> None:
    _compare(monkeypatch, _chunks(3), helper=False, fill_blanks=True)


def test_new_customers_only_on_a_fresh_master() -> None:
    people = [Person(f"b{n}", name="客户", mobile=f"1380000{n:04d}") for n in range(50)]
    result = identities.resolve("taobao", people)
    assert (result.created, result.matched) == (50, 0)
    found = selectors.customer_search("13800000007")
    assert [c.customer_key for c in found] == [result.keys.to_pydict()["customer_key"][7]]


def test_known_buyers_create_nothing_and_give_their_keys() -> None:
    first = identities.resolve(
        "taobao", [Person(f"b{n}", mobile=f"1380000{n:04d}") for n in range(20)]
    )
    again = identities.resolve("taobao", [Person(f"b{n}") for n in range(20)], helper=True)
    assert (again.created, again.matched) == (0, 20)
    assert again.keys.to_pydict() == first.keys.to_pydict()
    assert Customer.objects.count() == PlatformIdentity.objects.count() == 20


def test_mixed_known_attached_and_new_with_duplicates_in_the_file() -> None:
    _existing()
    people = [
        Person("known0", name="换了名字"),  # known buyer: its customer, unchanged
        Person("other", mobile=PHONES[1]),  # an existing customer's phone: attached
        Person("mail", email=EMAILS[1].upper()),  # an existing customer's email: attached
        Person("n1", mobile="138 0000 9999"),
        Person("n2", mobile="+8613800009999"),  # the same phone as n1: one customer
        Person("n1", mobile="13900000000"),  # n1 again: the first row counts
        Person("n3", email="x@example.com"),
        Person("n4", email="x@example.com"),  # same email in one chunk: two customers
    ]
    result = identities.resolve("taobao", people)
    keys = dict(zip(*result.keys.to_pydict().values(), strict=True))
    assert keys["known0"] == "c0000000000000001"
    assert keys["other"] == "c0000000000000002"
    assert keys["mail"] == "c0000000000000004"
    assert keys["n1"] == keys["n2"] != keys["n3"] != keys["n4"]
    assert (result.created, result.matched) == (3, 3)
    n1 = Customer.objects.get(customer_key=keys["n1"])
    assert n1.mobile == "13800009999"
    assert sorted(n1.identities.values_list("buyer_id", flat=True)) == ["n1", "n2"]


def test_the_same_phone_in_a_later_chunk_joins_the_customer_made_earlier() -> None:
    chunks = [
        [Person("a", mobile="13800001111", email="a@example.com")],
        [Person("b", mobile="13800001111"), Person("c", email="a@example.com")],
    ]
    result = identities.resolve_chunks(
        "taobao", [People.of(c) for c in chunks], expected=3, helper=True
    )
    assert len(set(result.keys.to_pydict()["customer_key"])) == 1
    assert (result.created, result.matched) == (1, 2)


def test_blind_indexes_are_the_lookups_of_search_privacy_and_merges() -> None:
    identities.resolve(
        "taobao", [Person("tb_zw", name=" 张伟 ", mobile="13812345678", email="ZW@Example.com")]
    )
    customer = Customer.objects.get()
    assert bytes(customer.mobile_index) == services.mobile_index("13812345678")
    assert bytes(customer.mobile_tail_index) == services.mobile_tail_index("13812345678")
    assert bytes(customer.email_index) == services.email_index("zw@example.com")
    assert bytes(customer.name_index) == services.name_index("张伟")
    assert len(customer.mobile_index) == 16
    for query in ("13812345678", "5678", "ZW@example.com", "张伟", "tb_zw"):
        assert [c.pk for c in selectors.customer_search(query)] == [customer.pk], query
    assert [c.pk for c in privacy_selectors.customers_find("13812345678")] == [customer.pk]


def _index_names() -> list[str]:
    tables = [Customer._meta.db_table, PlatformIdentity._meta.db_table]
    with connection.cursor() as cursor:
        return sorted(
            name
            for table in tables
            for name in connection.introspection.get_constraints(cursor, table)
        )


@pytest.mark.parametrize("bulk_modes", [True], indirect=True)
def test_a_failure_half_way_leaves_nothing_and_every_index(
    bulk_modes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _existing()
    before = (Customer.objects.count(), PlatformIdentity.objects.count(), _index_names())
    calls = []

    def fail_on_second(step: str) -> None:
        calls.append((step, _index_names()))
        if len(calls) == 2:
            raise RuntimeError("stop")

    chunks = [
        [Person(f"x{c}-{n}", mobile=f"1370{c:03d}{n:04d}") for n in range(30)] for c in range(4)
    ]
    with pytest.raises(RuntimeError, match="stop"):
        identities.resolve_chunks(
            "taobao", [People.of(c) for c in chunks], expected=120, checkpoint=fail_on_second
        )
    assert [step for step, _names in calls] == ["customers-chunk-written"] * 2
    if connection.vendor == "sqlite":  # the load went in without the secondary indexes
        assert len(calls[0][1]) < len(before[2])
    assert (Customer.objects.count(), PlatformIdentity.objects.count(), _index_names()) == before


def test_a_failed_helper_job_is_reported_and_the_helper_goes_on() -> None:
    helper = sealing.Helper(crypto.cipher())
    try:
        with pytest.raises(sealing.HelperError, match="no-such-job"):
            helper.submit("no-such-job").result()
        answer = helper.submit("index", "taobao", ["b"], [""], [""]).result()
        assert len(answer.buyer[0]) == 16
    finally:
        helper.close()


def test_a_helper_that_dies_stops_the_import_and_nothing_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[sealing.Helper] = []
    real_start = sealing.start

    def start(cipher: crypto.FieldCipher, *, helper: bool) -> sealing.InPlace | sealing.Helper:
        started.append(real_start(cipher, helper=True))  # type: ignore[arg-type]
        return started[-1]

    def kill_helper(step: str) -> None:
        started[0]._process.kill()

    monkeypatch.setattr(sealing, "start", start)
    chunks = [
        [Person(f"x{c}-{n}", mobile=f"1370{c:03d}{n:04d}") for n in range(30)] for c in range(3)
    ]
    with pytest.raises(sealing.HelperError, match="ended"):
        identities.resolve_chunks(
            "taobao", [People.of(c) for c in chunks], expected=90, checkpoint=kill_helper
        )
    assert Customer.objects.count() == PlatformIdentity.objects.count() == 0
    assert started[0]._process.poll() is not None


def test_helper_and_in_place_give_the_same_indexes() -> None:
    cipher = crypto.cipher()
    args = ("taobao", [" b1", "b2"], ["+86 138 0000 1111", "bad"], ["A@Example.com", ""])
    here = sealing.InPlace(cipher).submit("index", *args).result()
    helper = sealing.Helper(cipher)
    try:
        there = helper.submit("index", *args).result()
    finally:
        helper.close()
    assert here == there
    assert here.mobile == ["13800001111", ""] and here.bad == [False, True]


def test_keys_drawn_in_bulk_look_like_single_keys() -> None:
    keys = services.new_customer_keys(500)
    assert len(set(keys)) == 500
    assert all(len(k) == 17 and k[0] == "c" and int(k[1:], 16) >= 0 for k in keys)
    assert len(services.new_customer_key()) == 17
