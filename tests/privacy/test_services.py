"""PIPL requests: due dates on the Chinese working-day calendar, the access export, field
corrections with history, the consent register. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from guanxi.core.errors import UserInputError
from guanxi.core.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_search
from guanxi.lake import Lake
from guanxi.privacy import selectors, services
from guanxi.privacy.models import FieldCorrection, PrivacyRequest
from tests.customers.helpers import EMAIL, KEY, MOBILE, NAME, customer
from tests.factories import orders_table, refunds_table

pytestmark = pytest.mark.django_db


def test_due_date_counts_15_chinese_working_days() -> None:
    # An ordinary June: three weeks of Monday–Friday.
    assert services.due_date(dt.date(2025, 6, 3)) == dt.date(2025, 6, 24)
    # Spring Festival 2025: 28 Jan–4 Feb off, Sunday 26 Jan and Saturday 8 Feb worked (调休).
    assert services.due_date(dt.date(2025, 1, 24)) == dt.date(2025, 2, 20)


def test_request_opened_with_its_due_date_and_audited() -> None:
    person = customer()
    request = services.request_open(
        kind="erasure", customer=person, received_on=dt.date(2025, 6, 3), by="manager1"
    )
    assert (request.kind, request.status, request.due_on) == (
        "erasure",
        "open",
        dt.date(2025, 6, 24),
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.fields, entry.subject) == (
        "pipl_open",
        "erasure",
        f"{KEY} request #{request.pk}",
    )
    with pytest.raises(UserInputError, match="request type 'forget' is unknown"):
        services.request_open(
            kind="forget", customer=person, received_on=dt.date(2025, 6, 3), by="manager1"
        )
    assert PrivacyRequest.objects.count() == 1


def test_customer_found_by_phone_name_or_account() -> None:
    person = customer()
    customer(customer_key="c1111111111111111", name="李四", mobile="13900000000", identities=())
    assert selectors.customers_find(MOBILE) == [person]
    assert selectors.customers_find(NAME) == [person]
    assert selectors.customers_find("tb_zhangwei88") == [person]
    assert selectors.customers_find("") == []


def test_access_export_holds_master_identities_and_every_lake_fact(lake: Lake) -> None:
    person = customer()
    lake.write(
        "orders",
        orders_table(
            [
                ("o1", KEY, "2024-06-17 10:00:00", "2024-06-17 10:05:00", "88.00"),
                ("o2", "c-someone-else", "2024-06-17 11:00:00", None, "20.00"),
            ]
        ),
    )
    refunds = refunds_table([("o1", "2024-06-20 09:00:00")])
    lake.write("refunds", refunds.set_column(3, "customer_key", [[KEY]]))
    services.consent_record(customer=person, granted=True, source="下单页勾选", by="manager1")
    export = selectors.access_export(person)

    document = json.loads(selectors.export_json(export))
    assert document["master"]["name"] == NAME
    assert document["master"]["mobile"] == MOBILE
    assert document["master"]["email"] == EMAIL
    assert document["identities"] == [{"platform": "taobao", "buyer_id": "tb_zhangwei88"}]
    assert [o["order_id"] for o in document["lake"]["orders"]] == ["o1"]
    assert document["lake"]["orders"][0]["amount"] == "88.00"
    assert document["lake"]["refunds"][0]["reason"] == "不想要了"
    assert document["lake"]["chat_messages"] == []
    assert sorted(document["lake"]) == [
        "chat_messages",
        "dsr_ratings",
        "order_items",
        "orders",
        "refunds",
        "reviews",
    ]
    assert [(c["purpose"], c["granted"], c["source"]) for c in document["consents"]] == [
        ("marketing", "yes", "下单页勾选")
    ]
    assert export.row_count() == 1 + 1 + 2  # master, account, one order, one refund

    book = CalamineWorkbook.from_filelike(io.BytesIO(selectors.export_xlsx(export)))
    assert book.sheet_names == [
        "master",
        "identities",
        "orders",
        "refunds",
        "chat_messages",
        "dsr_ratings",
        "reviews",
        "order_items",
        "corrections",
        "consents",
        "standing",
        "class_pins",
        "member_scores",
        "points",
        "tags",
        "changes",
        "tickets",
        "after_sales",
        "satisfaction",
        "survey_answers",
        "review_replies",
    ]
    master = book.get_sheet_by_name("master").to_python()
    assert ["mobile", MOBILE] in master
    orders = book.get_sheet_by_name("orders").to_python()
    assert orders[2][:3] == ["taobao", "o1", KEY]


def test_access_export_holds_what_the_crm_recorded(lake: Lake) -> None:
    """PIPL Art. 45: the standing counted from the lake, the class pin with its reason, the
    member scores and the points ledger are the customer's data too."""
    from guanxi.customers import standing
    from guanxi.loyalty import services as points
    from guanxi.loyalty.orders import PaidOrder

    person = customer()
    lake.write(
        "orders",
        orders_table([("o1", KEY, "2024-06-17 10:00:00", "2024-06-17 10:05:00", "88.00")]),
    )
    standing.recompute(dt.date(2024, 6, 30))
    standing.class_pin(person, "vip", reason="老客户推荐", user="manager1")
    paid = PaidOrder(
        "taobao", "o1", KEY, dt.datetime(2024, 6, 17, 2, 5, tzinfo=dt.UTC), Decimal("88.00")
    )
    points.earn_for_orders([paid])

    document = json.loads(selectors.export_json(selectors.access_export(person)))
    crm = document["crm"]
    (row,) = crm["standing"]
    # one paid order of ¥88.00 by 2024-06-30: F 1, M 88.00, R 13 days (06-17 → 06-30)
    assert (row["frequency"], row["monetary"], row["recency_days"]) == ("1", "88.00", "13")
    assert [(p["customer_class"], p["reason"]) for p in crm["class_pins"]] == [
        ("vip", "老客户推荐")
    ]
    assert [(p["kind"], p["points"], p["order_id"]) for p in crm["points"]] == [
        ("earn", "88", "o1")  # ⌊88.00 × 1 point per yuan⌋
    ]
    assert crm["member_scores"] == [] and crm["changes"] == []


def test_access_export_holds_the_customers_tickets_in_their_own_words(lake: Lake) -> None:
    """The service desk's records are the customer's data: their complaints (in the clear,
    for them), the after-sales cases and the ratings they gave."""
    from guanxi.servicedesk import csat
    from guanxi.servicedesk import services as desk

    person = customer()
    mine = desk.create_ticket(
        kind="complaint",
        channel="phone",
        subject="快递丢件",
        description="请回电 13800001234",
        customer_key=KEY,
    )
    desk.create_ticket(kind="inquiry", channel="chat", subject="别人的问题")
    for state in ("in_progress", "resolved"):
        desk.transition(mine.pk, state, by=None)
    link = csat.open_request(mine)
    assert link is not None
    csat.answer(csat.token_for(link), 5, "很快解决了")

    crm = json.loads(selectors.export_json(selectors.access_export(person)))["crm"]
    assert [(t["id"], t["subject"], t["description"]) for t in crm["tickets"]] == [
        (str(mine.pk), "快递丢件", "请回电 13800001234")
    ]
    assert [(r["ticket_id"], r["rating"], r["comment"]) for r in crm["satisfaction"]] == [
        (str(mine.pk), "5", "很快解决了")
    ]
    assert crm["after_sales"] == []


def test_correction_keeps_history_and_search_finds_the_new_value() -> None:
    person = customer()
    correction = services.field_correct(
        customer=person, field="mobile", value="139 0000 1111", by="manager1"
    )
    assert (correction.field, correction.old_value, correction.new_value) == (
        "mobile",
        MOBILE,
        "13900001111",
    )
    assert list(customer_search("13900001111")) == [person]
    assert list(customer_search(MOBILE)) == []
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.fields, entry.subject) == ("pipl_correct", "mobile", KEY)
    assert MOBILE not in str(entry.__dict__) and "13900001111" not in str(entry.__dict__)


def test_a_bad_correction_is_refused_and_nothing_changes() -> None:
    person = customer()
    with pytest.raises(UserInputError, match=r"^mobile: "):
        services.field_correct(customer=person, field="mobile", value="12345", by="manager1")
    with pytest.raises(UserInputError, match="birth_date: '17/05/1990' is not a date"):
        services.field_correct(customer=person, field="birth_date", value="17/05/1990", by="m")
    with pytest.raises(UserInputError, match="field 'customer_key' cannot be corrected"):
        services.field_correct(customer=person, field="customer_key", value="x", by="m")
    assert Customer.objects.get().mobile == MOBILE
    assert FieldCorrection.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_consent_register_newest_entry_holds() -> None:
    person = customer()
    other = customer(customer_key="c1111111111111111", mobile="13900000000", identities=())
    silent = customer(customer_key="c2222222222222222", mobile="13700000000", identities=())
    at = dt.datetime(2025, 6, 1, 8, tzinfo=dt.UTC)
    services.consent_record(customer=person, granted=True, source="下单页勾选", at=at, by="m")
    services.consent_record(customer=other, granted=True, source="下单页勾选", at=at, by="m")
    later = at + dt.timedelta(days=3)
    services.consent_record(customer=other, granted=False, source="客服电话", at=later, by="m")
    keys = [person.customer_key, other.customer_key, silent.customer_key]
    assert selectors.consenting_keys(keys) == {KEY}
    current = selectors.consent_current(other)
    assert current is not None and (current.granted, current.source) == (False, "客服电话")
    assert selectors.consent_current(silent) is None
    with pytest.raises(UserInputError, match="source: say where"):
        services.consent_record(customer=silent, granted=True, source=" ", by="m")
    assert selectors.consenting_keys([silent.customer_key]) == set()
