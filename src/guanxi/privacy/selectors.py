"""Reads for PIPL requests: find the customer, everything held about them, open requests,
the consent register."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from guanxi import lake
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_search
from guanxi.privacy.models import (
    Consent,
    ConsentPurpose,
    FieldCorrection,
    PrivacyRequest,
    RequestStatus,
)
from guanxi.satisfaction import privacy as satisfaction_privacy
from guanxi.web.exports.xlsx import Column, Sheet, workbook

FIND_LIMIT = 20
# The master's personal fields in the order the export lists them.
MASTER_FIELDS = (
    "customer_key",
    "name",
    "gender",
    "birth_date",
    "mobile",
    "email",
    "address",
    "province",
    "city",
    "notes",
    "customer_class",
    "created_at",
)


@functools.cache
def customer_tables() -> tuple[str, ...]:
    """Lake tables that hold a customer_key; order lines belong to the customer through
    orders. (Read from the lake's schemas when first asked: they are Arrow's.)"""
    from guanxi.lake.schema import TABLES

    return tuple(n for n, s in TABLES.items() if "customer_key" in s.schema.names)


def customers_find(query: str) -> list[Customer]:
    """Customers matching a phone, 尾号, email, name, platform account or customer key, through
    the master's blind indexes (the same search as the customer list)."""
    if not query.strip():
        return []
    return list(customer_search(query)[:FIND_LIMIT])


def customer_keys(customer: Customer) -> list[str]:
    """The customer's key and those of the duplicates merged into it (their facts moved to
    the survivor, their master records remain and hold personal data)."""
    merged = Customer.objects.filter(merged_into=customer).values_list("customer_key", flat=True)
    return [customer.customer_key, *sorted(merged)]


@dataclass
class AccessExport:
    """Everything held about one customer (PIPL Art. 45), plain values, UTC times."""

    customer_key: str
    generated_at: dt.datetime
    master: dict[str, str]
    identities: list[dict[str, str]]
    facts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    corrections: list[dict[str, str]] = field(default_factory=list)
    consents: list[dict[str, str]] = field(default_factory=list)
    # What the CRM derived and recorded about the customer (app database): the standing,
    # class pins, member scores, the points ledger, tags and master-field changes.
    crm: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def row_count(self) -> int:
        return 1 + len(self.identities) + sum(len(rows) for rows in self.facts.values())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def _lake_facts(keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    from guanxi.lake.schema import TABLES

    shop = lake.get()
    facts: dict[str, list[dict[str, Any]]] = {}
    for name in customer_tables():
        if not shop.exists(name):
            facts[name] = []
            continue
        table = shop.table(name)
        expr = table.filter(table.customer_key.isin(keys))
        order = list(TABLES[name].key)
        facts[name] = shop.arrow(expr.order_by(order)).to_pylist()
    if shop.exists("order_items") and shop.exists("orders"):
        orders = shop.table("orders")
        mine = orders.filter(orders.customer_key.isin(keys)).select("platform", "order_id")
        items = shop.table("order_items")
        expr = items.semi_join(mine, ["platform", "order_id"]).order_by(
            list(TABLES["order_items"].key)
        )
        facts["order_items"] = shop.arrow(expr).to_pylist()
    else:
        facts["order_items"] = []
    return facts


CRM_COLUMNS: dict[str, list[str]] = {
    "standing": [],  # every field of CustomerStanding (filled below)
    "class_pins": [
        "customer_class",
        "reason",
        "pinned_by",
        "pinned_at",
        "removed_by",
        "removed_at",
    ],
    "member_scores": ["month", "as_of", "purchase", "interaction", "credit", "score", "tier"],
    "points": [
        "kind",
        "points",
        "platform",
        "order_id",
        "earned_at",
        "expires_at",
        "shortfall",
        "reason",
        "actor_name",
        "created_at",
    ],
    "tags": ["name"],
    "changes": ["field", "old_masked", "new_masked", "changed_by", "changed_at"],
    # The service desk: the customer's tickets (their own words in the clear: this export is
    # for them), the after-sales cases and the satisfaction answers.
    "tickets": [
        "id",
        "kind",
        "channel",
        "category",
        "tier",
        "state",
        "subject",
        "description",
        "platform",
        "order_id",
        "created_at",
        "resolved_at",
        "closed_at",
    ],
    "after_sales": [
        "ticket_id",
        "case_kind",
        "reason",
        "signed_at",
        "requested_at",
        "refund_id",
        "amount",
    ],
    "satisfaction": ["ticket_id", "rating", "comment", "answered_at"],
    # Survey answers (satisfaction.privacy), in the customer's own words.
    "survey_answers": satisfaction_privacy.ANSWER_COLUMNS,
    "review_replies": satisfaction_privacy.REPLY_COLUMNS,
}


def _crm_records(customer: Customer) -> dict[str, list[dict[str, str]]]:
    from guanxi.customers.models import ClassPin, CustomerChange, CustomerStanding
    from guanxi.loyalty.models import MemberScore, PointsEntry
    from guanxi.servicedesk.models import AfterSalesCase, CsatRequest, Ticket

    tickets = Ticket.objects.filter(
        Q(customer=customer) | Q(customer_key__in=customer_keys(customer))
    )

    def rows(queryset: Any, columns: list[str]) -> list[dict[str, str]]:
        return [{c: _text(getattr(obj, c, "")) for c in columns} for obj in queryset]

    standing_columns = [
        f.attname for f in CustomerStanding._meta.concrete_fields if f.attname != "customer_id"
    ]
    return {
        "standing": rows(CustomerStanding.objects.filter(customer=customer), standing_columns),
        "class_pins": rows(ClassPin.objects.filter(customer=customer), CRM_COLUMNS["class_pins"]),
        "member_scores": rows(
            MemberScore.objects.filter(customer=customer).order_by("month"),
            CRM_COLUMNS["member_scores"],
        ),
        "points": rows(
            PointsEntry.objects.filter(customer=customer).order_by("pk"), CRM_COLUMNS["points"]
        ),
        "tags": rows(customer.tags.all(), CRM_COLUMNS["tags"]),
        "changes": rows(CustomerChange.objects.filter(customer=customer), CRM_COLUMNS["changes"]),
        "tickets": rows(tickets.order_by("pk"), CRM_COLUMNS["tickets"]),
        "after_sales": rows(
            AfterSalesCase.objects.filter(ticket__in=tickets).order_by("pk"),
            CRM_COLUMNS["after_sales"],
        ),
        "satisfaction": rows(
            CsatRequest.objects.filter(ticket__in=tickets, answered_at__isnull=False).order_by(
                "pk"
            ),
            CRM_COLUMNS["satisfaction"],
        ),
        "survey_answers": satisfaction_privacy.answers_of(customer_keys(customer)),
        "review_replies": satisfaction_privacy.review_replies_of(customer_keys(customer)),
    }


def access_export(customer: Customer) -> AccessExport:
    keys = customer_keys(customer)
    master = {name: _text(getattr(customer, name)) for name in MASTER_FIELDS}
    identities = [
        {"platform": i.platform, "buyer_id": i.buyer_id}
        for i in sorted(customer.identities.all(), key=lambda i: (i.platform, i.pk))
    ]
    corrections = [
        {
            "field": c.field,
            "old_value": c.old_value,
            "new_value": c.new_value,
            "corrected_at": _text(c.corrected_at),
        }
        for c in FieldCorrection.objects.filter(customer=customer)
    ]
    consents = [
        {
            "purpose": c.purpose,
            "granted": "yes" if c.granted else "no",
            "source": c.source,
            "at": _text(c.at),
        }
        for c in Consent.objects.filter(customer=customer)
    ]
    return AccessExport(
        customer_key=customer.customer_key,
        generated_at=timezone.now(),
        master=master,
        identities=identities,
        facts=_lake_facts(keys),
        corrections=corrections,
        consents=consents,
        crm=_crm_records(customer),
    )


def export_json(export: AccessExport) -> bytes:
    """The machine-readable copy: one JSON document, UTF-8, values as text."""
    document = {
        "customer_key": export.customer_key,
        "generated_at": _text(export.generated_at),
        "master": export.master,
        "identities": export.identities,
        "lake": {
            name: [{k: _text(v) for k, v in row.items()} for row in rows]
            for name, rows in export.facts.items()
        },
        "corrections": export.corrections,
        "consents": export.consents,
        "crm": export.crm,
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _sheet(name: str, rows: list[dict[str, Any]], columns: Iterable[str]) -> Sheet:
    names = list(columns)
    return Sheet(
        name=name,
        title=name,
        columns=[Column(c, "text", 20) for c in names],
        rows=[[_text(row.get(c)) for c in names] for row in rows],
    )


def export_xlsx(export: AccessExport) -> bytes:
    """The same content as ``export_json``, one sheet per part."""
    from guanxi.lake.schema import TABLES

    sheets = [
        _sheet(
            "master",
            [{"field": k, "value": v} for k, v in export.master.items()],
            ["field", "value"],
        ),
        _sheet("identities", export.identities, ["platform", "buyer_id"]),
    ]
    for name, rows in export.facts.items():
        sheets.append(_sheet(name, rows, TABLES[name].schema.names))
    sheets.append(
        _sheet(
            "corrections", export.corrections, ["field", "old_value", "new_value", "corrected_at"]
        )
    )
    sheets.append(_sheet("consents", export.consents, ["purpose", "granted", "source", "at"]))
    for name, crm_rows in export.crm.items():
        columns = list(crm_rows[0]) if crm_rows else CRM_COLUMNS[name]
        sheets.append(_sheet(name, crm_rows, columns))
    return workbook(sheets)


# -- requests and consent -------------------------------------------------------------------
def requests_open() -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(status=RequestStatus.OPEN).select_related("customer")


def requests_done(limit: int = 50) -> list[PrivacyRequest]:
    return list(
        PrivacyRequest.objects.filter(status=RequestStatus.DONE)
        .select_related("customer")
        .order_by("-done_at", "-id")[:limit]
    )


def consent_current(customer: Customer, purpose: str = ConsentPurpose.MARKETING) -> Consent | None:
    """The entry that holds now: the newest for the customer and purpose (None: never asked)."""
    return Consent.objects.filter(customer=customer, purpose=purpose).order_by("-at", "-id").first()


def consenting_keys(
    customer_keys: Iterable[str], purpose: str = ConsentPurpose.MARKETING
) -> set[str]:
    """Of ``customer_keys``, those whose newest entry for ``purpose`` grants it. Marketing
    sends to these only: no entry means no consent."""
    keys = list(customer_keys)
    latest: dict[str, bool] = {}
    entries = (
        Consent.objects.filter(customer__customer_key__in=keys, purpose=purpose)
        .order_by("customer_id", "-at", "-id")
        .values_list("customer__customer_key", "granted")
    )
    for key, granted in entries:
        latest.setdefault(key, granted)
    return {key for key, granted in latest.items() if granted}
